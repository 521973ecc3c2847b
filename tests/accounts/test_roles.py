import pytest
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import ROLE_GROUP_NAMES
from accounts.services import role_groups_sync, user_set_role


def test_role_groups_exist_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_GROUP_NAMES.values())


def test_manager_group_can_view_reps_but_not_change_them(manager_a):
    assert manager_a.has_perm("retention.view_salesrep")
    assert not manager_a.has_perm("retention.change_salesrep")


def test_hr_can_change_reps(hr_user):
    assert hr_user.has_perm("retention.change_salesrep")


def test_changing_role_moves_the_user_to_the_new_group_only(manager_a):
    user_set_role(user=manager_a, role=User.Role.HR)
    manager_a.refresh_from_db()
    assert list(manager_a.groups.values_list("name", flat=True)) == [ROLE_GROUP_NAMES["hr"]]
    assert manager_a.role == User.Role.HR


def test_unknown_role_is_refused(manager_a):
    with pytest.raises(ValueError, match="Unknown role 'boss'"):
        user_set_role(user=manager_a, role="boss")


def test_role_group_sync_restores_removed_permissions(db):
    group = Group.objects.get(name=ROLE_GROUP_NAMES["sales_manager"])
    group.permissions.clear()
    role_groups_sync()
    assert group.permissions.filter(codename="view_salesrep").exists()

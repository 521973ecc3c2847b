from accounts.access import scope_team_ids, teams_visible_to
from accounts.models import Team
from accounts.org import org_tree


def test_region_manager_sees_every_team_below_the_region(
    manager_a, region_north, team_north_a, team_north_b, team_south_a
):
    assert scope_team_ids(user=manager_a) == {region_north.id, team_north_a.id, team_north_b.id}


def test_team_manager_sees_only_their_team(manager_b, team_south_a, region_south):
    assert set(teams_visible_to(user=manager_b)) == {team_south_a}


def test_admin_and_hr_see_the_whole_organisation(admin_user, hr_user, team_north_a, team_south_a):
    assert scope_team_ids(user=admin_user) is None
    assert scope_team_ids(user=hr_user) is None
    assert set(teams_visible_to(user=hr_user)) == set(Team.objects.all())


def test_user_without_role_sees_nothing(django_user_model, team_north_a):
    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    assert scope_team_ids(user=nobody) == set()


def test_descendants_follow_several_levels(db):
    top = Team.objects.create(name="Top")
    middle = Team.objects.create(name="Middle", parent=top)
    leaf = Team.objects.create(name="Leaf", parent=middle)
    Team.objects.create(name="Elsewhere")
    assert org_tree().descendants([top.id]) == {top.id, middle.id, leaf.id}

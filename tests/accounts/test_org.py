"""The one rule for a team's manager, on a three-level tree."""

from accounts.models import Team, User
from accounts.org import org_tree, org_tree_cached, team_manager, team_managers
from accounts.services import user_create


def _manager(username: str, *teams: Team, active: bool = True) -> User:
    user = user_create(
        username=username, password=None, role=User.Role.SALES_MANAGER, managed_teams=list(teams)
    )
    if not active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


def test_nearest_active_manager_up_a_three_level_tree_is_the_teams_manager(db):
    division = Team.objects.create(name="Division")
    region = Team.objects.create(name="Region", parent=division)
    team = Team.objects.create(name="Team", parent=region)
    director = _manager("director", division)
    _manager("gone.regional", region, active=False)

    assert team_manager(team_id=team.pk) == director, "inactive regional manager is skipped"

    regional = _manager("regional", region)
    assert team_manager(team_id=team.pk) == regional, "the nearest active manager wins"
    assert team_manager(team_id=division.pk) == director
    assert team_managers(team_ids=[team.pk, region.pk, division.pk]) == {
        team.pk: regional,
        region.pk: regional,
        division.pk: director,
    }


def test_a_team_with_its_own_manager_is_managed_by_them_not_the_region(db):
    region = Team.objects.create(name="Region")
    team = Team.objects.create(name="Team", parent=region)
    _manager("regional", region)
    own = _manager("own", team)
    assert team_manager(team_id=team.pk) == own
    assert [m.username for m in org_tree().managers_above(team.pk)] == ["own", "regional"]


def test_users_of_other_roles_named_on_a_team_are_not_its_manager(db):
    team = Team.objects.create(name="Team")
    admin = user_create(username="admin", password=None, role=User.Role.ADMIN)
    team.managers.add(admin)
    assert team_manager(team_id=team.pk) is None


def test_the_tree_is_read_once_within_a_request(db, django_assert_num_queries):
    Team.objects.create(name="Team")
    with org_tree_cached():
        org_tree()
        with django_assert_num_queries(0):
            org_tree()
            org_tree()

"""The team an HR people file names, however hyphens and slashes fall in the region's and the
team's names (retention.imports.org.hr_team)."""

import datetime as dt

import pytest

from accounts.models import Team
from retention.imports.lookups import ImportContext, Options
from retention.imports.org import hr_team
from retention.models import CrmTeamLink

pytestmark = pytest.mark.django_db


def _ctx() -> ImportContext:
    return ImportContext(options=Options(), today=dt.date(2024, 6, 3), tz=dt.UTC, user=None)


@pytest.fixture
def org(db) -> dict[str, Team]:
    """Regions and teams whose names hold hyphens and slashes (invented, like HR writes them)."""
    northeast = Team.objects.create(name="Northeast", region="Northeast")
    southeast = Team.objects.create(name="Southeast", region="Southeast")
    mid_atlantic = Team.objects.create(name="Mid-Atlantic", region="Mid-Atlantic")
    emea = Team.objects.create(name="EMEA/APAC", region="EMEA/APAC")
    teams = {
        "northeast": northeast,
        "southeast": southeast,
        "mid_atlantic": mid_atlantic,
        "emea": emea,
        "boston_mm": Team.objects.create(name="Boston Mid-Market", parent=northeast),
        "boston_ent": Team.objects.create(name="Boston Enterprise", parent=northeast),
        "winston": Team.objects.create(name="Winston-Salem Commercial", parent=southeast),
        "dc": Team.objects.create(name="D.C. - Federal", parent=mid_atlantic),
        "ops": Team.objects.create(name="Sales/Ops", parent=emea),
        "inside_ne": Team.objects.create(name="Inside Sales", parent=northeast),
        "inside_se": Team.objects.create(name="Inside Sales", parent=southeast),
    }
    return teams


@pytest.mark.parametrize(
    ("written", "team"),
    [
        ("Northeast - Boston Mid-Market", "boston_mm"),
        ("Northeast-Boston Mid-Market", "boston_mm"),
        ("Southeast - Winston-Salem Commercial", "winston"),
        ("Southeast – Winston-Salem Commercial", "winston"),
        ("Southeast / Winston-Salem Commercial", "winston"),
        ("Southeast > Winston-Salem Commercial", "winston"),
        ("Southeast | Winston-Salem Commercial", "winston"),
        ("Winston-Salem Commercial", "winston"),
        ("Mid-Atlantic - D.C. - Federal", "dc"),
        ("Mid-Atlantic / D.C. - Federal", "dc"),
        ("D.C. - Federal", "dc"),
        ("EMEA/APAC - Sales/Ops", "ops"),
        ("EMEA/APAC / Sales/Ops", "ops"),
        ("Sales/Ops", "ops"),
        ("Sales / Ops", "ops"),
        ("Northeast - Inside Sales", "inside_ne"),
        ("Southeast/Inside Sales", "inside_se"),
        ("Northeast", "northeast"),
    ],
)
def test_the_team_is_found_whatever_hyphens_and_slashes_its_names_hold(org, written, team):
    assert hr_team(written, _ctx()) == org[team].pk


def test_a_team_shared_by_two_regions_without_its_region_is_refused(org):
    assert hr_team("Inside Sales", _ctx()) is None


def test_a_region_relay_does_not_know_still_finds_a_team_named_once(org):
    # "Sales" names no Relay team: it does not contradict the team's place in Relay.
    assert hr_team("Sales - Boston Mid-Market", _ctx()) == org["boston_mm"].pk


def test_a_region_that_is_another_relay_team_is_not_overruled(org):
    # HR puts the team in another region than Relay's: refused, not silently moved.
    assert hr_team("Southeast - Boston Mid-Market", _ctx()) is None


def test_the_reading_whose_region_is_the_team_s_parent_wins(org):
    Team.objects.create(name="Federal", parent=org["mid_atlantic"])
    # Also read as team "Federal" under a region "Mid-Atlantic - D.C.", which Relay lacks.
    assert hr_team("Mid-Atlantic - D.C. - Federal", _ctx()) == org["dc"].pk


def test_two_readings_that_name_different_teams_in_their_regions_are_refused(db):
    north = Team.objects.create(name="North", region="North")
    north_east = Team.objects.create(name="North - East", region="North - East")
    Team.objects.create(name="East - Boston", parent=north)
    Team.objects.create(name="Boston", parent=north_east)

    assert hr_team("North - East - Boston", _ctx()) is None
    assert hr_team("North / East - Boston", _ctx()) == Team.objects.get(name="East - Boston").pk


def test_a_crm_role_id_and_relay_s_team_number_still_find_the_team(org):
    CrmTeamLink.objects.create(key="role:00E5e000000WSALEM", team=org["winston"])
    assert hr_team("00E5e000000WSALEM", _ctx()) == org["winston"].pk
    assert hr_team(str(org["boston_mm"].pk), _ctx()) == org["boston_mm"].pk


def test_a_name_no_relay_team_has_is_none(org):
    assert hr_team("Northeast - Hartford Mid-Market", _ctx()) is None
    assert hr_team("", _ctx()) is None


def test_a_region_above_the_team_s_parent_or_the_whole_path_finds_it(org):
    americas = Team.objects.create(name="Americas")
    org["northeast"].parent = americas
    org["northeast"].save()

    for written in (
        "Americas / Northeast / Boston Mid-Market",
        "Americas - Northeast - Boston Mid-Market",
        "Americas - Boston Mid-Market",
    ):
        assert hr_team(written, _ctx()) == org["boston_mm"].pk, written

"""Importing Salesforce users: who becomes a rep, a manager or nothing, and the org from the CRM."""

import csv
import datetime as dt
from pathlib import Path

import pytest
import time_machine

from accounts.models import Team, User
from retention.imports.org import is_queue_id
from retention.models import (
    Activity,
    CrmTeamLink,
    CrmUserChoice,
    Customer,
    ImportJob,
    SalesRep,
    ServiceRecord,
    TeamMembership,
)
from tests.retention.imports.conftest import run_import, snapshot

pytestmark = pytest.mark.django_db
FROZEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)

USER_HEADER = [
    "Id", "Username", "LastName", "FirstName", "Name", "Division", "Department", "Title", "Email",
    "IsActive", "UserRoleId", "UserType", "ManagerId", "CreatedDate", "LastLoginDate",
]  # fmt: skip
ROLES = [
    ("00E-VP", "VP Sales", ""),
    ("00E-E", "East Director", "00E-VP"),
    ("00E-MIA-M", "East - Miami Manager", "00E-E"),
    ("00E-MIA", "East - Miami Sales Reps", "00E-MIA-M"),
    ("00E-BOS", "East - Boston Reps", "00E-E"),
    ("00E-ADM", "System Administrator", ""),
]


def user_row(crm_id, first, last, title, role="", manager="", active="true", kind="Standard",
             login="2024-05-30T08:00:00.000+0000"):  # fmt: skip
    email = f"{first}.{last}@example.com".lower().replace(" ", "")
    return [
        crm_id, f"{email}.demo", last, first, f"{first} {last}".strip(), "", "Sales", title,
        email, active, role, kind, manager, "2022-01-10T09:00:00.000+0000", login,
    ]  # fmt: skip


USERS = [
    user_row("005VP", "Vera", "Vance", "VP Sales", "00E-VP"),
    user_row("005DIR", "Dan", "Drake", "Sales Director", "00E-E", "005VP"),
    user_row("005MGR", "Mia", "Moreno", "Sales Manager", "00E-MIA-M", "005DIR"),
    user_row("005A", "Ana", "Alves", "Account Executive", "00E-MIA", "005MGR"),
    user_row("005B", "Ben", "Brook", "Account Executive", "00E-MIA", "005MGR"),
    user_row("005C", "Cy", "Cole", "Account Executive", "00E-BOS", "005DIR"),
    user_row(
        "005GONE",
        "Gil",
        "Gone",
        "Account Executive",
        "00E-BOS",
        "005DIR",
        active="false",
        login="2024-02-01T08:00:00.000+0000",
    ),
    user_row("005IDLE", "Ida", "Idle", "Account Executive", "00E-BOS", active="false"),
    user_row("005ADM", "Sam", "Admin", "Salesforce Administrator", "00E-ADM"),
    user_row("005INT", "Integration", "User", "", kind="Standard"),
    user_row("005AUTO", "", "Automated Process", "", kind="AutomatedProcess"),
    user_row("005CHAT", "Cat", "Chatter", "", kind="CsnOnly"),
]
ACCOUNTS = [
    ["001A", "Acme", "005A", "2023-01-05T10:00:00.000+0000"],
    ["001B", "Bolt", "005GONE", "2023-11-20T10:00:00.000+0000"],
    ["001C", "Cobalt", "005MGR", "2023-01-05T10:00:00.000+0000"],
]
TASKS = [
    ["00T1", "005A", "001A", "Call", "2024-05-02", "Completed"],
    ["00T2", "005INT", "001A", "Sync", "2024-05-02", "Completed"],
    ["00T3", "005MGR", "001C", "Review", "2024-05-03", "Completed"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def export(tmp_path) -> dict[str, Path]:
    return {
        "roles": write_csv(tmp_path / "UserRole.csv", ["Id", "Name", "ParentRoleId"], ROLES),
        "users": write_csv(tmp_path / "User.csv", USER_HEADER, USERS),
        "accounts": write_csv(
            tmp_path / "Account.csv", ["Id", "Name", "OwnerId", "CreatedDate"], ACCOUNTS
        ),
        "tasks": write_csv(
            tmp_path / "Task.csv",
            ["Id", "OwnerId", "WhatId", "Subject", "ActivityDate", "Status"],
            TASKS,
        ),
    }


def team_paths() -> set[str]:
    paths = set()
    for team in Team.objects.select_related("parent__parent"):
        chain, current = [], team
        while current is not None:
            chain.insert(0, current.name)
            current = current.parent
        paths.add(" / ".join(chain))
    return paths


@time_machine.travel(FROZEN, tick=False)
def test_empty_relay_gets_teams_regions_and_managers_from_the_role_hierarchy(export):
    job = run_import(*export.values())

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert team_paths() == {
        "VP Sales",
        "VP Sales / East",
        "VP Sales / East / East - Miami",
        "VP Sales / East / East - Boston",
    }
    miami = Team.objects.get(name="East - Miami")
    assert [m.username for m in miami.managers.all()] == ["mia.moreno@example.com.demo"]
    assert Team.objects.get(name="East").managers.get().last_name == "Drake"
    assert Team.objects.get(name="VP Sales").managers.get().last_name == "Vance"
    manager = User.objects.get(last_name="Moreno")
    assert (manager.role, manager.has_usable_password()) == (User.Role.SALES_MANAGER, False)
    assert {rep.crm_user_id: rep.team.name for rep in SalesRep.objects.all()} == {
        "005A": "East - Miami",
        "005B": "East - Miami",
        "005C": "East - Boston",
        "005GONE": "East - Boston",
    }
    assert CrmTeamLink.objects.filter(key="role:00E-MIA", team=miami).exists()
    # The region is the level below the VP's umbrella: East, for the team and its reps.
    assert (miami.region, SalesRep.objects.get(crm_user_id="005A").region) == ("East", "East")


@time_machine.travel(FROZEN, tick=False)
def test_managers_and_users_who_do_not_sell_never_become_reps(export):
    job = run_import(*export.values())

    assert not SalesRep.objects.filter(
        crm_user_id__in=["005VP", "005DIR", "005MGR", "005ADM", "005INT", "005AUTO", "005CHAT"]
    ).exists()
    people = {row["id"]: row for row in job.counts["people"]["users"]}
    assert people["005MGR"]["becomes"] == "manager"
    assert people["005ADM"]["becomes"] == "skip" and "not in sales" in people["005ADM"]["reason"]
    assert people["005AUTO"]["reason"] == "automated-process user"
    assert people["005CHAT"]["reason"] == "Chatter-only user"
    assert job.counts["people"]["counts"] == {"rep": 4, "manager": 3, "skip": 5}
    # Records a non-rep owns: a task is skipped (not rejected), an account is kept unowned.
    tasks = next(entry for entry in job.counts["files"] if entry["name"] == "Task.csv")
    assert (tasks["created"], tasks["skipped"], tasks["rejected"]) == (1, 2, 0)
    assert Activity.objects.get().external_id == "00T1"
    cobalt = Customer.objects.get(external_id="001C")
    assert not cobalt.assignments.exists()
    assert any(issue["value"] == "005MGR" and "manager" in issue["reason"] for issue in job.issues)


@time_machine.travel(FROZEN, tick=False)
def test_inactive_user_with_accounts_is_a_rep_who_left_and_without_is_skipped(export):
    run_import(*export.values())

    gone = SalesRep.objects.get(crm_user_id="005GONE")
    # Last login 2024-02-01 is after the account's creation: that is the last day seen.
    assert (gone.status, gone.departure_date, gone.departure_reason) == (
        SalesRep.Status.LEFT,
        dt.date(2024, 2, 1),
        "",
    )
    assert not SalesRep.objects.filter(crm_user_id="005IDLE").exists()


@time_machine.travel(FROZEN, tick=False)
def test_dry_run_shows_the_tree_and_the_users_but_writes_nothing(export):
    before = snapshot()
    teams_before = Team.objects.count()

    job = run_import(*export.values(), apply=False)

    assert job.status == ImportJob.Status.CHECKED, job.message
    tree = {node["path"]: node for node in job.counts["people"]["tree"]}
    assert tree["VP Sales / East / East - Miami"]["managers"] == ["Mia Moreno"]
    assert tree["VP Sales / East / East - Miami"]["reps"] == 2
    assert snapshot() == before
    assert Team.objects.count() == teams_before == 0
    assert not User.objects.exists() and not CrmUserChoice.objects.exists()


@time_machine.travel(FROZEN, tick=False)
def test_an_admin_choice_is_remembered_for_the_next_export(export):
    run_import(*export.values(), people={"005MGR": "rep"})
    assert SalesRep.objects.get(crm_user_id="005MGR").team.name == "East - Miami"

    again = run_import(*export.values())

    people = {row["id"]: row for row in again.counts["people"]["users"]}
    assert (people["005MGR"]["becomes"], people["005MGR"]["chosen_by"]) == ("rep", "remembered")
    assert CrmUserChoice.objects.get(crm_user_id="005MGR").by_admin


def test_a_later_export_moving_a_rep_records_team_history(export):
    with time_machine.travel(FROZEN, tick=False):
        run_import(*export.values())
    ana = SalesRep.objects.get(crm_user_id="005A")
    assert list(ana.team_history.values_list("team__name", "valid_from", "valid_to")) == [
        ("East - Miami", dt.date(2022, 1, 10), None)
    ]
    moved = [row[:] for row in USERS]
    moved[3][10] = "00E-BOS"  # Ana's role is now Boston's
    write_csv(export["users"], USER_HEADER, moved)

    with time_machine.travel(FROZEN + dt.timedelta(days=7), tick=False):
        job = run_import(export["roles"], export["users"])

    assert job.status == ImportJob.Status.APPLIED, job.message
    ana.refresh_from_db()
    assert ana.team.name == "East - Boston"
    history = list(
        ana.team_history.order_by("valid_from").values_list(
            "team__name", "manager__last_name", "valid_from", "valid_to"
        )
    )
    assert history == [
        ("East - Miami", "Moreno", dt.date(2022, 1, 10), dt.date(2024, 6, 10)),
        ("East - Boston", "Drake", dt.date(2024, 6, 10), None),
    ]
    assert TeamMembership.objects.filter(valid_to__isnull=True).count() == 4


@time_machine.travel(FROZEN, tick=False)
def test_relay_with_its_own_teams_keeps_them_and_places_reps_by_department(export, team_north_a):
    rows = [row[:] for row in USERS]
    for row in rows:
        row[6] = "North A"
    write_csv(export["users"], USER_HEADER, rows)

    job = run_import(export["roles"], export["users"])

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert job.counts["people"]["from_crm"] is False
    assert set(Team.objects.values_list("name", flat=True)) == {"North", "North A"}
    assert set(SalesRep.objects.values_list("team__name", flat=True)) == {"North A"}
    # Without Account.csv the inactive user has no history here: skipped, not a rep.
    assert SalesRep.objects.count() == 3
    # The CRM's managers of these reps manage their Relay team, which had nobody.
    assert {m.last_name for m in team_north_a.managers.all()} == {"Moreno", "Drake"}


@time_machine.travel(FROZEN, tick=False)
def test_asking_for_the_org_from_the_crm_builds_it_beside_relay_s_teams(export, team_north_a):
    job = run_import(export["roles"], export["users"], org_from_crm=True)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert "VP Sales / East / East - Miami" in team_paths()


def test_a_new_manager_in_the_crm_manages_the_team_and_its_reps_history_says_so(export):
    with time_machine.travel(FROZEN, tick=False):
        run_import(*export.values())
    rows = [row[:] for row in USERS]
    rows[2][9] = "false"  # Mia Moreno has left (and so stops being a manager)
    rows.append(user_row("005NEW", "Nico", "Newman", "Sales Manager", "00E-MIA-M", "005DIR"))
    for row in rows[3:5]:
        row[12] = "005NEW"
    write_csv(export["users"], USER_HEADER, rows)

    with time_machine.travel(FROZEN + dt.timedelta(days=14), tick=False):
        job = run_import(export["roles"], export["users"])

    assert job.status == ImportJob.Status.APPLIED, job.message
    miami = Team.objects.get(name="East - Miami")
    assert [m.last_name for m in miami.managers.all()] == ["Newman"]
    ana = SalesRep.objects.get(crm_user_id="005A")
    assert list(
        ana.team_history.order_by("valid_from").values_list(
            "team__name", "manager__last_name", "valid_to"
        )
    ) == [
        ("East - Miami", "Moreno", dt.date(2024, 6, 17)),
        ("East - Miami", "Newman", None),
    ]


def test_a_rep_found_inactive_in_a_later_export_has_left_on_their_last_login(export):
    with time_machine.travel(FROZEN, tick=False):
        run_import(*export.values())
    rows = [row[:] for row in USERS]
    rows[5][9] = "false"  # Cy Cole
    rows[5][14] = "2024-06-05T17:00:00.000+0000"
    write_csv(export["users"], USER_HEADER, rows)

    with time_machine.travel(FROZEN + dt.timedelta(days=7), tick=False):
        run_import(export["roles"], export["users"])

    cy = SalesRep.objects.get(crm_user_id="005C")
    assert (cy.status, cy.departure_date, cy.departure_reason) == (
        SalesRep.Status.LEFT,
        dt.date(2024, 6, 5),
        "",  # not known: not a voluntary leaver for the risk model
    )


@time_machine.travel(FROZEN, tick=False)
def test_without_roles_the_org_comes_from_who_reports_to_whom(tmp_path):
    rows = [row[:] for row in USERS[:6]]
    for row in rows:
        row[10] = ""  # no UserRoleId
    rows[1][5] = "East"  # the director's Division names the region
    users = write_csv(tmp_path / "User.csv", USER_HEADER, rows)

    job = run_import(users)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert job.counts["people"]["built_from"] == "managers"
    # The director has a rep of his own and a team below him: his region holds both.
    assert team_paths() == {
        "Region Vera Vance",
        "Region Vera Vance / East",
        "Region Vera Vance / East / Team Mia Moreno",
    }
    assert SalesRep.objects.get(crm_user_id="005A").team.name == "Team Mia Moreno"
    assert SalesRep.objects.get(crm_user_id="005C").team.name == "East"
    assert Team.objects.get(name="Team Mia Moreno").managers.get().last_name == "Moreno"


@time_machine.travel(FROZEN, tick=False)
def test_a_rep_the_crm_now_shows_as_a_manager_is_said_to_stay_a_rep(export):
    run_import(*export.values())
    rows = [row[:] for row in USERS]
    rows[3][7] = "Sales Manager"  # Ana is promoted, and Ben reports to her
    rows[4][12] = "005A"
    write_csv(export["users"], USER_HEADER, rows)

    job = run_import(export["roles"], export["users"], apply=False)

    ana = next(row for row in job.counts["people"]["users"] if row["id"] == "005A")
    assert ana["becomes"] == "manager"
    assert "already a rep in Relay" in ana["reason"]
    assert SalesRep.objects.get(crm_user_id="005A").status == SalesRep.Status.ACTIVE


# A queue's ids: Group ids, key prefix 00G (a user's is 005), 18 and 15 characters.
QUEUE = "00GEc000002QueAEAS"
QUEUE_15 = "00GEc000002QueB"
CASE_HEADER = ["Id", "OwnerId", "AccountId", "Status", "CreatedDate", "ClosedDate"]


@time_machine.travel(FROZEN, tick=False)
def test_records_a_queue_owns_are_skipped_or_kept_unowned_not_rejected(export, tmp_path):
    write_csv(
        export["accounts"],
        ["Id", "Name", "OwnerId", "CreatedDate"],
        [*ACCOUNTS, ["001Q", "Quill", QUEUE, "2023-01-05T10:00:00.000+0000"]],
    )
    write_csv(
        export["tasks"],
        ["Id", "OwnerId", "WhatId", "Subject", "ActivityDate", "Status"],
        [*TASKS, ["00T4", QUEUE_15, "001A", "Call back", "2024-05-04", "Not Started"]],
    )
    cases = write_csv(
        tmp_path / "Case.csv",
        CASE_HEADER,
        [
            ["500A", "005A", "001A", "Closed", "2024-05-01T09:00:00.000+0000",
             "2024-05-02T09:00:00.000+0000"],
            ["500Q", QUEUE, "001A", "New", "2024-05-03T09:00:00.000+0000", ""],
        ],
    )  # fmt: skip

    job = run_import(*export.values(), cases)

    assert job.status == ImportJob.Status.APPLIED, job.message
    files = {entry["name"]: entry for entry in job.counts["files"]}
    assert (files["Case.csv"]["created"], files["Case.csv"]["skipped"]) == (1, 1)
    assert (files["Task.csv"]["created"], files["Task.csv"]["skipped"]) == (1, 3)
    assert files["Case.csv"]["rejected"] == files["Task.csv"]["rejected"] == 0
    assert list(ServiceRecord.objects.values_list("external_id", flat=True)) == ["500A"]
    assert not Activity.objects.filter(external_id="00T4").exists()
    # Skipped, counted by reason: a queue is not a person.
    queue = "owned by a Salesforce queue (an 00G… id), not a person"
    assert files["Case.csv"]["skipped_why"] == {queue: 1}
    assert files["Task.csv"]["skipped_why"][queue] == 1
    # An account a queue owns is kept, without an owner, and flagged with that reason.
    quill = Customer.objects.get(external_id="001Q")
    assert not quill.assignments.exists()
    flag = next(issue for issue in job.issues if issue["value"] == QUEUE)
    assert (flag["file"], flag["outcome"]) == ("Account.csv", "flagged")
    assert flag["reason"] == f"{queue}; the row is kept without it"


@pytest.mark.parametrize(
    ("crm_id", "is_queue"),
    [
        (QUEUE, True),
        (QUEUE_15, True),
        ("005Ec000004oBPNIA2", False),  # a user
        ("00GEc0000", False),  # too short for a Salesforce id
        ("00gEc000002QueAEAS", False),  # the key prefix is case-sensitive
    ],
)
def test_a_queue_is_known_by_its_key_prefix(crm_id, is_queue):
    assert is_queue_id(crm_id) is is_queue


@time_machine.travel(FROZEN, tick=False)
def test_a_manager_titled_seller_with_accounts_and_no_reports_is_a_rep_and_one_who_left_a_departure(
    export,
):
    rows = [
        *USERS,
        user_row("005TSM", "Tia", "Tern", "Territory Sales Manager", "00E-BOS", "005DIR"),
        user_row(
            "005SMG",
            "Sol",
            "Gray",
            "Sales Manager",
            "00E-BOS",
            "005DIR",
            active="false",
            login="2024-03-01T08:00:00.000+0000",
        ),
    ]
    write_csv(export["users"], USER_HEADER, rows)
    write_csv(
        export["accounts"],
        ["Id", "Name", "OwnerId", "CreatedDate"],
        [
            *ACCOUNTS,
            ["001T", "Tarn", "005TSM", "2023-01-05T10:00:00.000+0000"],
            ["001S", "Slate", "005SMG", "2023-01-05T10:00:00.000+0000"],
        ],
    )

    job = run_import(*export.values())

    assert job.status == ImportJob.Status.APPLIED, job.message
    people = {row["id"]: row for row in job.counts["people"]["users"]}
    assert (people["005TSM"]["becomes"], people["005SMG"]["becomes"]) == ("rep", "rep")
    assert people["005TSM"]["reason"] == "sells (Territory Sales Manager)"
    assert people["005SMG"]["reason"] == "inactive with history: a rep who has left"
    tia = SalesRep.objects.get(crm_user_id="005TSM")
    assert (tia.team.name, tia.status) == ("East - Boston", SalesRep.Status.ACTIVE)
    assert Customer.objects.get(external_id="001T").assignments.get().rep == tia
    # The one who left is a departure (a training label), not a skipped "inactive manager".
    sol = SalesRep.objects.get(crm_user_id="005SMG")
    assert sol.status != SalesRep.Status.ACTIVE
    # Mia Moreno, a Sales Manager others report to, who owns an account too, is still a manager.
    assert people["005MGR"]["becomes"] == "manager"

"""Who is a rep: the defaults from a Salesforce user's type, title, role, reports and activity.

Pure functions, no database."""

import datetime as dt

import pytest

from retention.imports.people import MANAGER, REP, SKIP, CrmRole, CrmUser, classify, decide


def user(crm_id: str = "005A", **extra) -> CrmUser:
    extra.setdefault("last_name", "Doe")
    extra.setdefault("first_name", "Jo")
    extra.setdefault("user_type", "Standard")
    return CrmUser(id=crm_id, **extra)


@pytest.mark.parametrize(
    "extra,becomes,why",
    [
        ({"title": "Account Executive"}, REP, "sells"),
        ({"title": "Key Account Manager"}, REP, "sells"),
        ({"title": "Territory Manager"}, REP, "sells"),
        ({"title": "Regional Sales Manager"}, MANAGER, "leads"),
        ({"title": "Sales Director, East"}, MANAGER, "leads"),
        ({"title": "VP Sales"}, MANAGER, "leads"),
        ({"title": "Salesforce Administrator"}, SKIP, "not in sales"),
        ({"title": "Sales Ops Analyst"}, SKIP, "not in sales"),
        ({"user_type": "AutomatedProcess", "last_name": "Automated Process"}, SKIP, "automated"),
        ({"user_type": "CsnOnly"}, SKIP, "Chatter"),
        ({"user_type": "PowerPartner"}, SKIP, "portal"),
        ({"first_name": "Integration", "last_name": "User"}, SKIP, "integration"),
        ({"first_name": "", "last_name": "License Manager"}, SKIP, "license manager"),
        ({"username": "insights@00d5e000000abcd.ext", "last_name": "Sales Insights"}, SKIP, ""),
    ],
)
def test_default_decision_follows_type_title_and_name(extra, becomes, why):
    decision = classify(user(**extra))

    assert decision.becomes == becomes
    assert why.lower() in decision.reason.lower()


def test_someone_others_report_to_is_a_manager_even_without_a_leader_title():
    decision = classify(user(title="Senior Account Executive"), has_reports=True)

    assert decision.becomes == MANAGER
    assert "ManagerId" in decision.reason


def test_role_name_counts_when_there_is_no_title():
    assert classify(user(), role_name="East Sales Director").becomes == MANAGER
    assert classify(user(), role_name="East - Miami Reps").becomes == REP


def test_inactive_user_without_history_is_skipped_and_with_history_is_a_rep_who_left():
    last = dt.date(2024, 3, 1)

    idle = classify(user(is_active=False, last_seen=last))
    departed = classify(user(is_active=False, last_seen=last), has_history=True)

    assert (idle.becomes, departed.becomes, departed.left_on) == (SKIP, REP, last)


def test_admin_choice_beats_the_remembered_one_and_the_default():
    users = {"005A": user("005A", title="Sales Director"), "005B": user("005B", title="AE")}

    decisions = decide(
        users,
        roles={},
        with_history=set(),
        chosen={"005A": REP},
        remembered={"005A": SKIP, "005B": SKIP},
    )

    assert (decisions["005A"].becomes, decisions["005A"].chosen_by) == (REP, "admin")
    assert (decisions["005B"].becomes, decisions["005B"].chosen_by) == (SKIP, "remembered")


def test_reports_from_inactive_users_do_not_make_a_manager():
    users = {
        "005A": user("005A", title="Account Executive"),
        "005B": user("005B", title="Account Executive", is_active=False, manager_id="005A"),
    }

    decisions = decide(
        users,
        roles={"00E1": CrmRole("00E1", "Sales")},
        with_history=set(),
        chosen={},
        remembered={},
    )

    assert decisions["005A"].becomes == REP


@pytest.mark.parametrize(
    "title",
    ["Territory Sales Manager", "Territory Manager", "Account Manager", "Key Account Manager"],
)
def test_a_manager_titled_seller_who_manages_nobody_is_a_rep_and_a_rep_who_left(title):
    active = classify(user(title=title), has_history=True)
    gone = classify(user(title=title, is_active=False), has_history=True)

    assert (active.becomes, gone.becomes) == (REP, REP)
    assert "left" in gone.reason


def test_a_sales_manager_who_owns_accounts_but_manages_nobody_is_a_rep():
    seller = classify(user(title="Sales Manager"), has_history=True)
    gone = classify(user(title="Sales Manager", is_active=False), has_history=True)

    assert (seller.becomes, gone.becomes) == (REP, REP)
    assert "manages nobody" in seller.reason


def test_a_sales_manager_who_manages_people_stays_a_manager_though_they_own_accounts():
    leads = classify(user(title="Sales Manager"), has_history=True, manages=True)
    gone = classify(user(title="Sales Manager", is_active=False), has_history=True, manages=True)
    # Without accounts or deals nothing says they sell: the title decides, as before.
    titled = classify(user(title="Sales Manager"))

    assert (leads.becomes, gone.becomes, titled.becomes) == (MANAGER, SKIP, MANAGER)
    assert gone.reason == "inactive manager"


def test_a_directors_title_still_makes_a_manager():
    assert classify(user(title="Sales Director"), has_history=True).becomes == MANAGER


def _decide(users, roles):
    return decide(users, roles=roles, with_history=set(users), chosen={}, remembered={})


def test_a_manager_titled_owner_whose_role_sits_above_others_or_whom_others_report_to_manages():
    roles = {
        "00E-M": CrmRole("00E-M", "West Managers"),
        "00E-R": CrmRole("00E-R", "West Reps", "00E-M"),
    }
    users = {
        "005M": user("005M", title="Sales Manager", role_id="00E-M"),
        "005T": user("005T", title="Territory Sales Manager", role_id="00E-R"),
        "005L": user("005L", title="Sales Manager", is_active=False),
        "005X": user("005X", title="Account Executive", is_active=False, manager_id="005L"),
    }

    decisions = _decide(users, roles)

    assert decisions["005M"].becomes == MANAGER  # their role is above the reps' role
    assert decisions["005T"].becomes == REP  # in the reps' role, nobody below
    # Gone, with a report (gone too): a manager who left, not a rep who left.
    assert (decisions["005L"].becomes, decisions["005L"].reason) == (SKIP, "inactive manager")

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

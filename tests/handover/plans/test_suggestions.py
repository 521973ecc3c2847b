"""Ranking and recipient rules, on hand-built facts: no database."""

import datetime as dt
from decimal import Decimal

from handover.plans.suggestions import (
    Candidate,
    CustomerFacts,
    OpenDeal,
    rank_customers,
    suggest_recipients,
)
from retention.ownership.policy import Manager, Relationship, Scope

TODAY = dt.date(2026, 11, 2)
DEPARTING = 1
TEAM = 10


def facts(cid, revenue, *, key=False, deals=(), since=dt.date(2025, 11, 2), backups=()):
    return CustomerFacts(
        customer_id=cid,
        name=f"Customer {cid}",
        is_key_account=key,
        annual_revenue=Decimal(revenue),
        held_since=since,
        open_deals=tuple(OpenDeal(Decimal(a), s) for a, s in deals),
        relationships=tuple(Relationship(role="backup", rep_id=b) for b in backups),
    )


def rep(rep_id, *, band="low", accounts=0, revenue=0, max_accounts=0, max_revenue=0, **kw):
    return Candidate(
        rep_id=rep_id,
        name=f"Rep {rep_id}",
        team_id=kw.get("team_id", TEAM),
        region=kw.get("region", "North"),
        status=kw.get("status", "active"),
        is_leaving=kw.get("is_leaving", False),
        band=band,
        probability=kw.get("probability"),
        accounts=accounts,
        revenue=Decimal(revenue),
        max_accounts=max_accounts,
        max_revenue=Decimal(max_revenue),
    )


def suggest(customers, candidates, manager_id=99, scope=None):
    manager = Manager(user_id=manager_id, name="Boss") if manager_id else None
    return {
        s.customer_id: s
        for s in suggest_recipients(
            customers=customers,
            departing_rep_id=DEPARTING,
            team_id=TEAM,
            region="North",
            candidates={c.rep_id: c for c in candidates},
            manager=manager,
            scope=scope or Scope(),
            today=TODAY,
        )
    }


def test_key_accounts_rank_first_then_by_revenue():
    ranked = rank_customers([facts(1, 100), facts(2, 5_000), facts(3, 50, key=True)], today=TODAY)
    assert [r.facts.customer_id for r in ranked] == [3, 2, 1]


def test_late_stage_pipeline_outranks_early_stage_pipeline_of_the_same_amount():
    early = facts(1, 100_000, deals=[(500_000, "Prospecting")])
    late = facts(2, 100_000, deals=[(500_000, "Negotiation")])
    ranked = rank_customers([early, late], today=TODAY)
    assert [r.facts.customer_id for r in ranked] == [2, 1]
    assert "(1 deal)" in ranked[0].reason and "deals" not in ranked[0].reason


def test_the_reason_writes_amounts_in_the_organisation_currency(settings):
    settings.RELAY_CURRENCY = "USD"
    ranked = rank_customers([facts(1, 1_250_000, deals=[(40_000, "Negotiation")])], today=TODAY)
    reason = ranked[0].reason
    assert reason.startswith("revenue $1,250,000; weighted open pipeline $")
    assert "(1 deal)" in reason


def test_a_longer_relationship_ranks_higher_at_equal_revenue():
    new = facts(1, 100_000, since=TODAY - dt.timedelta(days=30))
    old = facts(2, 100_000, since=TODAY - dt.timedelta(days=4 * 365))
    assert [r.facts.customer_id for r in rank_customers([new, old], today=TODAY)] == [2, 1]


def test_existing_backup_is_suggested_before_an_emptier_team_mate():
    result = suggest([facts(1, 1_000, backups=[5])], [rep(5, accounts=30), rep(6, accounts=0)])
    assert (result[1].kind, result[1].rep_id) == ("backup", 5)


def test_a_high_risk_backup_is_passed_over_for_a_low_risk_team_mate():
    result = suggest([facts(1, 1_000, backups=[5])], [rep(5, band="high"), rep(6)])
    assert (result[1].kind, result[1].rep_id) == ("team_rep", 6)


def test_team_mates_not_known_low_risk_are_never_suggested_so_the_manager_covers():
    candidates = [rep(5, band="medium"), rep(6, band=None), rep(7, band="high")]
    result = suggest([facts(1, 1_000)], candidates)
    assert (result[1].kind, result[1].rep_id, result[1].manager_id) == ("manager", None, 99)


def test_reps_of_another_region_or_team_or_on_notice_are_not_suggested():
    candidates = [
        rep(5, region="South"),
        rep(6, team_id=11),
        rep(7, status="notice", is_leaving=True),
        rep(DEPARTING),
    ]
    assert suggest([facts(1, 1_000)], candidates)[1].kind == "manager"


def test_account_capacity_counts_suggestions_already_made_in_the_plan():
    # Rep 5 holds 8 of at most 10: room for two of the three customers, never a third.
    candidates = [rep(5, accounts=8, max_accounts=10)]
    result = suggest([facts(1, 300), facts(2, 200), facts(3, 100)], candidates)
    assert [result[c].rep_id for c in (1, 2, 3)] == [5, 5, None]
    assert result[3].kind == "manager"
    assert candidates[0].accounts == 10


def test_revenue_capacity_is_never_exceeded_and_smaller_customers_still_fit():
    candidates = [rep(5, revenue=900_000, max_revenue=1_000_000)]
    result = suggest([facts(1, 200_000), facts(2, 60_000), facts(3, 50_000)], candidates)
    assert result[1].kind == "manager"  # 1.1 M would exceed the limit
    assert result[2].rep_id == 5  # 960 k
    assert result[3].kind == "manager"  # 1.01 M would exceed it
    assert candidates[0].revenue <= Decimal(1_000_000)


def test_load_is_spread_to_the_team_mate_with_most_room():
    candidates = [rep(5, accounts=5, max_accounts=10), rep(6, accounts=2, max_accounts=10)]
    result = suggest([facts(c, 1_000 - c) for c in range(1, 5)], candidates)
    assert [result[c].rep_id for c in range(1, 5)] == [6, 6, 6, 5]


def test_no_manager_and_no_rep_leaves_the_customer_without_suggestion():
    result = suggest([facts(1, 1_000)], [], manager_id=None)
    assert (result[1].kind, result[1].rep_id, result[1].manager_id) == ("none", None, None)


def test_a_leaving_rep_is_never_suggested_as_backup_or_team_mate():
    # A last day in three days, the status not yet changed, as ``SalesRep.is_departing`` has it.
    candidates = [rep(5, is_leaving=True), rep(6, is_leaving=True, accounts=0)]
    result = suggest([facts(1, 1_000, backups=[5])], candidates)
    assert (result[1].kind, result[1].rep_id, result[1].manager_id) == ("manager", None, 99)


def test_a_backup_outside_the_scope_is_not_suggested_and_a_team_mate_in_scope_is():
    scope = Scope.of(rep_ids={6}, manager_ids={99})
    result = suggest([facts(1, 1_000, backups=[5])], [rep(5, team_id=11), rep(6)], scope=scope)
    assert (result[1].kind, result[1].rep_id) == ("team_rep", 6)

"""The one recipient rule, on hand-built values: no database."""

from decimal import Decimal

from retention.ownership.policy import (
    EVERYONE,
    TEAM_REP,
    Candidate,
    Case,
    Kind,
    Manager,
    Relationship,
    Scope,
    choose_recipients,
    rank_batch,
    rank_recipients,
    reason_text,
    refusal,
)

HOLDER, TEAM, OTHER_TEAM = 1, 10, 20
BOSS = Manager(user_id=99, name="Boss")


def rep(rep_id, *, band="low", probability=0.1, team_id=TEAM, region="North", **kw):
    return Candidate(
        rep_id=rep_id,
        name=f"Rep {rep_id}",
        team_id=team_id,
        region=region,
        band=band,
        probability=probability,
        **kw,
    )


def case(*backups, revenue=1_000, customer_id=1, managers=()):
    relationships = tuple(Relationship(role="backup", rep_id=b) for b in backups)
    relationships += tuple(Relationship(role="manager cover", manager_id=m) for m in managers)
    return Case(
        customer_id=customer_id,
        holder_rep_id=HOLDER,
        team_id=TEAM,
        region="North",
        revenue=Decimal(revenue),
        relationships=relationships,
    )


def ranked(the_case, candidates, *, manager=BOSS, scope=EVERYONE):
    by_id = {c.rep_id: c for c in candidates}
    return rank_recipients(case=the_case, candidates=by_id, manager=manager, scope=scope)


def kinds(choices):
    return [(c.kind, c.rep_id or c.manager_id) for c in choices]


def test_backup_then_low_risk_team_mate_then_manager():
    result = ranked(case(5), [rep(5, band="medium", probability=0.3), rep(6)])
    assert kinds(result) == [("backup", 5), ("team_rep", 6), ("manager", 99)]
    assert "as backup" in result[0].reason and "30%" in result[0].reason
    assert "same team and region" in result[1].reason
    assert "manager" in result[2].reason


# Who is leaving is the model's rule (``SalesRep.is_departing``: a notice status, a last day
# recorded, or left), read into ``is_leaving`` by ``recipient_candidates`` and tested there.


def test_a_backup_serving_notice_or_gone_is_never_chosen():
    candidates = [
        rep(5, status="notice", is_leaving=True),
        rep(6, is_leaving=True),  # a last day recorded, status not yet changed
        rep(7, status="left", is_leaving=True),
    ]
    assert kinds(ranked(case(5, 6, 7), candidates)) == [("manager", 99)]
    refused = [refusal(c, holder_rep_id=HOLDER, scope=EVERYONE) for c in candidates]
    assert refused == ["is serving notice", "is serving notice", "has left"]


def test_a_team_mate_serving_notice_is_never_chosen():
    candidates = [rep(5, is_leaving=True), rep(6, status="notice", is_leaving=True)]
    assert kinds(ranked(case(), candidates)) == [("manager", 99)]


def test_high_risk_reps_are_never_chosen_as_backup_or_team_mate():
    candidates = [rep(5, band="high", probability=0.8), rep(6, band="high", probability=0.9)]
    assert kinds(ranked(case(5), candidates)) == [("manager", 99)]


def test_team_mates_must_be_known_low_risk_of_the_same_team_and_region():
    candidates = [
        rep(5, band="medium", probability=0.3),
        rep(6, band=None, probability=None),
        rep(7, region="South"),
        rep(8, team_id=OTHER_TEAM),
    ]
    assert kinds(ranked(case(), candidates)) == [("manager", 99)]


def test_a_backup_without_a_score_may_still_be_chosen_after_scored_backups():
    result = ranked(case(5, 6), [rep(5, band=None, probability=None), rep(6, probability=0.2)])
    assert kinds(result)[:2] == [("backup", 6), ("backup", 5)]


def test_nobody_outside_the_scope_is_chosen_not_even_the_only_backup():
    scope = Scope.of(rep_ids={6}, manager_ids={99})
    result = ranked(case(5, managers=[77]), [rep(5, team_id=OTHER_TEAM), rep(6)], scope=scope)
    assert kinds(result) == [("team_rep", 6), ("manager", 99)]
    assert refusal(rep(5), holder_rep_id=HOLDER, scope=scope) == "is outside your scope"


def test_a_manager_outside_the_scope_is_not_offered():
    scope = Scope.of(rep_ids=None, manager_ids={42})
    assert ranked(case(), [], scope=scope) == []


def test_the_holder_is_never_their_own_recipient():
    assert kinds(ranked(case(HOLDER), [rep(HOLDER)])) == [("manager", 99)]


def test_team_mates_least_loaded_first_then_lower_risk_then_id():
    candidates = [
        rep(5, accounts=3, probability=0.01),
        rep(6, accounts=1, probability=0.2),
        rep(7, accounts=1, probability=0.1),
        rep(8, accounts=1, probability=0.1),
    ]
    assert [c.rep_id for c in ranked(case(), candidates, manager=None)] == [7, 8, 6, 5]


def test_a_rep_without_room_is_passed_over():
    candidates = [
        rep(5, accounts=10, max_accounts=10),
        rep(6, revenue=Decimal(900), max_revenue=Decimal(1_500)),
    ]
    assert kinds(ranked(case(5), candidates)) == [("manager", 99)]


def test_a_covering_manager_counts_as_an_existing_backup():
    result = ranked(case(managers=[77]), [rep(6)])
    assert kinds(result) == [("backup", 77), ("team_rep", 6), ("manager", 99)]


def test_a_batch_spreads_customers_over_team_mates_and_respects_limits():
    candidates = {c.rep_id: c for c in (rep(5, max_accounts=2), rep(6, accounts=1, max_accounts=2))}
    cases = [case(customer_id=n) for n in range(1, 5)]
    chosen = choose_recipients(cases=cases, candidates=candidates, managers={TEAM: BOSS})
    assert [chosen[n].rep_id or chosen[n].manager_id for n in range(1, 5)] == [5, 5, 6, 99]
    assert (candidates[5].accounts, candidates[6].accounts) == (2, 2)


def test_a_batch_with_nobody_says_so():
    chosen = choose_recipients(cases=[case()], candidates={}, managers={})
    assert chosen[1].kind == Kind.NONE and "No one available" in chosen[1].reason


def test_a_ranked_batch_keeps_every_choice_and_lets_only_the_first_take_the_load():
    candidates = {c.rep_id: c for c in (rep(5, max_accounts=3), rep(6, accounts=1, max_accounts=3))}
    cases = [case(customer_id=n) for n in range(1, 4)]
    found = rank_batch(cases=cases, candidates=candidates, managers={TEAM: BOSS})
    assert [kinds(found[n]) for n in range(1, 4)] == [
        [("team_rep", 5), ("team_rep", 6), ("manager", 99)],
        [("team_rep", 5), ("team_rep", 6), ("manager", 99)],  # 5 and 6 tie at 1: lower id
        [("team_rep", 6), ("team_rep", 5), ("manager", 99)],
    ]
    assert (candidates[5].accounts, candidates[6].accounts) == (2, 2)
    assert found[1][0].brief == "low risk (10%) · → 1/3 accounts"
    assert found[3][0].brief == "low risk (10%) · → 2/3 accounts"
    assert found[1][-1].brief == "the team's manager, as temporary cover"


def test_a_reason_words_the_load_with_its_plural_and_the_organisations_currency(settings):
    settings.RELAY_CURRENCY = "CNY"
    params = {"band": "low", "probability": 0.06, "accounts": 1, "limit": 0, "revenue": "48667000"}
    one = {"code": TEAM_REP, "params": params}
    assert reason_text(one).endswith("; 1 account, revenue CN¥48,667,000 after this.")
    two = {**one, "params": {**one["params"], "accounts": 2}}
    assert reason_text(two).endswith("; 2 accounts, revenue CN¥48,667,000 after this.")


def test_a_ramped_team_mate_comes_before_a_new_hire_however_loaded():
    """A rep still ramping up holds nothing yet, so least-loaded-first alone would hand them
    every customer of a leaving colleague; a ramped low-risk team-mate with room comes first."""
    veteran = rep(2, probability=0.2, accounts=40)
    new_hire = rep(3, probability=0.01, accounts=0, ramping=True)
    choices = [c for c in ranked(case(), [new_hire, veteran]) if c.rep_id]
    assert [c.rep_id for c in choices] == [2, 3]
    # The row says why the lighter load comes second; the ends of a chance read as bounds.
    assert choices[0].brief == "low risk (20%) · → 41 accounts"
    assert choices[1].brief == "low risk (1%) · new hire · → 1 account"


def test_a_chance_under_half_a_percent_reads_as_under_1_percent():
    choices = [c for c in ranked(case(), [rep(2, probability=0.001)]) if c.rep_id]
    assert choices[0].brief.startswith("low risk (<1%)")

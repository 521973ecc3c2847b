"""Ranking the pool for a vacancy: pure arithmetic on plain facts."""

import datetime as dt

from handover.hiring.matching import CandidateFacts, VacancyFacts, rank_candidates, score_candidate

NEEDED_BY = dt.date(2026, 4, 1)
NORTH = VacancyFacts(region="North", needed_by=NEEDED_BY)


def facts(id: int, **extra) -> CandidateFacts:
    base = {
        "region": "North",
        "sales_experience_years": 0,
        "bench_ready": False,
        "earliest_start": None,
        "source": "other",
    }
    return CandidateFacts(id=id, **{**base, **extra})


def test_full_marks_for_a_local_experienced_bench_candidate_ready_in_time():
    match = score_candidate(
        facts(
            1,
            sales_experience_years=6,
            bench_ready=True,
            earliest_start=dt.date(2026, 3, 1),
            source="bench",
        ),
        NORTH,
    )
    assert match.score == 10.0
    assert any("Same region" in reason for reason in match.reasons)
    assert any("Bench ready" in reason for reason in match.reasons)


def test_each_part_of_the_score_adds_up_as_documented():
    # Other region 0, 2.5 years → 1.5, bench ready but late → 1.5, referral → 1.0.
    match = score_candidate(
        facts(
            2,
            region="South",
            sales_experience_years=2.5,
            bench_ready=True,
            earliest_start=dt.date(2026, 6, 1),
            source="referral",
        ),
        NORTH,
    )
    assert match.score == 4.0
    assert any("Other region (South)" in reason for reason in match.reasons)
    assert any("not before 2026-06-01" in reason for reason in match.reasons)


def test_region_match_ignores_case():
    assert score_candidate(facts(3, region="north"), NORTH).score == 3.0


def test_ranking_puts_best_fit_first_and_breaks_ties_by_earliest_start():
    ranked = rank_candidates(
        [
            facts(10, region="South"),
            facts(11, earliest_start=dt.date(2026, 5, 1)),
            facts(12, earliest_start=dt.date(2026, 3, 10)),
            facts(13, bench_ready=True, source="bench"),
        ],
        NORTH,
    )
    assert [m.candidate_id for m in ranked] == [13, 12, 11, 10]

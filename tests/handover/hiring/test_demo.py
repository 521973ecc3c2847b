"""HR's demo data, added when the demo organisation has been seeded."""

import datetime as dt

import pytest
from django.urls import reverse

from handover.models import Application, Candidate, OnboardingPlan, Vacancy
from retention.events import demo_seeded
from retention.models import SalesRep
from tests.conftest import make_customer, make_rep

END = dt.date(2026, 6, 30)


def test_demo_seeded_adds_vacancies_a_bench_and_hires_at_different_ramp_stages(
    team_north_a, team_south_a, manager_a, hr_user
):
    early_leaver = make_rep(team_north_a, "Early", "Leaver", hire_date=dt.date(2020, 1, 6))
    late_leaver = make_rep(team_south_a, "Late", "Leaver", hire_date=dt.date(2020, 1, 6))
    open_leaver = make_rep(team_north_a, "Open", "Leaver", hire_date=dt.date(2020, 1, 6))
    for rep, last_day in [
        (early_leaver, dt.date(2025, 6, 30)),
        (late_leaver, dt.date(2026, 4, 30)),
        (open_leaver, dt.date(2026, 6, 15)),
    ]:
        rep.departure_date, rep.status = last_day, SalesRep.Status.LEFT
        rep.save()
        make_customer(f"{rep.first_name} Co", owner=rep)
    make_rep(team_north_a, "Long", "Ramped", hire_date=dt.date(2025, 7, 21))
    make_rep(team_south_a, "Just", "Started", hire_date=dt.date(2026, 5, 18))

    demo_seeded.send(sender=SalesRep, seed=7, end_date=END)

    filled = Vacancy.objects.filter(status=Vacancy.Status.FILLED).order_by("filled_on")
    assert [v.successor.last_name for v in filled] == ["Ramped", "Started"]
    assert Vacancy.objects.get(leaving_rep=open_leaver).status == Vacancy.Status.OPEN
    assert Vacancy.objects.filter(reason=Vacancy.Reason.GROWTH).count() == 2  # one per region
    plans = {p.rep.last_name: p for p in OnboardingPlan.objects.select_related("rep")}
    assert set(plans) == {"Ramped", "Started"}
    done_share = {
        name: plan.tasks.filter(done_at__isnull=False).count() / plan.tasks.count()
        for name, plan in plans.items()
    }
    assert done_share["Ramped"] > done_share["Started"]  # different stages of onboarding
    hired = Application.objects.filter(stage=Application.Stage.HIRED)
    assert all(a.stage_changes.count() == 5 for a in hired)
    bench = Candidate.objects.filter(bench_ready=True, status=Candidate.Status.AVAILABLE)
    assert set(bench.values_list("region", flat=True)) == {"North", "South"}
    assert (
        Candidate.objects.filter(source=Candidate.Source.PAST_DECLINER)
        .exclude(last_decline_reason="")
        .exists()
    )
    assert Application.objects.filter(vacancy__leaving_rep=open_leaver).exists()


def test_demo_is_deterministic_for_a_seed(team_north_a, team_south_a):
    from handover.hiring.demo import hiring_demo_seed

    hiring_demo_seed(seed=3, end_date=END)
    first = sorted(Candidate.objects.values_list("first_name", "last_name", "source", "region"))
    Application.objects.all().delete()
    Vacancy.objects.all().delete()
    hiring_demo_seed(seed=3, end_date=END)
    second = sorted(Candidate.objects.values_list("first_name", "last_name", "source", "region"))
    assert first == second


def test_a_rep_serving_notice_has_an_open_vacancy_hr_sees(
    client, team_north_a, team_south_a, manager_a, hr_user
):
    serving = make_rep(team_north_a, "Still", "Serving", hire_date=dt.date(2021, 3, 1))
    serving.departure_date, serving.status = END + dt.timedelta(days=12), SalesRep.Status.NOTICE
    serving.departure_reason = SalesRep.DepartureReason.VOLUNTARY
    serving.save()
    make_customer("Serving Co", owner=serving)
    # Hired into the team after the notice: someone else's seat, not the successor.
    make_rep(team_north_a, "Other", "Seat", hire_date=END - dt.timedelta(days=5))

    demo_seeded.send(sender=SalesRep, seed=7, end_date=END)

    vacancy = Vacancy.objects.get(leaving_rep=serving)
    assert vacancy.status == Vacancy.Status.OPEN and vacancy.successor is None
    assert vacancy.reason == Vacancy.Reason.DEPARTURE and vacancy.team == team_north_a
    assert vacancy.opened_on == serving.departure_date - dt.timedelta(days=30) <= END
    assert vacancy.target_fill_date == serving.departure_date + dt.timedelta(days=60)
    assert vacancy.hiring_manager == manager_a
    assert vacancy.applications.exists()  # HR is already looking
    client.force_login(hr_user)
    html = client.get(reverse("handover:vacancy_list"), {"status": "open"}).content.decode()
    assert f'data-vacancy-id="{vacancy.pk}"' in html and "Still Serving" in html


@pytest.mark.parametrize("locale", ["en", "zh-hans"])
def test_no_demo_candidate_is_named_like_a_rep_or_another_candidate(
    team_north_a, team_south_a, hr_user, locale
):
    from handover.hiring.demo import FIRST, LAST, ZH_FIRST, ZH_LAST

    # Reps already hold almost every name the pool draws from: each draw must find a free one.
    free = {("Ana", "Adler"), ("Zoe", "Zimmer")}
    SalesRep.objects.bulk_create(
        SalesRep(
            team=team_north_a,
            first_name=ZH_FIRST[first] if locale == "zh-hans" else first,
            last_name=ZH_LAST[last] if locale == "zh-hans" else last,
            hire_date=dt.date(2020, 1, 6),
        )
        for first in FIRST
        for last in LAST
        if (first, last) not in free
    )
    leaver = make_rep(team_south_a, "Open", "Leaver", hire_date=dt.date(2020, 1, 6))
    leaver.departure_date, leaver.status = dt.date(2026, 6, 15), SalesRep.Status.LEFT
    leaver.save()

    demo_seeded.send(sender=SalesRep, seed=7, end_date=END, locale=locale)

    candidates = list(Candidate.objects.values_list("first_name", "last_name"))
    assert len(candidates) > 10
    assert len(set(candidates)) == len(candidates)
    reps = set(SalesRep.objects.values_list("first_name", "last_name"))
    assert not reps & set(candidates)

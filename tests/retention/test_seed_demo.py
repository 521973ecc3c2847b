"""seed_demo: a deterministic, consistent demo organisation whose leavers show their signals."""

import datetime as dt
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.db.models import F, Q

from accounts.models import Team, User
from accounts.services import user_create
from retention.demo import DemoSeedError, DemoSize, demo_seed
from retention.demo import seed as seed_module
from retention.demo.generate import build_org, chunk_count, history_chunk
from retention.events import demo_seeded
from retention.models import (
    Activity,
    Assignment,
    Customer,
    Deal,
    LeaveRecord,
    RiskRollup,
    SalesRep,
    ServiceRecord,
)
from retention.selectors import reps_visible

END = dt.date(2026, 6, 30)
SMALL = DemoSize(reps=24, teams=6, regions=3, customers=100, months=9)
SEED = 2  # a small org whose history has voluntary and other leavers and a rep on notice


def snapshot() -> dict[str, list[tuple]]:
    """Every seeded row by natural keys (ids and timestamps left out), sorted."""
    rep = "rep__crm_user_id"
    customer = "customer__external_id"
    tables = {
        "reps": SalesRep.objects.values_list(
            "crm_user_id",
            "hr_employee_id",
            "first_name",
            "last_name",
            "email",
            "team__name",
            "title",
            "region",
            "hire_date",
            "annual_quota",
            "status",
            "departure_date",
            "departure_reason",
        ),
        "customers": Customer.objects.values_list(
            "external_id", "name", "industry", "region", "annual_revenue", "is_key_account"
        ),
        "assignments": Assignment.objects.values_list(
            customer, rep, "role", "valid_from", "valid_to", "source"
        ),
        "activities": Activity.objects.values_list(
            rep, customer, "kind", "occurred_at", "duration_minutes", "subject"
        ),
        "deals": Deal.objects.values_list(
            customer,
            "owner__crm_user_id",
            "name",
            "stage",
            "amount",
            "created_on",
            "close_date",
            "status",
        ),
        "leave": LeaveRecord.objects.values_list(rep, "first_day", "last_day", "kind"),
        "service": ServiceRecord.objects.values_list(
            rep, customer, "date", "score", "is_complaint", "source"
        ),
        "teams": Team.objects.values_list("name", "parent__name", "region"),
        "logins": User.objects.values_list("username", "role", "managed_teams__name"),
    }
    return {
        name: sorted(rows, key=lambda row: tuple(str(v) for v in row))
        for name, rows in tables.items()
    }


@pytest.fixture
def seeded(db):
    return demo_seed(seed=SEED, size=SMALL, end_date=END)


def test_same_seed_and_end_date_give_identical_rows(seeded):
    first = snapshot()
    demo_seed(seed=SEED, size=SMALL, end_date=END, flush=True)
    assert snapshot() == first
    assert len(first["activities"]) > 5_000


def test_a_different_seed_gives_a_different_organisation(seeded):
    first = snapshot()
    demo_seed(seed=SEED + 1, size=SMALL, end_date=END, flush=True)
    second = snapshot()
    assert second["reps"] != first["reps"]
    assert second["activities"] != first["activities"]
    assert len(second["teams"]) == len(first["teams"])  # same shape, different people


@pytest.mark.parametrize("locale", ["en", "zh-hans"])
def test_nobody_in_the_org_shares_a_full_name(locale):
    # Seed 0 at the default size drew two Ruben Bianchis (and four more pairs) before.
    for seed in (0, 1, 2):
        org = build_org(seed=seed, size=DemoSize(), end=END, locale=locale)
        people = list(zip(org.people["first_name"], org.people["last_name"], strict=True))
        everyone = [*people, *org.manager_names, *org.login_names.values()]
        assert len(set(everyone)) == len(everyone), (seed, locale)
        assert org.people["email"].is_unique
    again = build_org(seed=0, size=DemoSize(), end=END, locale=locale)
    first = build_org(seed=0, size=DemoSize(), end=END, locale=locale)
    assert again.people[["first_name", "last_name"]].equals(
        first.people[["first_name", "last_name"]]
    )


@pytest.mark.parametrize("locale", ["en", "zh-hans"])
def test_no_two_customers_share_a_name(locale):
    # Seed 0 gave 123 English names to more than one customer (Acme Logistics Inc…), 5 Chinese.
    for seed in (0, 1):
        names = build_org(seed=seed, size=DemoSize(), end=END, locale=locale).customers["name"]
        assert names.is_unique, (seed, locale)


def test_a_repeated_name_takes_the_next_free_surname_and_nothing_else_moves():
    from retention.demo.generate import unique_names

    drawn = [("Ruben", "Bianchi"), ("Ruben", "Bianchi"), ("Ruben", "Bianchi"), ("Ana", "Costa")]
    named = unique_names(drawn, surnames=["Bianchi", "Brandt", "Costa"], taken={("Ana", "Costa")})
    assert named == [
        ("Ruben", "Bianchi"),
        ("Ruben", "Brandt"),
        ("Ruben", "Costa"),
        ("Ana", "Bianchi"),  # round the list
    ]
    crowded = unique_names([("Ana", "Costa")] * 4, surnames=["Costa", "Dahl"])
    assert crowded == [
        ("Ana", "Costa"),
        ("Ana", "Dahl"),
        ("Ana", "Costa-Dahl"),
        ("Ana", "Dahl-Costa"),
    ]


def test_org_has_regions_teams_and_about_the_asked_number_of_reps(seeded):
    regions = Team.objects.filter(parent__isnull=True)
    assert sorted(regions.values_list("name", flat=True)) == ["East", "North", "South"]
    assert Team.objects.filter(parent__isnull=False).count() == SMALL.teams
    occupied = SalesRep.objects.exclude(status=SalesRep.Status.LEFT).count()
    assert SMALL.reps - 5 <= occupied <= SMALL.reps
    assert Customer.objects.count() == SMALL.customers
    assert seeded.counts["sales reps"] == SalesRep.objects.count()
    assert seeded.counts["activities"] == Activity.objects.count()


def test_departures_are_recorded_consistently(seeded):
    left = SalesRep.objects.filter(status=SalesRep.Status.LEFT)
    assert left.filter(departure_reason=SalesRep.DepartureReason.VOLUNTARY).exists()
    assert not left.filter(Q(departure_date__gt=END) | Q(departure_reason="")).exists()
    notice = SalesRep.objects.filter(status=SalesRep.Status.NOTICE)
    assert notice.exists()
    assert not notice.filter(Q(departure_date__lte=END) | Q(departure_reason="")).exists()
    assert not SalesRep.objects.filter(
        status=SalesRep.Status.ACTIVE, departure_date__isnull=False
    ).exists()
    successors = SalesRep.objects.filter(hire_date__gt=END - dt.timedelta(days=365))
    assert successors.exists()


def test_nobody_works_outside_their_employment(seeded):
    for model, day in (
        (Activity, "occurred_at__date"),
        (ServiceRecord, "date"),
        (LeaveRecord, "last_day"),
    ):
        after = model.objects.filter(
            rep__departure_date__isnull=False, **{f"{day}__gt": F("rep__departure_date")}
        )
        before = model.objects.filter(**{f"{day}__lt": F("rep__hire_date")})
        assert not after.exists(), model
        assert not before.exists(), model
    assert not Activity.objects.filter(occurred_at__date__gt=END).exists()
    assert not Deal.objects.filter(created_on__gt=F("owner__departure_date")).exists()
    # A deal created before its owner was hired was handed over while it was still open.
    assert not Deal.objects.filter(
        created_on__lt=F("owner__hire_date"), close_date__lt=F("owner__hire_date")
    ).exists()


def test_every_customer_has_one_current_owner_and_leavers_hold_none(seeded):
    owners = Assignment.objects.filter(role=Assignment.Role.OWNER, valid_to__isnull=True)
    assert owners.count() == Customer.objects.count()
    assert not owners.filter(rep__status=SalesRep.Status.LEFT).exists()
    handed_over = Assignment.objects.filter(role=Assignment.Role.OWNER, valid_to__isnull=False)
    assert handed_over.exists()
    key_accounts = Customer.objects.filter(is_key_account=True)
    backed = key_accounts.filter(
        assignments__role=Assignment.Role.BACKUP, assignments__valid_to__isnull=True
    ).distinct()
    assert 0 < backed.count() < key_accounts.count()


def test_service_scores_are_on_a_one_to_five_scale_with_some_complaints(seeded):
    scores = ServiceRecord.objects.values_list("score", flat=True)
    assert min(scores) >= 1 and max(scores) <= 5
    assert set(ServiceRecord.objects.values_list("scale_max", flat=True)) == {5}
    assert ServiceRecord.objects.filter(is_complaint=True, score__lte=2).exists()


def test_demo_logins_have_their_roles_and_scopes(seeded):
    admin = User.objects.get(username="admin")
    hr = User.objects.get(username="hr")
    north = User.objects.get(username="manager.north")
    east1 = User.objects.get(username="manager.east1")
    assert (admin.role, hr.role) == (User.Role.ADMIN, User.Role.HR)
    for user in (admin, hr, north, east1):
        assert user.check_password("relay-demo")
    north_reps = SalesRep.objects.filter(team__parent__name="North")
    assert set(reps_visible(user=north)) == set(north_reps)
    assert not reps_visible(user=north).exclude(team__parent__name="North").exists()
    assert set(reps_visible(user=east1)) == set(SalesRep.objects.filter(team__name="East 1"))
    # Every team has a manager; the ones that are not demo logins cannot log in.
    assert not Team.objects.filter(parent__isnull=False, managers__isnull=True).exists()
    team_manager = User.objects.get(username="manager.south1")
    assert not team_manager.has_usable_password()


def test_if_empty_does_nothing_the_second_time(seeded):
    before = snapshot()
    assert demo_seed(seed=99, size=SMALL, end_date=END, if_empty=True) is None
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--reps", "20", stdout=out)
    assert "nothing seeded" in out.getvalue()
    assert snapshot() == before


def test_seeding_over_an_existing_organisation_needs_flush(seeded):
    with pytest.raises(DemoSeedError, match="--flush"):
        demo_seed(seed=1, size=SMALL, end_date=END)


def test_a_failure_half_way_leaves_nothing_written(db, monkeypatch):
    def broken_history(org, chunk):
        raise RuntimeError("disk full")

    monkeypatch.setattr(seed_module, "history_chunk", broken_history)
    with pytest.raises(RuntimeError, match="disk full"):
        demo_seed(seed=SEED, size=SMALL, end_date=END)
    assert not SalesRep.objects.exists()
    assert not Customer.objects.exists()
    assert not Team.objects.exists()


def test_flush_replaces_the_organisation_but_keeps_superusers(seeded):
    User.objects.create_superuser("root", "root@example.com", "pw-root-1")
    user_create(username="someone", password="pw-someone-1", role=User.Role.HR)
    demo_seed(seed=SEED, size=SMALL, end_date=END, flush=True)
    assert User.objects.filter(username="root").exists()
    assert not User.objects.filter(username="someone").exists()
    assert SalesRep.objects.count() == seeded.counts["sales reps"]


def test_flush_removes_teams_that_published_runs_counted(seeded):
    """A run's rollup names its teams (and protects them): flushing removes it first."""
    from tests.retention.dashboard.conftest import make_run, make_score, publish

    run = make_run(END)
    for rep in SalesRep.objects.order_by("pk")[:5]:
        make_score(run, rep, 0.6)
    publish(run)
    assert RiskRollup.objects.filter(run=run).exists()
    seed_module.demo_flush()
    assert not Team.objects.exists()
    assert not RiskRollup.objects.exists()


def test_demo_seeded_is_sent_after_commit(db, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    demo_seeded.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            demo_seed(seed=3, size=SMALL, end_date=END)
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        demo_seeded.disconnect(receiver)
    assert len(received) == 1
    assert received[0]["seed"] == 3
    assert received[0]["end_date"] == END


def test_command_prints_counts_and_demo_logins_prints_the_table(db):
    out = StringIO()
    call_command(
        "seed_demo",
        "--seed",
        "2",
        "--reps",
        "20",
        "--teams",
        "3",
        "--customers",
        "60",
        "--months",
        "3",
        "--end-date",
        "2026-06-30",
        stdout=out,
    )
    text = out.getvalue()
    assert "activities" in text and "seeded in" in text
    out = StringIO()
    call_command("demo_logins", "--url", "http://127.0.0.1:8000/", stdout=out)
    table = out.getvalue()
    assert "http://127.0.0.1:8000/" in table
    for username in ("admin", "hr", "manager.north", "manager.east1"):
        assert username in table
    assert "relay-demo" in table
    assert "manager.south1" not in table


def test_bad_sizes_and_dates_are_refused_with_the_flag_named(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--teams"):
        call_command("seed_demo", "--teams", "2", "--regions", "3")
    with pytest.raises(CommandError, match="--end-date"):
        call_command("seed_demo", "--end-date", "30/06/2026")


@pytest.mark.usefixtures("needs_postgres")
def test_copy_path_keeps_nulls_and_empty_strings_apart(seeded):
    assert Activity.objects.filter(customer__isnull=True).exists()
    assert not Activity.objects.filter(subject="").exists()
    assert (
        Activity.objects.filter(external_id="", source="demo").count() == Activity.objects.count()
    )
    assert Assignment.objects.filter(valid_to__isnull=True).exists()


def _history_schema() -> set[tuple[str, str]]:
    from django.db import connection

    tables = [m._meta.db_table for m in (Assignment, LeaveRecord, Activity, ServiceRecord, Deal)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [tables, tables],
        )
        return set(cursor.fetchall())


@pytest.mark.usefixtures("needs_postgres")
def test_bulk_load_puts_every_index_and_foreign_key_back(db):
    before = _history_schema()
    assert any("FOREIGN KEY" in definition for _, definition in before)
    demo_seed(seed=SEED, size=SMALL, end_date=END)
    assert _history_schema() == before


# --- the signals, checked on the generated frames (no database) --------------------------------


@pytest.fixture(scope="module")
def history():
    org = build_org(seed=11, size=DemoSize(reps=300, teams=30), end=END)
    chunks = [history_chunk(org, c) for c in range(chunk_count(org))]
    return org, chunks


def _per_person_window(org, chunks, table, day_column, window) -> dict[int, list]:
    rows: dict[int, list] = {}
    for chunk in chunks:
        frame = getattr(chunk, table)
        for person, day, value in window(frame, day_column):
            rows.setdefault(int(person), []).append((int(day), value))
    return rows


def test_voluntary_leavers_show_the_signals_before_they_go(history):
    org, chunks = history
    people = org.people
    strong = people[
        (people["status"] == "left")
        & (people["reason"] == "voluntary")
        & (people["signal_strength"] >= 0.6)
        & (people["departure_day"] > 240)
    ]
    assert len(strong) >= 15
    surveys: dict[int, list] = {}
    singles: dict[int, list] = {}
    activity_days: dict[int, np.ndarray] = {}
    for chunk in chunks:
        s = chunk.service[~chunk.service["is_complaint"]]
        for person, day, score in zip(s["person"], s["day"], s["score"], strict=True):
            surveys.setdefault(int(person), []).append((int(day), score))
        one_day = chunk.leave[chunk.leave["first"] == chunk.leave["last"]]
        for person, day in zip(one_day["person"], one_day["first"], strict=True):
            singles.setdefault(int(person), []).append(int(day))
        a = chunk.activities
        day = a["local_time"].to_numpy().astype("datetime64[D]") - np.datetime64(org.start)
        for person in np.unique(a["person"]):
            activity_days[int(person)] = day[a["person"].to_numpy() == person].astype(int)

    late_minus_early_csat, late_singles, early_singles, activity_ratio = [], 0, 0, []
    for person, row in strong.iterrows():
        last = row["departure_day"]
        late = [s for d, s in surveys.get(person, []) if last - 45 <= d <= last]
        early = [s for d, s in surveys.get(person, []) if last - 240 <= d < last - 150]
        if late and early:
            late_minus_early_csat.append(np.mean(late) - np.mean(early))
        days = singles.get(person, [])
        late_singles += sum(last - 90 <= d <= last for d in days)
        early_singles += sum(last - 240 <= d < last - 150 for d in days)
        acts = activity_days.get(person, np.array([]))
        activity_ratio.append(
            ((acts >= last - 45) & (acts <= last)).sum()
            / max(((acts >= last - 240) & (acts < last - 150)).sum() / 2, 1)
        )
    assert np.mean(late_minus_early_csat) < -0.7
    assert late_singles > 3 * max(early_singles, 1)
    assert np.median(activity_ratio) < 0.9


def test_stayers_visit_time_grows_over_their_first_two_years(history):
    org, chunks = history
    minutes = []
    for chunk in chunks:
        a = chunk.activities[chunk.activities["kind"] == "visit"]
        day = a["local_time"].to_numpy().astype("datetime64[D]") - np.datetime64(org.start)
        tenure = day.astype(int) - org.people["hire_day"].to_numpy()[a["person"].to_numpy()]
        calm = org.people["signal_kind"].to_numpy()[a["person"].to_numpy()] == 0
        minutes.append((tenure[calm], a["duration_minutes"].to_numpy()[calm]))
    tenure = np.concatenate([t for t, _ in minutes])
    duration = np.concatenate([m for _, m in minutes])
    new = duration[tenure < 180].mean()
    seasoned = duration[tenure > 730].mean()
    assert seasoned > 1.4 * new


def test_each_demo_manager_has_a_rep_on_notice_and_reps_about_to_resign(seeded):
    for username in ("manager.north", "manager.east1"):
        reps = reps_visible(user=User.objects.get(username=username))
        assert reps.filter(status=SalesRep.Status.NOTICE).exists(), username
    org = build_org(seed=SEED, size=SMALL, end=END)
    last = org.days - 1
    placed = org.people[org.people["demo_placed"]]
    resigning_soon = placed[(placed["true_leave_day"] > last) & ~placed["recorded"]]
    # Not yet announced, already strained, in each of the two scopes.
    assert len(resigning_soon) >= 2
    assert (resigning_soon["signal_kind"] == 1).all()
    assert (resigning_soon["signal_strength"] >= 0.85).all()


def test_demo_managers_see_reps_at_risk_leaving_and_alerts_after_scoring(db):
    from retention.models import RiskAlert, RiskScore
    from retention.risk.services import risk_history_backfill

    demo_seed(seed=0, size=DemoSize(), end_date=END)
    risk_history_backfill(end=END, weeks=2)
    for username in ("manager.north", "manager.east1"):
        reps = reps_visible(user=User.objects.get(username=username))
        scores = RiskScore.objects.filter(run__as_of=END, rep__in=reps)
        assert scores.filter(status=RiskScore.Status.LEAVING).exists(), username
        assert scores.filter(
            status=RiskScore.Status.SCORED, band__in=[RiskScore.Band.HIGH, RiskScore.Band.MEDIUM]
        ).exists(), username
    north = reps_visible(user=User.objects.get(username="manager.north"))
    assert RiskAlert.objects.open().filter(rep__in=north).exists()


def test_demo_interventions_go_to_the_riskiest_reps_and_change_nobodys_last_day(db):
    from retention.demo.interventions import RISKIEST_SHARE, demo_interventions_record
    from retention.models import Intervention, RiskScore
    from retention.risk.services import risk_history_backfill

    demo_seed(seed=0, size=DemoSize(), end_date=END)
    risk_history_backfill(end=END, weeks=2, months=6)
    last_days = dict(SalesRep.objects.values_list("id", "departure_date"))
    count = demo_interventions_record(seed=0, end=END)

    interventions = list(Intervention.objects.select_related("rep"))
    assert count == len(interventions) > 20
    # Who leaves is the generator's decision, made before any intervention existed.
    assert dict(SalesRep.objects.values_list("id", "departure_date")) == last_days
    for item in interventions:
        day = item.created_at.date()
        # Recorded within a week of a run that had the rep among the riskiest.
        among_riskiest = []
        for score in RiskScore.objects.filter(
            rep=item.rep, as_of__lte=day, as_of__gte=day - dt.timedelta(days=7)
        ):
            scored = RiskScore.objects.filter(run=score.run, status=RiskScore.Status.SCORED)
            higher = scored.filter(probability__gt=score.probability).count()
            among_riskiest.append(higher < round(RISKIEST_SHARE * scored.count()))
        assert any(among_riskiest), item
        assert item.rep.departure_date is None or item.rep.departure_date > day
        assert item.created_by is not None and item.note.startswith("Suggested by Relay")
        if item.outcome:
            left = (
                item.rep.departure_date is not None and item.rep.departure_date <= item.follow_up_on
            )
            assert item.outcome == ("left" if left else "stayed")
    # The same seed records the same interventions.
    first = sorted((i.rep_id, i.kind, i.created_at) for i in interventions)
    Intervention.objects.all().delete()
    demo_interventions_record(seed=0, end=END)
    assert sorted(Intervention.objects.values_list("rep_id", "kind", "created_at")) == first

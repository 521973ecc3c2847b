import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.services import user_create
from retention.dashboard import exports, selectors
from retention.models import Assignment, RiskScore, SalesRep
from tests.conftest import make_customer, make_rep
from tests.retention.dashboard.conftest import RUN_DATES, make_score


def _routing(user):
    from retention.selectors import scoring_run_latest_complete

    return {
        row.customer_name: row
        for row in selectors.routing_rows(user=user, run=scoring_run_latest_complete())
    }


def _backup(customer, rep, role=Assignment.Role.BACKUP):
    return Assignment.objects.create(
        customer=customer, rep=rep, role=role, valid_from=dt.date(2024, 1, 1)
    )


def test_only_key_customers_of_high_risk_owners_are_routed(scored, admin_user, rep_a, rep_b):
    make_customer("Key of high", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    make_customer("Not key", owner=rep_a, annual_revenue=900_000)
    make_customer("Key of medium", owner=rep_b, annual_revenue=900_000, is_key_account=True)
    assert list(_routing(admin_user)) == ["Key of high"]


def test_low_risk_backup_relationship_comes_first(scored, admin_user, rep_a, rep_a2, team_north_a):
    customer = make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    _backup(customer, rep_a2)
    teammate = make_rep(team_north_a, "Tom", "Mate")
    make_score(scored["latest"], teammate, 0.01)
    row = _routing(admin_user)["Acme"]
    assert (row.alternate_kind, row.alternate_rep_id) == ("backup", rep_a2.pk)
    assert "backup" in row.reason and "8%" in row.reason


def test_high_risk_backup_is_passed_over_for_a_low_risk_team_rep(
    scored, admin_user, rep_a, team_north_a, team_north_b
):
    customer = make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    risky = make_rep(team_north_b, "Rita", "Risky")
    make_score(scored["latest"], risky, 0.81)
    _backup(customer, risky)
    calm = make_rep(team_north_a, "Carl", "Calm")
    make_score(scored["latest"], calm, 0.05)
    row = _routing(admin_user)["Acme"]
    assert (row.alternate_kind, row.alternate_rep_id) == ("team_rep", calm.pk)
    assert "same team" in row.reason


def test_team_reps_share_the_routed_customers(scored, admin_user, rep_a, team_north_a):
    for name in ("One", "Two", "Three", "Four"):
        make_customer(name, owner=rep_a, annual_revenue=100_000, is_key_account=True)
    first, second = make_rep(team_north_a, "Fay", "First"), make_rep(team_north_a, "Sid", "Second")
    make_score(scored["latest"], first, 0.02)
    make_score(scored["latest"], second, 0.04)
    chosen = [row.alternate_rep_id for row in _routing(admin_user).values()]
    assert sorted(chosen) == sorted([first.pk, first.pk, second.pk, second.pk])


def test_without_low_risk_colleagues_the_manager_takes_it(scored, admin_user, manager_a, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    row = _routing(admin_user)["Acme"]
    # rep_a's team (North A) has no manager of its own: the region's manager is found.
    assert (row.alternate_kind, row.alternate_user_id) == ("manager", manager_a.pk)
    assert "manager" in row.reason


def test_nobody_available_is_said_plainly(scored, admin_user, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    row = _routing(admin_user)["Acme"]
    assert row.alternate_kind == "none"
    assert row.alternate_name == ""
    assert "No one available" in row.reason


def test_covering_manager_counts_as_existing_relationship(scored, admin_user, rep_a):
    customer = make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    boss = user_create(username="boss", password="x", role="sales_manager")
    Assignment.objects.create(
        customer=customer,
        manager=boss,
        role=Assignment.Role.MANAGER_COVER,
        valid_from=dt.date(2024, 1, 1),
    )
    row = _routing(admin_user)["Acme"]
    assert (row.alternate_kind, row.alternate_user_id) == ("backup", boss.pk)


def test_left_backup_is_not_suggested(scored, admin_user, rep_a, rep_a2, manager_a):
    customer = make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    _backup(customer, rep_a2)
    SalesRep.objects.filter(pk=rep_a2.pk).update(
        status=SalesRep.Status.LEFT, departure_date=dt.date(2026, 11, 1)
    )
    assert _routing(admin_user)["Acme"].alternate_kind == "manager"


def test_manager_routing_is_scoped(scored, manager_b, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    assert _routing(manager_b) == {}


def test_routing_rows_take_a_fixed_number_of_queries(
    scored, admin_user, rep_a, django_assert_max_num_queries
):
    from retention.selectors import scoring_run_latest_complete

    for index in range(25):
        customer = make_customer(f"C{index}", owner=rep_a, annual_revenue=1, is_key_account=True)
        _backup(customer, make_rep(rep_a.team, f"B{index}", "Backup"))
    run = scoring_run_latest_complete()
    admin_user.refresh_from_db()
    # Scores, customers, relationships, candidates and their loads, the org tree (two), the
    # chosen reps' contact details, and the audit insert: the same however many rows.
    with django_assert_max_num_queries(9):
        rows = selectors.routing_rows(user=admin_user, run=run)
    assert len(rows) == 25


def test_csv_export_escapes_formulas_and_parses(scored, admin_user, rep_a):
    make_customer("=HYPERLINK(evil)", owner=rep_a, annual_revenue=5, is_key_account=True)
    rows = list(_routing(admin_user).values())
    text = exports.routing_csv(rows).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["customer_name"] == "'=HYPERLINK(evil)"
    assert parsed[0]["owner_rep_id"] == str(rep_a.pk)
    assert list(parsed[0]) == exports.HEADER


def test_xlsx_export_parses_with_numbers_as_numbers(scored, admin_user, rep_a):
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    rows = list(_routing(admin_user).values())
    sheet = load_workbook(io.BytesIO(exports.routing_xlsx(rows))).active
    values = list(sheet.values)
    assert list(values[0]) == exports.HEADER
    record = dict(zip(values[0], values[1], strict=True))
    assert record["customer_name"] == "Acme"
    assert record["annual_revenue"] == 900_000
    assert record["owner_risk_probability"] == 0.72


def test_exports_name_the_currency_of_each_amount(scored, admin_user, rep_a, settings):
    settings.RELAY_CURRENCY = "EUR"
    make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    make_customer("Dollar Inc", owner=rep_a, annual_revenue=10, is_key_account=True, currency="USD")
    rows = list(_routing(admin_user).values())
    parsed = list(csv.DictReader(io.StringIO(exports.routing_csv(rows).decode("utf-8-sig"))))
    currencies = {row["customer_name"]: row["annual_revenue_currency"] for row in parsed}
    assert currencies == {"Acme": "EUR", "Dollar Inc": "USD"}
    sheet = load_workbook(io.BytesIO(exports.routing_xlsx(rows))).active
    revenue = exports.HEADER.index("annual_revenue") + 1
    formats = {sheet.cell(r, 4).value: sheet.cell(r, revenue) for r in (2, 3)}
    assert formats["Acme"].value == 900_000  # still a number a spreadsheet can sum
    assert formats["Acme"].number_format.startswith('"€"#,##0')
    assert formats["Dollar Inc"].number_format.startswith('"$"#,##0')


# --- regressions: people beside a routed customer pass the viewer's scope (issue 10) ---------


def _make_high_risk(scored, rep):
    RiskScore.objects.filter(run=scored["latest"], rep=rep).update(probability=0.83, band="high")


def _leaks(rows, rep):
    """Anything of ``rep`` in the rows: name, e-mail, CRM id, id or risk."""
    score = RiskScore.objects.get(run__status="succeeded", rep=rep, as_of=RUN_DATES[-1])
    risk = f"{score.probability:.0%}"
    found = []
    for row in rows:
        if rep.pk in (row.alternate_rep_id, row.owner_id):
            found.append("id")
        for value in vars(row).values():
            text = str(value)
            for secret in (rep.first_name, rep.last_name, rep.email, rep.crm_user_id):
                if secret and secret in text:
                    found.append(secret)
        if f"({risk})" in row.reason:
            found.append(risk)
    return found


@pytest.fixture
def cross_team_backup(scored, rep_a2, rep_b):
    """rep_b (South A, manager B) is high risk; the only backup of their key customer is
    rep_a2, a low-risk rep of North B whom manager B may not see."""
    rep_a2.crm_user_id = "005NORTHB"
    rep_a2.save()
    _make_high_risk(scored, rep_b)
    customer = make_customer("Sur Key", owner=rep_b, annual_revenue=800_000, is_key_account=True)
    _backup(customer, rep_a2)
    return customer


def test_routing_never_shows_a_backup_from_another_team_and_falls_to_the_manager(
    cross_team_backup, manager_b, rep_a2
):
    rows = list(_routing(manager_b).values())
    assert [row.customer_name for row in rows] == ["Sur Key"]
    assert _leaks(rows, rep_a2) == []
    assert (rows[0].alternate_kind, rows[0].alternate_user_id) == ("manager", manager_b.pk)


def test_routing_for_a_manager_picks_an_in_scope_team_mate_over_a_foreign_backup(
    scored, cross_team_backup, manager_b, rep_a2, team_south_a
):
    mate = make_rep(team_south_a, "Sol", "Mate")
    make_score(scored["latest"], mate, 0.03)
    row = _routing(manager_b)["Sur Key"]
    assert (row.alternate_kind, row.alternate_rep_id) == ("team_rep", mate.pk)
    assert _leaks([row], rep_a2) == []


def test_routing_exports_and_api_never_show_a_backup_from_another_team(
    cross_team_backup, manager_b, rep_a2, client
):
    rows = list(_routing(manager_b).values())
    csv_text = exports.routing_csv(rows).decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(exports.routing_xlsx(rows))).active
    xlsx_text = " ".join(str(cell) for line in sheet.values for cell in line)
    client.force_login(manager_b)
    api_text = client.get("/api/routing/").content.decode()
    for text in (csv_text, xlsx_text, api_text):
        assert "Sur Key" in text
        for secret in ("Arne", "Berg", rep_a2.email, "005NORTHB"):
            assert secret not in text


def test_admin_still_sees_the_cross_team_backup(cross_team_backup, admin_user, rep_a2):
    row = _routing(admin_user)["Sur Key"]
    assert (row.alternate_kind, row.alternate_rep_id) == ("backup", rep_a2.pk)


def test_a_rep_serving_notice_is_never_routed_to_as_backup_or_team_mate(
    scored, admin_user, manager_a, rep_a, team_north_a
):
    """A last day in three days is notice, whether or not the status says so yet."""
    customer = make_customer("Acme", owner=rep_a, annual_revenue=900_000, is_key_account=True)
    last_day = timezone.localdate() + dt.timedelta(days=3)
    leaving_backup = make_rep(team_north_a, "Lea", "Backup", departure_date=last_day)
    leaving_mate = make_rep(team_north_a, "Len", "Mate", status="notice", departure_date=last_day)
    make_score(scored["latest"], leaving_backup, 0.02)
    make_score(scored["latest"], leaving_mate, 0.01)
    _backup(customer, leaving_backup)
    row = _routing(admin_user)["Acme"]
    assert (row.alternate_kind, row.alternate_user_id) == ("manager", manager_a.pk)
    assert row.alternate_rep_id not in (leaving_backup.pk, leaving_mate.pk)

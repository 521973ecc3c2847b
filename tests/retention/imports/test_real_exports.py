"""Real exports, file by file and record by record (issue 11): encodings, NUL bytes, header-only
and unknown objects, cases without scores, deleted records, internal events and to-dos, owner
history, honest outcomes, the as-of date, and column and value mapping.

The fixtures are in tests/fixtures/exports/ (made-up names; regenerate with its generate.py).
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from retention.models import (
    Activity,
    Customer,
    Deal,
    ImportJob,
    SalesRep,
    SavedColumnMapping,
    ScoringRun,
    ServiceRecord,
)
from tests.conftest import make_rep
from tests.retention.imports.conftest import FIXTURES, make_zip, run_import

pytestmark = pytest.mark.django_db
EXPORTS = FIXTURES / "exports"
REP_1 = "005F100000REP01AAA"
REP_2 = "005F100000REP02AAA"
MARCH = dt.datetime(2024, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def reps(team_north_a) -> tuple[SalesRep, SalesRep]:
    """The two reps the fixtures' records belong to, known by their CRM ids."""
    return (
        make_rep(team_north_a, "Zofia", "Quill", crm_user_id=REP_1),
        make_rep(team_north_a, "Tomasz", "Ember", crm_user_id=REP_2),
    )


def names() -> list[str]:
    return sorted(Customer.objects.values_list("name", flat=True))


# --- 1. encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder,label,how",
    [("cp1252", "Windows-1252", "detected"), ("utf16", "UTF-16", "bom")],
)
def test_latin_names_come_out_right_whatever_the_encoding(reps, folder, label, how):
    job = run_import(EXPORTS / folder / "Account.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert names() == ["Brasserie Müller & Søn", "Café Ñandú", "François Lefèvre SARL"]
    detected = job.detected[0]
    assert (detected["encoding"]["label"], detected["encoding"]["how"]) == (label, how)
    assert "François Lefèvre SARL" in detected["sample"]


def test_gbk_file_is_read_as_chinese(reps):
    job = run_import(EXPORTS / "gbk" / "Account.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert names() == ["北方物流集团", "华东贸易有限公司"]
    assert job.detected[0]["encoding"]["label"] == "GB18030/GBK"


def test_mostly_utf8_file_imports_with_the_bad_cells_flagged(reps):
    job = run_import(EXPORTS / "mostly_utf8" / "Account.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert Customer.objects.count() == 40
    assert Customer.objects.filter(name="Société Numéro 12").exists()
    replaced = [issue for issue in job.issues if "replaced" in issue["reason"]]
    assert [(issue["row"], issue["column"]) for issue in replaced] == [(9, "Name"), (11, "Name")]
    assert Customer.objects.filter(name__contains="\ufffd").count() == 2
    assert job.detected[0]["encoding"]["lossy"] is True


def test_admin_can_override_the_encoding(reps):
    job = run_import(EXPORTS / "cp1252" / "Account.csv", encodings={"*": "iso-8859-1"})

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert job.detected[0]["encoding"]["how"] == "chosen"
    assert "François Lefèvre SARL" in names()


def test_an_unknown_encoding_is_refused_by_name(reps):
    job = run_import(EXPORTS / "cp1252" / "Account.csv", encodings={"*": "klingon-8"})

    assert job.status == ImportJob.Status.REFUSED
    assert "klingon-8 is not known" in job.message


@pytest.mark.parametrize("codec", ["base64", "rot13", "zlib", "idna", "undefined"])
def test_a_codec_that_is_no_text_encoding_is_refused_by_name(reps, codec):
    """Python knows these names, but none reads a CSV file: the import stopped on an
    unexpected error (base64's "Incorrect padding", idna's "Unsupported error handling")."""
    job = run_import(EXPORTS / "cp1252" / "Account.csv", encodings={"*": codec})

    assert job.status == ImportJob.Status.REFUSED, job.message
    assert f"{codec} is not an encoding CSV text is written in" in job.message


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_utf16_chosen_for_a_file_without_byte_order_mark_is_refused_saying_why(reps, codec):
    job = run_import(EXPORTS / "cp1252" / "Account.csv", encodings={"*": codec})

    assert job.status == ImportJob.Status.REFUSED, job.message
    assert f"choose {codec}-le or {codec}-be" in job.message


# --- 2. NUL bytes ------------------------------------------------------------------------------


def test_nul_bytes_are_stripped_and_the_row_flagged(reps):
    job = run_import(EXPORTS / "nul" / "Account.csv", EXPORTS / "nul" / "Opportunity.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert Deal.objects.count() == 2
    nul = [issue for issue in job.issues if "NUL" in issue["reason"]]
    assert [(issue["file"], issue["row"]) for issue in nul] == [("Opportunity.csv", 2)]


# --- 3 and 4. header-only files, objects known by name ---------------------------------------


def test_header_only_files_never_refuse_the_upload(tmp_path, reps):
    folder = EXPORTS / "header_only"
    archive = make_zip(tmp_path / "export.zip", sorted(folder.glob("*.csv")))

    job = run_import(archive)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert Customer.objects.count() == 2
    assert "Header only, nothing to import: Case.csv." in job.message
    assert "and 2 with a header only" in job.message


def test_export_files_are_read_by_object_name_and_the_others_listed(tmp_path, reps):
    folder = EXPORTS / "objects"
    archive = make_zip(tmp_path / "export.zip", sorted(folder.glob("*.csv")))

    job = run_import(archive)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert [entry["name"] for entry in job.counts["files"]] == ["Account.csv"]
    assert Customer.objects.count() == 3
    for listed in (
        "Quote.csv (3)",
        "Campaign.csv (2)",
        "ListEmail.csv (4)",
        "PromptAction.csv (1)",
    ):
        assert listed in job.message
    assert "UserAppMenuCustomization.csv (5)" in job.message


def test_a_loose_file_of_an_object_relay_does_not_import_is_refused(reps):
    job = run_import(EXPORTS / "objects" / "Quote.csv")

    assert job.status == ImportJob.Status.REFUSED
    assert "Salesforce Quote export; Relay does not import it" in job.message
    assert not Customer.objects.exists()


def test_loose_file_with_headers_that_fit_two_kinds_is_refused(tmp_path, reps):
    path = tmp_path / "hubspot.csv"
    path.write_text("Record ID,Call Title,Meeting name,Activity assigned to\n1,A,B,C\n")

    job = run_import(path)

    assert job.status == ImportJob.Status.REFUSED
    assert "fit several kinds of file" in job.message


# --- 7. cases ---------------------------------------------------------------------------------


def test_cases_with_and_without_a_score_keep_their_service_signals(reps):
    job = run_import(EXPORTS / "cases" / "Account.csv", EXPORTS / "cases" / "Case.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    case_file = job.counts["files"][1]
    assert (case_file["created"], case_file["skipped"]) == (4, 1)  # the deleted case is skipped
    rows = {
        record.external_id[-6:-3]: record
        for record in ServiceRecord.objects.filter(source=ServiceRecord.Source.CASE)
    }
    assert (rows["S01"].score, rows["S01"].scale_max, rows["S01"].resolution_minutes) == (
        Decimal(4),
        Decimal(5),
        270,
    )
    assert (rows["S02"].score, rows["S02"].scale_max, rows["S02"].resolution_minutes) == (
        None,
        None,
        2880,
    )
    assert [rows[key].is_escalated for key in ("S01", "S02", "S03", "S04")] == [
        False,
        False,
        True,  # Status = Escalated
        True,  # IsEscalated
    ]
    assert (rows["S03"].priority, rows["S03"].closed_at, rows["S03"].resolution_minutes) == (
        "Critical",
        None,
        None,
    )
    assert job.detected[1]["mapping"]["score"] == "Satisfaction__c"


def test_a_score_column_named_by_the_admin_is_used(tmp_path, reps):
    text = (EXPORTS / "cases" / "Case.csv").read_text().replace("Satisfaction__c", "Happy__c")
    (tmp_path / "Case.csv").write_text(text)

    job = run_import(
        EXPORTS / "cases" / "Account.csv", tmp_path / "Case.csv", score_column="Happy__c"
    )

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert ServiceRecord.objects.exclude(score=None).count() == 1


def test_a_score_above_the_scale_is_rejected_not_stored(tmp_path, reps):
    text = (EXPORTS / "cases" / "Case.csv").read_text().replace(",4\n", ",9\n", 1)
    (tmp_path / "Case.csv").write_text(text)

    job = run_import(EXPORTS / "cases" / "Account.csv", tmp_path / "Case.csv", apply=False)

    assert job.counts["total"]["rejected"] == 1
    assert "between 0 and 5" in job.issues[0]["reason"]


# --- 8. deleted records -----------------------------------------------------------------------


def test_deleted_records_are_skipped_and_a_record_deleted_since_is_marked(reps):
    first = run_import(EXPORTS / "deleted" / "Account.csv")

    assert first.status == ImportJob.Status.APPLIED, first.message
    assert (first.counts["total"]["created"], first.counts["total"]["skipped"]) == (2, 1)
    assert not Customer.objects.filter(external_id="001F100000ACC03AAA").exists()

    second = run_import(EXPORTS / "deleted_later" / "Account.csv")

    assert second.counts["total"]["deleted"] == 1
    gone = Customer.objects.get(external_id="001F100000ACC02AAA")
    assert gone.is_deleted
    assert not gone.assignments.filter(valid_to__isnull=True).exists()
    assert not Customer.objects.get(external_id="001F100000ACC01AAA").is_deleted


# --- 12. ownership dates ----------------------------------------------------------------------


@time_machine.travel(MARCH, tick=False)
def test_ownership_starts_at_the_crm_dates_and_follows_the_owner_history(reps):
    zofia, tomasz = reps
    files = [EXPORTS / "history" / "Account.csv", EXPORTS / "history" / "AccountHistory.csv"]

    job = run_import(*files)

    assert job.status == ImportJob.Status.APPLIED, job.message
    account = Customer.objects.get(external_id="001F100000ACC01AAA")
    history = list(
        account.assignments.order_by("valid_from").values_list("rep", "valid_from", "valid_to")
    )
    assert history == [
        (zofia.pk, dt.date(2023, 5, 4), dt.date(2023, 9, 1)),
        (tomasz.pk, dt.date(2023, 9, 1), dt.date(2024, 1, 15)),
        (zofia.pk, dt.date(2024, 1, 15), None),
    ]
    history_file = job.counts["files"][1]
    assert history_file["skipped"] == 2  # the names row and the Industry change

    again = run_import(*files)
    assert again.counts["files"][1]["updated"] == 0
    assert account.assignments.count() == 3


# --- 13. activities ---------------------------------------------------------------------------


@time_machine.travel(MARCH, tick=False)
def test_internal_events_are_not_customer_time_and_todos_keep_status_and_due_date(reps):
    folder = EXPORTS / "activities"

    job = run_import(folder / "Account.csv", folder / "Event.csv", folder / "Task.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    internal = dict(Activity.objects.values_list("subject", "is_internal"))
    assert internal == {
        "Quarterly review": False,
        "Pipeline review": True,  # no customer
        "Team forecast": True,  # Type = Other
        "Site visit": True,  # linked to nothing
        "Send proposal": False,
        "Call back": False,
        "Renewal prep": False,
    }
    todos = {
        subject: (status, due)
        for subject, status, due in Activity.objects.filter(kind__in=["task", "call"]).values_list(
            "subject", "todo_status", "due_date"
        )
    }
    assert todos == {
        "Send proposal": ("open", dt.date(2024, 3, 1)),  # overdue on 10 March
        "Call back": ("done", dt.date(2024, 2, 25)),
        "Renewal prep": ("open", dt.date(2024, 4, 30)),
    }


# --- 11. the as-of date ------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_old_data_does_not_queue_a_scoring_run_as_of_today_and_says_so(reps):
    folder = EXPORTS / "activities"

    job = run_import(folder / "Account.csv", folder / "Event.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert not ScoringRun.objects.exists()
    assert "No scoring run was queued: the data ends on 2024-03-07" in job.message
    assert job.counts["latest"] == "2024-03-07"


@time_machine.travel(dt.datetime(2024, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False)
def test_a_meeting_booked_ahead_does_not_make_old_data_recent(tmp_path, reps):
    """The export ends on 7 March; a review booked for May is not data yet, so on 1 April the
    data still ends on 7 March (more than two weeks ago) and no run is queued as of today, as
    scoring's own end of the history leaves out what is dated after today."""
    folder = EXPORTS / "activities"
    events = tmp_path / "Event.csv"
    events.write_text(
        (folder / "Event.csv").read_text()
        + "00UF100000EVT99AAA,false,,,001F100000ACC01AAA,Renewal review,Meeting,"
        "2024-05-20T10:00:00.000+0000,60,005F100000REP01AAA\n"
    )

    job = run_import(folder / "Account.csv", events)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert Activity.objects.filter(subject="Renewal review").exists()
    assert job.counts["latest"] == "2024-03-07"
    assert not ScoringRun.objects.exists()
    assert "No scoring run was queued: the data ends on 2024-03-07" in job.message


@time_machine.travel(MARCH, tick=False)
def test_recent_data_queues_a_scoring_run_and_says_so(reps):
    folder = EXPORTS / "activities"

    job = run_import(folder / "Account.csv", folder / "Event.csv")

    assert ScoringRun.objects.count() == 1
    assert "A scoring run was queued: the data reaches 2024-03-07." in job.message


# --- 14. honest outcome -----------------------------------------------------------------------


def test_check_with_rejected_rows_says_nothing_will_be_applied(tmp_path, reps):
    text = (EXPORTS / "activities" / "Event.csv").read_text().replace(REP_1, "005UNKNOWN", 1)
    (tmp_path / "Event.csv").write_text(text)

    job = run_import(EXPORTS / "activities" / "Account.csv", tmp_path / "Event.csv", apply=False)

    assert job.status == ImportJob.Status.CHECKED
    assert "1 row rejected: nothing will be applied unless you choose to skip it" in job.message


def test_check_where_every_row_is_rejected_is_not_ready_to_apply(tmp_path):
    job = run_import(EXPORTS / "activities" / "Task.csv", apply=False)

    assert job.status == ImportJob.Status.REFUSED
    assert "All 3 rows were rejected: nothing will be applied" in job.message


def test_command_exits_non_zero_on_rejected_rows_unless_skipping(tmp_path, reps):
    text = (EXPORTS / "activities" / "Event.csv").read_text().replace(REP_1, "005UNKNOWN", 1)
    (tmp_path / "Event.csv").write_text(text)
    account = EXPORTS / "activities" / "Account.csv"

    with pytest.raises(CommandError, match="1 row was rejected, so nothing was imported"):
        call_command("import_data", str(account), str(tmp_path / "Event.csv"), stdout=io.StringIO())
    assert not Activity.objects.exists()

    call_command(
        "import_data",
        str(account),
        str(tmp_path / "Event.csv"),
        "--skip-rejected",
        stdout=io.StringIO(),
    )
    assert Activity.objects.count() == 3


# --- 15. over-long fields ---------------------------------------------------------------------


def test_a_field_over_16_mb_is_one_rejected_row_not_a_crash(tmp_path, reps):
    path = tmp_path / "Account.csv"
    header = "Id,IsDeleted,Name,OwnerId\n"
    with path.open("w") as out:
        out.write(header + f"001F100000LNG01AAA,false,Short,{REP_1}\n")
        out.write(f'001F100000LNG02AAA,false,"{"x" * (17 * 1024 * 1024)}",{REP_1}\n')
        out.write(f"001F100000LNG03AAA,false,After,{REP_1}\n")

    job = run_import(path, skip_rejected=True)

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert names() == ["After", "Short"]
    assert job.counts["total"]["rejected"] == 1
    assert "field larger than field limit" in job.issues[0]["reason"]
    assert "16 MB" in job.issues[0]["reason"]


def test_a_huge_file_with_no_line_break_ends_refused_not_checking(tmp_path, reps):
    path = tmp_path / "Account.csv"
    path.write_text("x" * (17 * 1024 * 1024))

    job = run_import(path, apply=False)

    assert job.status in (ImportJob.Status.REFUSED, ImportJob.Status.FAILED)
    assert job.message
    assert not ImportJob.objects.filter(status=ImportJob.Status.CHECKING).exists()


# --- 16. column and value mapping -------------------------------------------------------------


def test_command_maps_columns_and_values_and_keeps_them_by_name(reps):
    folder = EXPORTS / "mapped"
    args = [
        "--map",
        "salesforce.event.subject=Betreff",
        "--map",
        "salesforce.event.type=Art",
        "--value",
        "salesforce.event.type:Interne Besprechung=Other",
        "--value",
        "salesforce.event.type:Kundenbesuch=Visit",
        "--save-mapping",
        "german",
    ]

    call_command(
        "import_data",
        str(folder / "Account.csv"),
        str(folder / "Event.csv"),
        *args,
        stdout=io.StringIO(),
    )

    activities = dict(Activity.objects.values_list("subject", "kind"))
    assert activities == {"Besuch": "visit", "Planung": "meeting"}
    assert Activity.objects.get(subject="Planung").is_internal
    saved = SavedColumnMapping.objects.get(kind="salesforce.event", name="german")
    assert saved.values == {"type": {"Interne Besprechung": "Other", "Kundenbesuch": "Visit"}}

    Activity.objects.all().delete()
    call_command(
        "import_data", str(folder / "Event.csv"), "--mapping", "german", stdout=io.StringIO()
    )
    assert dict(Activity.objects.values_list("subject", "kind")) == activities


@pytest.mark.parametrize(
    "option,message",
    [
        ("--map=salesforce.event.nope=Art", "salesforce.event has no field 'nope'"),
        ("--map=hubspot.nothing.type=Art", "no kind of file 'hubspot.nothing'"),
        ("--value=salesforce.event.type=Other", "write KIND.FIELD:VALUE=MEANS"),
        ("--encoding=klingon-8", "klingon-8 is not known"),
        ("--mapping=nobody", "no saved mapping is named nobody"),
    ],
)
def test_command_refuses_a_bad_mapping_option_by_name(reps, option, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "import_data", str(EXPORTS / "mapped" / "Event.csv"), option, stdout=io.StringIO()
        )


def test_a_mapping_naming_a_column_the_file_lacks_is_refused(reps):
    job = run_import(
        EXPORTS / "mapped" / "Event.csv", mappings={"salesforce.event": {"subject": "Titel"}}
    )

    assert job.status == ImportJob.Status.REFUSED
    assert "names the column Titel for subject; it is not in the file" in job.message


def upload_file(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_api_upload_takes_encoding_and_column_and_value_mappings(
    client, admin_user, reps, eager_celery, django_capture_on_commit_callbacks
):
    folder = EXPORTS / "mapped"
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api-import-create"),
            {
                "files": [upload_file(folder / "Account.csv"), upload_file(folder / "Event.csv")],
                "encoding": "utf-8",
                "mappings": '{"salesforce.event": {"subject": "Betreff", "type": "Art"}}',
                "values": '{"salesforce.event": {"type": {"Interne Besprechung": "Other"}}}',
            },
        )

    assert response.status_code == 201, response.json()
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.status == ImportJob.Status.CHECKED, job.message
    events = next(entry for entry in job.detected if entry["kind"] == "salesforce.event")
    assert events["mapping"]["subject"] == "Betreff"
    assert events["values"] == {"type": {"Interne Besprechung": "Other"}}
    assert events["encoding"]["how"] == "chosen"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("encoding", "klingon-8", "klingon-8 is not known"),
        ("mappings", '{"salesforce.nothing": {}}', "salesforce.nothing is not a kind of file."),
        (
            "values",
            '{"salesforce.event": {"type": "Other"}}',
            "salesforce.event.type must be an object.",
        ),
    ],
)
def test_api_refuses_bad_mapping_fields_with_a_400_naming_them(
    client, admin_user, field, value, message
):
    client.force_login(admin_user)

    response = client.post(
        reverse("api-import-create"),
        {"files": [SimpleUploadedFile("Account.csv", b"Id,Name\n1,A\n")], field: value},
    )

    assert response.status_code == 400
    assert field in response.json()
    assert message in str(response.json())
    assert not ImportJob.objects.exists()


# --- what scoring reads of it -----------------------------------------------------------------


@time_machine.travel(MARCH, tick=False)
def test_scoring_counts_neither_internal_nor_open_nor_deleted_and_averages_scored_cases(reps):
    from retention.risk.selectors import risk_history

    folder = EXPORTS / "activities"
    run_import(folder / "Account.csv", folder / "Event.csv", folder / "Task.csv")
    run_import(EXPORTS / "cases" / "Account.csv", EXPORTS / "cases" / "Case.csv")
    zofia, tomasz = reps

    weekly = risk_history(end=dt.date(2024, 3, 10), rep_ids=[zofia.pk, tomasz.pk]).weekly
    totals = weekly.groupby("rep_id")[["activities", "service_n", "complaints"]].sum()

    # Zofia: the quarterly review and the completed call; not the internal events, not the
    # open to-dos. One of her two cases has a score; neither is an escalation.
    assert totals.loc[zofia.pk].tolist() == [2, 1, 0]
    # Tomasz: two unscored escalated cases (his deleted case is not imported).
    assert totals.loc[tomasz.pk, ["service_n", "complaints"]].tolist() == [0, 2]


# --- the check page ---------------------------------------------------------------------------


def page_upload(client, *paths, **fields):
    return client.post(
        reverse("retention:imports:page"),
        {"files": [upload_file(path) for path in paths], "source": "auto", **fields},
    )


def test_check_page_shows_the_guessed_encoding_and_names_and_takes_an_override(
    client, admin_user, reps, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = page_upload(client, EXPORTS / "cp1252" / "Account.csv")
    job = ImportJob.objects.get()

    page = client.get(response.url).content.decode()
    assert "Read as Windows-1252: Relay's guess." in page
    assert "François Lefèvre SARL · Brasserie Müller &amp; Søn · Café Ñandú" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("retention:imports:job_remap", args=[job.pk]),
            {"encoding:Account.csv": "utf-8"},
        )
    again = ImportJob.objects.latest("pk")
    assert again.detected[0]["encoding"]["how"] == "chosen"
    assert again.counts["total"]["flagged"] == 3  # every name had a byte UTF-8 cannot read
    page = client.get(response.url).content.decode()
    assert "Read as UTF-8, as you chose." in page
    assert "Some bytes did not fit and were replaced" in page


def test_check_page_maps_values_and_says_when_rows_are_rejected(
    client, admin_user, reps, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    folder = EXPORTS / "mapped"
    with django_capture_on_commit_callbacks(execute=True):
        page_upload(client, folder / "Account.csv", folder / "Event.csv")
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("retention:imports:job_remap", args=[job.pk]),
            {
                "map:salesforce.event:subject": "Betreff",
                "map:salesforce.event:type": "Art",
                "map:salesforce.event:owner_id": "",
                "values:salesforce.event:type": "Interne Besprechung = Other\nKundenbesuch = Visit",
            },
        )
    again = ImportJob.objects.latest("pk")
    events = next(entry for entry in again.detected if entry["kind"] == "salesforce.event")
    assert events["values"] == {"type": {"Interne Besprechung": "Other", "Kundenbesuch": "Visit"}}
    page = client.get(response.url).content.decode()
    assert "Interne Besprechung = Other" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("retention:imports:job_remap", args=[again.pk]),
            {"map:salesforce.event:subject": "Betreff", "map:salesforce.event:type": "Art"},
        )
    checked = ImportJob.objects.latest("pk")
    assert checked.status == ImportJob.Status.CHECKED, checked.message


def test_check_page_heading_says_nothing_will_be_applied_when_rows_are_rejected(
    client, admin_user, reps, tmp_path, eager_celery, django_capture_on_commit_callbacks
):
    text = (EXPORTS / "activities" / "Event.csv").read_text().replace(REP_1, "005UNKNOWN", 1)
    (tmp_path / "Event.csv").write_text(text)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = page_upload(
            client, EXPORTS / "activities" / "Account.csv", tmp_path / "Event.csv"
        )

    page = client.get(response.url).content.decode()

    assert "Checked: 1 row rejected, nothing will be applied" in page
    assert "Checked, ready to apply" not in page


def test_a_bad_value_line_or_encoding_on_the_page_is_refused_with_a_message(
    client, admin_user, reps, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        page_upload(client, EXPORTS / "cp1252" / "Account.csv")
    job = ImportJob.objects.get()

    response = client.post(
        reverse("retention:imports:job_remap", args=[job.pk]),
        {"encoding:Account.csv": "klingon-8", "values:salesforce.account:industry": "no equals"},
        follow=True,
    )

    page = response.content.decode()
    assert "klingon-8 is not known" in page
    assert "line 1: write &#x27;file value = Relay value&#x27;" in page
    assert ImportJob.objects.count() == 1


def test_command_prints_the_encoding_and_a_sample_of_names(reps):
    out = io.StringIO()

    call_command("import_data", str(EXPORTS / "cp1252" / "Account.csv"), "--dry-run", stdout=out)

    assert (
        "Account.csv: read as Windows-1252 (detected); names: François Lefèvre SARL · "
        "Brasserie Müller & Søn · Café Ñandú"
    ) in out.getvalue()


def test_the_old_weekly_export_layout_reads_an_empty_lookup_as_empty(tmp_path, reps):
    (tmp_path / "Account.csv").write_text(
        '"Id","IsDeleted","Name","OwnerId","CreatedDate"\n'
        f'"001F100000OLD01AAA","0","Old Layout Ltd","{REP_1}","2012-11-05 10:00:00"\n'
    )
    (tmp_path / "Event.csv").write_text(
        '"Id","IsDeleted","AccountId","WhatId","WhoId","Subject","Type","ActivityDateTime",'
        '"DurationInMinutes","OwnerId"\n'
        '"00UF100000OLD01AAA","0","000000000000000AAA","000000000000000AAA",'
        f'"000000000000000AAA","Planning","Meeting","2013-01-07 09:00:00","30","{REP_1}"\n'
    )

    job = run_import(tmp_path / "Account.csv", tmp_path / "Event.csv")

    assert job.status == ImportJob.Status.APPLIED, job.message
    assert job.counts["total"]["flagged"] == 0, job.issues
    event = Activity.objects.get()
    assert (event.customer, event.is_internal) == (None, True)
    owner = Customer.objects.get().assignments.get()
    assert owner.valid_from == dt.date(2012, 11, 5)

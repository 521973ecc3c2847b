"""The independent org of ``bench/foreign_org.py``: a tiny one, written as Salesforce and HR
write their files, goes through Relay's own import on an empty Relay (a check, as an admin
starts), and Relay reads what the generator wrote."""

import contextlib
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from bench import foreign_org, foreign_sim
from retention.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tiny_org(tmp_path_factory) -> tuple[foreign_sim.Org, object, dict]:
    # 80 seats: six teams, one of them Winston-Salem's (a hyphen in the team's name), two open
    # cases in the care queue, four "Territory Sales Manager" reps, a promoted rep.
    org = foreign_sim.simulate(foreign_sim.Config(seats=80, seed=1, weeks=20))
    directory = tmp_path_factory.mktemp("foreign-org")
    return org, directory, foreign_sim.write_export(org, directory / "export")


def _check(*arguments: str) -> tuple[ImportJob, list[dict]]:
    # Rejected rows end the command with an error; the job and its report say which.
    with contextlib.suppress(CommandError):
        call_command("import_data", *arguments, "--dry-run", stdout=io.StringIO())
    return foreign_org.read_job()


def test_the_files_as_exported_check_with_no_rejected_row_and_every_file_read(tiny_org):
    """As the systems wrote them, with no admin step: the queue's cases are skipped, HR's
    absence report is read as leave, HR's Termination Type and hyphenated team names are read,
    so nothing is rejected."""
    org, directory, paths = tiny_org

    job, issues = _check(*foreign_org.import_files(directory, paths, as_exported=True))

    assert job.status == ImportJob.Status.CHECKED, job.message
    assert dict(foreign_org.rejections(issues)) == {}
    queued = org.tables["Case"].filter(org.tables["Case"]["OwnerId"].str.starts_with("00G"))
    assert queued.height > 0
    files = {entry["name"]: entry for entry in job.counts["files"]}
    for name in ("User", "Account", "Opportunity", "Task", "Event", "Case"):
        assert files[f"{name}.csv"]["rows"] == org.tables[name].height
    assert files["HR_People_Export.csv"]["rows"] == org.tables["HR_People_Export"].height
    absences = files["HR_Absences_Export.csv"]
    assert absences["kind"] == "relay.leave", absences
    assert absences["rows"] == org.tables["HR_Absences_Export"].height


def test_users_become_what_the_generator_made_them_with_no_correction(tiny_org):
    org, directory, paths = tiny_org

    job, _issues = _check(*foreign_org.import_files(directory, paths, as_exported=True))

    expected = Counter(org.truth["expected"].to_list())
    becomes = {row["id"]: row["becomes"] for row in job.counts["people"]["users"]}
    assert becomes == dict(zip(org.truth["crm_user_id"], org.truth["expected"], strict=True))
    assert job.counts["people"]["counts"] == {
        "rep": expected["rep"],
        "manager": expected["manager"],
        "skip": expected["skip"],
    }
    assert expected["rep"] > 20 and expected["manager"] >= 2 and expected["skip"] >= 5

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


def test_only_the_cases_a_queue_owns_are_rejected(tiny_org):
    org, directory, paths = tiny_org

    job, issues = _check(*foreign_org.import_files(directory, paths, as_exported=False))

    assert job.status == ImportJob.Status.CHECKED, job.message
    queued = org.tables["Case"].filter(org.tables["Case"]["OwnerId"].str.starts_with("00G"))
    assert queued.height > 0
    assert dict(foreign_org.rejections(issues)) == {
        ("Case.csv", "OwnerId", foreign_org.QUEUED): queued.height
    }
    rows = {entry["name"]: entry["rows"] for entry in job.counts["files"]}
    for name in ("User", "Account", "Opportunity", "Task", "Event", "Case"):
        assert rows[f"{name}.csv"] == org.tables[name].height
    assert rows["HR_People_Export.csv"] == org.tables["HR_People_Export"].height


def test_with_the_admins_corrections_users_become_what_the_generator_made_them(tiny_org, tmp_path):
    org, directory, paths = tiny_org
    upload = foreign_org.import_files(directory, paths, as_exported=False)
    job, _issues = _check(*upload)
    corrections, _why = foreign_org.people_corrections(job, org.truth)
    choices = tmp_path / "choices.csv"
    choices.write_text("Id,becomes\n" + "".join(f"{i},{b}\n" for i, b in corrections))

    job, _issues = _check(*upload, "--people", str(choices))

    expected = Counter(org.truth["expected"].to_list())
    assert job.counts["people"]["counts"] == {
        "rep": expected["rep"],
        "manager": expected["manager"],
        "skip": expected["skip"],
    }
    becomes = {row["id"]: row["becomes"] for row in job.counts["people"]["users"]}
    assert becomes == dict(zip(org.truth["crm_user_id"], org.truth["expected"], strict=True))
    assert expected["rep"] > 20 and expected["manager"] >= 2 and expected["skip"] >= 5

"""A real Celery worker scores a run (on Redis and PostgreSQL in CI, and on the file-system broker
and SQLite of the embedded default); a killed one publishes nothing."""


import pytest
from django.db import transaction

from retention.models import RiskModel, RiskScore, ScoringRun
from retention.risk import services
from retention.selectors import risk_scores_current
from tests.conftest import wait_for
from tests.retention.risk.conftest import AS_OF

pytestmark = pytest.mark.celery_worker



@pytest.fixture
def one_team_per_chunk(monkeypatch) -> None:
    """Read by the worker process started after it (its environment is copied at start)."""
    monkeypatch.setenv("RELAY_RISK_CHUNK_SIZE", "1")


def test_worker_runs_a_chunked_scoring_run_and_publishes_it(
    one_team_per_chunk, celery_worker_process, small_org
):
    with transaction.atomic():
        run = services.scoring_run_request(as_of=AS_OF)

    finished = wait_for(
        lambda: ScoringRun.objects.filter(
            pk=run.pk, status__in=[ScoringRun.Status.SUCCEEDED, ScoringRun.Status.FAILED]
        ).first(),
        timeout=90,
    )
    assert finished is not None, "the run did not finish within 90 s"
    assert finished.status == ScoringRun.Status.SUCCEEDED, finished.error
    assert finished.chunks == 3  # one per team, one task each
    assert finished.chunk_rows.filter(done_at__isnull=False).count() == 3
    assert finished.done == finished.total == len(small_org) - 3  # three leavers already gone
    assert {s.run_id for s in risk_scores_current().values()} == {run.pk}


@pytest.mark.postgres
@pytest.mark.redis
def test_killed_worker_leaves_the_previous_scores_in_place(killable_worker, small_org):
    previous = services.risk_scores_refresh(as_of=AS_OF)
    with transaction.atomic():
        run = services.scoring_run_request(as_of=AS_OF)

    # One rep per chunk here; kill the worker as soon as the first chunk is written.
    started = wait_for(
        lambda: RiskScore.objects.filter(run_id=run.pk).exists(), timeout=90, step=0.01
    )
    killable_worker.kill()
    killable_worker.wait()
    assert started, "the worker never wrote a chunk"

    run.refresh_from_db()
    assert run.status == ScoringRun.Status.RUNNING
    assert 0 < run.done < run.total
    current = risk_scores_current()
    assert {s.run_id for s in current.values()} == {previous.pk}
    assert len(current) == previous.total


def test_a_failing_chunk_fails_the_run_at_once_with_the_reason(celery_worker_process, small_org):
    previous = services.risk_scores_refresh(as_of=AS_OF)
    # A model whose stored pipeline cannot be read: every chunk raises in the worker.
    RiskModel.objects.update(is_active=False)
    RiskModel.objects.create(
        version="broken-1", kind=RiskModel.Kind.TRAINED, is_active=True, artifact=b"not a model"
    )
    with transaction.atomic():
        run = services.scoring_run_request(as_of=AS_OF)

    failed = wait_for(
        lambda: ScoringRun.objects.filter(pk=run.pk, status=ScoringRun.Status.FAILED).first(),
        timeout=90,
    )
    assert failed is not None, "the failing chunk did not fail the run"
    assert "Chunk 0 failed" in failed.error
    assert not failed.scores.exists()
    assert {s.run_id for s in risk_scores_current().values()} == {previous.pk}

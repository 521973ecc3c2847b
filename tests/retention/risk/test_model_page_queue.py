"""The risk model page with the queue down says a run is queued, not started; a stalled run
offers a retry. Redis is the test's own, stopped mid-test (tests/test_redis_outage.py)."""

import pytest
from django.urls import reverse

from config.background import broker_state_forget
from retention.models import OutboxMessage, ScoringRun
from retention.outbox import outbox_flush
from tests.retention.risk.conftest import AS_OF
from tests.test_redis_outage import app_on_own_redis, own_redis  # noqa: F401  (fixtures)

QUEUED = "Scoring run queued: background work is paused, it starts when the queue is back."


@pytest.mark.django_db(transaction=True)
def test_score_everyone_with_the_queue_down_says_queued_and_starts_when_it_is_back(
    app_on_own_redis,  # noqa: F811
    client,
    admin_user,
):
    client.force_login(admin_user)
    app_on_own_redis.stop()
    broker_state_forget()

    response = client.post(reverse("retention:risk_scoring_start"), follow=True)
    content = response.content.decode()
    assert response.status_code == 200
    assert QUEUED in content
    assert "Scoring run started." not in content
    assert 'id="run-queue-paused"' in content
    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.PENDING
    waiting = OutboxMessage.objects.get(task_name="retention.risk.scoring_run_execute")
    assert waiting.args == [run.pk] and waiting.sent_at is None

    # The htmx button gets the same answer, as a redirect to the page that shows it.
    response = client.post(reverse("retention:risk_scoring_start"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("retention:risk_model")
    assert ScoringRun.objects.count() == 1

    app_on_own_redis.start()
    broker_state_forget()
    assert outbox_flush() == 1
    assert app_on_own_redis.queued() == 1
    content = client.get(reverse("retention:risk_model")).content.decode()
    assert 'id="run-queue-paused"' not in content


@pytest.mark.django_db
def test_a_stalled_run_shows_stalled_retry_and_the_retry_requests_a_new_run(
    client, admin_user, django_capture_on_commit_callbacks
):
    stalled = ScoringRun.objects.create(
        as_of=AS_OF,
        status=ScoringRun.Status.FAILED,
        error="Stalled: no sign of work for 5 minutes after 3 attempts to resume it.",
    )
    ScoringRun.objects.create(
        as_of=AS_OF, status=ScoringRun.Status.FAILED, error="Chunk 3 failed: ValueError()"
    )
    client.force_login(admin_user)
    content = client.get(reverse("retention:risk_model")).content.decode()
    assert content.count("stalled — retry") == 1
    assert 'id="retry-scoring"' not in content  # the newest run failed otherwise: no retry here

    ScoringRun.objects.exclude(pk=stalled.pk).delete()
    content = client.get(reverse("retention:risk_model")).content.decode()
    assert "stalled — retry" in content and 'id="retry-scoring"' in content

    with django_capture_on_commit_callbacks():
        response = client.post(reverse("retention:risk_scoring_start"))
    assert response.status_code == 302
    new = ScoringRun.objects.exclude(pk=stalled.pk).get()
    assert new.status != ScoringRun.Status.FAILED
    stalled.refresh_from_db()
    assert stalled.status == ScoringRun.Status.FAILED  # the old run stays as it ended

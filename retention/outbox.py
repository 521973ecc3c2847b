"""Sending work to the queue without losing it when the broker is down.

:func:`outbox_enqueue` records the task in the database inside the caller's transaction and
sends it once that transaction commits. When the broker cannot be reached the message stays
recorded; :func:`outbox_flush` (a beat task every minute, and every worker as it starts)
sends what is waiting, oldest first. Relay's tasks claim their rows with a compare-and-set, so
a message that does reach the queue twice changes nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.background import broker_available, broker_state_forget
from retention.models import OutboxMessage

logger = logging.getLogger(__name__)


def outbox_enqueue(*, task_name: str, args: Sequence = ()) -> OutboxMessage:
    """Record ``task_name(*args)`` and send it after commit (or later, if the broker is down)."""
    message = OutboxMessage.objects.create(task_name=task_name, args=list(args))
    transaction.on_commit(lambda: outbox_send(message_id=message.pk))
    return message


def outbox_send(*, message_id: int) -> bool:
    """Hand one recorded message to the broker. False when it stays waiting."""
    from config.celery import app

    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return True
    if app.conf.task_always_eager:
        # Tests and CELERY_TASK_ALWAYS_EAGER: run it here, as .delay() would. A worker imports
        # every app's tasks module as it starts; a web process may not have yet.
        if message.task_name not in app.tasks:
            app.loader.import_default_modules()
        app.tasks[message.task_name].apply(args=message.args, throw=True)
        OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), attempts=1)
        return True
    if not broker_available():
        return False
    try:
        app.send_task(message.task_name, args=message.args, retry=False)
    except Exception as exc:  # the broker went away between the check and the send
        broker_state_forget()
        OutboxMessage.objects.filter(pk=message_id).update(
            attempts=F("attempts") + 1, last_error=repr(exc)[:2000]
        )
        logger.warning("queue unreachable; %s stays in the outbox: %r", message, exc)
        return False
    OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def outbox_flush(*, limit: int = 500) -> int:
    """Send waiting messages, oldest first, stopping at the first the broker refuses."""
    sent = 0
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True).order_by("created_at", "id")
    for message_id in list(waiting.values_list("pk", flat=True)[:limit]):
        if not outbox_send(message_id=message_id):
            break
        sent += 1
    return sent


def outbox_waiting() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()

"""Retention's domain events. Higher apps (handover) listen; retention never imports them.

rep_departed: a rep's departure was recorded or changed (by hand or by an import).
    sender: SalesRep; kwargs: rep_id (int), departure_date (date), reason (str), recorded_by_id
    (int | None). Sent after the transaction commits.
"""

from django.dispatch import Signal

rep_departed = Signal()

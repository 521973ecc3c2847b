"""Retention's domain events. Higher apps (handover) listen; retention never imports them.

rep_departed: a rep's departure was recorded or changed (by hand or by an import).
    sender: SalesRep; kwargs: rep_id (int), departure_date (date), reason (str), recorded_by_id
    (int | None), opens_vacancy (bool: the last day is within RELAY_VACANCY_WINDOW_DAYS and
    nobody has been hired into the team since; a vacancy opens only then). An empty reason means
    it is not known. Sent after the transaction commits.

demo_seeded: ``manage.py seed_demo`` has written a demo organisation.
    sender: SalesRep; kwargs: seed (int), end_date (date: the last day of the demo history),
    locale (str: "en" or "zh-hans", the language of the demo's names and words).
    Sent after the transaction commits. Handover listens and adds its own demo data (vacancies,
    candidates…) deterministically from the same seed and end date.
"""

from django.dispatch import Signal

rep_departed = Signal()
demo_seeded = Signal()

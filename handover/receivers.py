"""Receivers of retention's domain events. Each one calls a handover service and nothing more."""

from django.dispatch import receiver

from retention.events import demo_seeded, rep_departed


@receiver(rep_departed, dispatch_uid="handover.hiring.open_vacancy_on_departure")
def open_vacancy_on_departure(
    sender, *, rep_id: int, departure_date, opens_vacancy: bool = True, **kwargs
) -> None:
    """A current departure opens a vacancy for the leaving rep's team and territory (once); a
    departure from history (outside the vacancy window, or refilled since) opens none."""
    if not opens_vacancy:
        return
    from handover.hiring.services import vacancy_open_for_departure

    vacancy_open_for_departure(rep_id=rep_id, departure_date=departure_date)


@receiver(rep_departed, dispatch_uid="handover.plans.draft_plan_on_departure")
def draft_plan_on_departure(
    sender, *, rep_id: int, recorded_by_id=None, opens_vacancy: bool = True, **kwargs
) -> None:
    """A current departure drafts a handover plan for the rep's customers (once: one draft per
    rep); a departure from history drafts none (coverage gaps still show what it left)."""
    if not opens_vacancy:
        return
    from handover.plans.services import handover_plan_create_for_departure

    handover_plan_create_for_departure(rep_id=rep_id, recorded_by_id=recorded_by_id)


@receiver(demo_seeded, dispatch_uid="handover.hiring.demo_seeded")
def add_hiring_demo(sender, *, seed: int, end_date, locale: str = "en", **kwargs) -> None:
    """The demo organisation exists: add vacancies, the candidate pool and onboarding."""
    from handover.hiring.demo import hiring_demo_seed

    hiring_demo_seed(seed=seed, end_date=end_date, locale=locale)

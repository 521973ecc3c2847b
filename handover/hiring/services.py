"""Writes for hiring: vacancies, candidates, the pipeline, hiring and onboarding.

Bad input raises ``config.errors.ApplicationError`` with a message that names the field (and
``field`` set where one input is to blame); nothing is half-written, since every service that
writes more than one row runs in one transaction.
"""

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Team, User
from accounts.org import team_manager
from config.errors import ApplicationError
from config.limits import (
    date_check,
    decimal_fits,
    decimal_largest,
    integer_max,
    whole_number_between,
)
from handover.models import (
    Application,
    Candidate,
    InterviewFeedback,
    OnboardingPlan,
    OnboardingTask,
    OnboardingTemplate,
    OwnerRole,
    StageChange,
    Vacancy,
)
from handover.plans.services import handover_plan_create_for_successor
from retention.models import Assignment, Customer, SalesRep
from retention.services import rep_create, team_history_follow

# A vacancy opened by a departure is due this many days after the later of today and the last day.
TARGET_FILL_DAYS = 60

# Relay's own default template is stored in English (gettext_noop marks it for translation) and
# shown in the reader's language (relay_default_text); what an organisation writes stays as written.
DEFAULT_TEMPLATE_NAME = gettext_noop("Standard sales onboarding")
DEFAULT_TEMPLATE_TASKS: list[dict] = [
    {
        "title": gettext_noop("Accounts, CRM and tools set up"),
        "kind": "other",
        "owner": "hr",
        "due_days": 0,
    },
    {
        "title": gettext_noop("Product training"),
        "kind": "training",
        "owner": "manager",
        "due_days": 10,
    },
    {
        "title": gettext_noop("Sales process and pricing training"),
        "kind": "training",
        "owner": "manager",
        "due_days": 14,
    },
    {
        "title": gettext_noop("Customer introductions"),
        "kind": "introduction",
        "owner": "manager",
        "due_days": 30,
    },
    {
        "title": gettext_noop("First solo visits"),
        "kind": "solo_visit",
        "owner": "rep",
        "due_days": 45,
    },
    {"title": gettext_noop("Probation check-in"), "kind": "other", "owner": "hr", "due_days": 90},
]
_RELAY_DEFAULT_TEXTS = {DEFAULT_TEMPLATE_NAME, *(task["title"] for task in DEFAULT_TEMPLATE_TASKS)}


def relay_default_text(text: str) -> str:
    """``text`` in the active language when it is one of Relay's own default template texts
    (as stored, in English); anything an organisation wrote, unchanged."""
    return _(text) if text in _RELAY_DEFAULT_TEXTS else text


ACTIVE_STAGES = {
    Application.Stage.SOURCED,
    Application.Stage.SCREENING,
    Application.Stage.INTERVIEW,
    Application.Stage.OFFER,
}
CLOSED_STAGES = {Application.Stage.HIRED, Application.Stage.REJECTED, Application.Stage.WITHDREW}


# --- vacancies ---------------------------------------------------------------------------------


def vacancy_open_for_departure(
    *, rep_id: int, departure_date: dt.date, today: dt.date | None = None
) -> Vacancy:
    """Open the vacancy a departure leaves: linked to the rep, their team and territory.

    Idempotent: a departure opens one vacancy however often it is announced (the database
    constraint ``handover_vacancy_one_per_departure`` guards against a race, too).
    """
    existing = Vacancy.objects.filter(leaving_rep_id=rep_id).first()
    if existing is not None:
        return existing
    rep = SalesRep.objects.select_related("team").get(pk=rep_id)
    today = today or timezone.localdate()
    territory = " / ".join(part for part in (rep.region, rep.team.name) if part)
    try:
        with transaction.atomic():
            return Vacancy.objects.create(
                status=Vacancy.Status.OPEN,
                reason=Vacancy.Reason.DEPARTURE,
                role=rep.title or "Sales representative",
                team=rep.team,
                region=rep.region or rep.team.region,
                territory=territory,
                leaving_rep=rep,
                hiring_manager=team_manager(team_id=rep.team_id),
                opened_on=today,
                target_fill_date=max(today, departure_date) + dt.timedelta(days=TARGET_FILL_DAYS),
            )
    except IntegrityError:
        return Vacancy.objects.get(leaving_rep_id=rep_id)


def _largest(model, name: str) -> str:
    """The largest number a decimal column holds, written for the reader's language."""
    return formats.number_format(decimal_largest(model, name), use_l10n=True, force_grouping=True)


def _check_band(salary_min: Decimal | None, salary_max: Decimal | None) -> None:
    ends = (
        (
            "salary_min",
            salary_min,
            _("The salary band's lower end must not be negative."),
            _("The salary band's lower end must be at most %(largest)s."),
        ),
        (
            "salary_max",
            salary_max,
            _("The salary band's upper end must not be negative."),
            _("The salary band's upper end must be at most %(largest)s."),
        ),
    )
    for name, value, negative, too_large in ends:
        if value is None:
            continue
        if value < 0:
            raise ApplicationError(negative, field=name)
        if not decimal_fits(value, Vacancy, name):
            raise ApplicationError(too_large % {"largest": _largest(Vacancy, name)}, field=name)
    if salary_min is not None and salary_max is not None and salary_max < salary_min:
        raise ApplicationError(
            _("The salary band's upper end must be at least its lower end."), field="salary_max"
        )


def _check_headcount(approved_headcount: int | None) -> None:
    largest = integer_max(Vacancy, "approved_headcount")
    if approved_headcount is None or not 1 <= approved_headcount <= largest:
        raise ApplicationError(
            _("The approved headcount must be between 1 and %(largest)s.") % {"largest": largest},
            field="approved_headcount",
        )


def _check_experience(years: Decimal) -> None:
    if years < 0:
        raise ApplicationError(
            _("The years of sales experience must not be negative."),
            field="sales_experience_years",
        )
    if not decimal_fits(years, Candidate, "sales_experience_years"):
        largest = _largest(Candidate, "sales_experience_years")
        raise ApplicationError(
            _("The years of sales experience must be at most %(largest)s.") % {"largest": largest},
            field="sales_experience_years",
        )


def vacancy_create(
    *,
    team: Team,
    opened_on: dt.date,
    role: str = "Sales representative",
    reason: str = Vacancy.Reason.GROWTH,
    region: str = "",
    territory: str = "",
    hiring_manager: User | None = None,
    approved_headcount: int = 1,
    salary_min: Decimal | None = None,
    salary_max: Decimal | None = None,
    target_fill_date: dt.date | None = None,
    notes: str = "",
) -> Vacancy:
    """Open a vacancy by hand (growth, or a departure recorded outside Relay)."""
    if reason not in Vacancy.Reason.values:
        raise ApplicationError(
            _("The reason must be one of: %(values)s.")
            % {"values": ", ".join(str(label) for label in Vacancy.Reason.labels)},
            field="reason",
        )
    _check_headcount(approved_headcount)
    if not role.strip():
        raise ApplicationError(_("The role is required."), field="role")
    date_check(opened_on, field="opened_on", label=_("opening date"))
    date_check(target_fill_date, field="target_fill_date", label=_("target fill date"))
    if target_fill_date is not None and target_fill_date < opened_on:
        raise ApplicationError(
            _("The target fill date must not be before the opening date."),
            field="target_fill_date",
        )
    _check_band(salary_min, salary_max)
    return Vacancy.objects.create(
        team=team,
        opened_on=opened_on,
        role=role.strip(),
        reason=reason,
        region=region or team.region,
        territory=territory,
        hiring_manager=hiring_manager,
        approved_headcount=approved_headcount,
        salary_min=salary_min,
        salary_max=salary_max,
        target_fill_date=target_fill_date,
        notes=notes,
    )


VACANCY_EDITABLE = (
    "role",
    "region",
    "territory",
    "hiring_manager",
    "approved_headcount",
    "salary_min",
    "salary_max",
    "target_fill_date",
    "notes",
)


def vacancy_update(*, vacancy: Vacancy, **changes) -> Vacancy:
    """Change the requisition fields HR keeps up to date; saves only what changed."""
    unknown = set(changes) - set(VACANCY_EDITABLE)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    merged = {name: changes.get(name, getattr(vacancy, name)) for name in VACANCY_EDITABLE}
    if not str(merged["role"]).strip():
        raise ApplicationError(_("The role is required."), field="role")
    _check_headcount(merged["approved_headcount"])
    # Only a date being set: one stored before Relay bounded dates stays until it is changed.
    date_check(
        changes.get("target_fill_date"), field="target_fill_date", label=_("target fill date")
    )
    if merged["target_fill_date"] is not None and merged["target_fill_date"] < vacancy.opened_on:
        raise ApplicationError(
            _("The target fill date must not be before the opening date."),
            field="target_fill_date",
        )
    _check_band(merged["salary_min"], merged["salary_max"])
    changed = [name for name in changes if getattr(vacancy, name) != changes[name]]
    if not changed:
        return vacancy
    for name in changed:
        setattr(vacancy, name, changes[name])
    vacancy.save(update_fields=[*changed, "updated_at"])
    return vacancy


def vacancy_set_status(*, vacancy: Vacancy, status: str) -> Vacancy:
    """Put on hold, reopen or cancel. Filling happens only through a hire."""
    allowed = [Vacancy.Status.OPEN, Vacancy.Status.ON_HOLD, Vacancy.Status.CANCELLED]
    if status not in allowed:
        raise ApplicationError(
            _("The status must be one of: %(values)s.")
            % {"values": ", ".join(str(choice.label) for choice in allowed)},
            field="status",
        )
    if vacancy.status == Vacancy.Status.FILLED:
        raise ApplicationError(
            _("The vacancy is filled, so its status cannot change any more."), field="status"
        )
    if vacancy.status == status:
        return vacancy
    vacancy.status = status
    vacancy.save(update_fields=["status", "updated_at"])
    return vacancy


# --- candidates --------------------------------------------------------------------------------


def candidate_create(
    *,
    first_name: str,
    last_name: str,
    source: str,
    email: str = "",
    phone: str = "",
    region: str = "",
    sales_experience_years: Decimal | float = 0,
    bench_ready: bool = False,
    earliest_start: dt.date | None = None,
    referrer: SalesRep | None = None,
    existing_rep: SalesRep | None = None,
    notes: str = "",
) -> Candidate:
    """Add a person to the pool. A referral names its referrer."""
    if not first_name.strip() or not last_name.strip():
        raise ApplicationError(
            _("The first name and the last name are required."), field="first_name"
        )
    if source not in Candidate.Source.values:
        raise ApplicationError(
            _("The source must be one of: %(values)s.")
            % {"values": ", ".join(str(label) for label in Candidate.Source.labels)},
            field="source",
        )
    if source == Candidate.Source.REFERRAL and referrer is None:
        raise ApplicationError(
            _("A referral needs the person who referred the candidate."), field="referrer"
        )
    _check_experience(Decimal(str(sales_experience_years)))
    date_check(earliest_start, field="earliest_start", label=_("earliest start date"))
    return Candidate.objects.create(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        source=source,
        email=email,
        phone=phone,
        region=region,
        sales_experience_years=Decimal(str(sales_experience_years)),
        bench_ready=bench_ready or source == Candidate.Source.BENCH,
        earliest_start=earliest_start,
        referrer=referrer if source == Candidate.Source.REFERRAL else None,
        existing_rep=existing_rep,
        notes=notes,
    )


CANDIDATE_EDITABLE = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "source",
    "referrer",
    "region",
    "sales_experience_years",
    "bench_ready",
    "earliest_start",
    "notes",
)


def candidate_update(*, candidate: Candidate, **changes) -> Candidate:
    """Keep a pool record current (bench readiness, earliest start…); saves only what changed."""
    unknown = set(changes) - set(CANDIDATE_EDITABLE)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    merged = {name: changes.get(name, getattr(candidate, name)) for name in CANDIDATE_EDITABLE}
    if not str(merged["first_name"]).strip() or not str(merged["last_name"]).strip():
        raise ApplicationError(
            _("The first name and the last name are required."), field="first_name"
        )
    if merged["source"] not in Candidate.Source.values:
        raise ApplicationError(
            _("The source must be one of: %(values)s.")
            % {"values": ", ".join(str(label) for label in Candidate.Source.labels)},
            field="source",
        )
    if merged["source"] == Candidate.Source.REFERRAL and merged["referrer"] is None:
        raise ApplicationError(
            _("A referral needs the person who referred the candidate."), field="referrer"
        )
    _check_experience(Decimal(str(merged["sales_experience_years"])))
    date_check(
        changes.get("earliest_start"), field="earliest_start", label=_("earliest start date")
    )
    changed = [name for name in changes if getattr(candidate, name) != changes[name]]
    if not changed:
        return candidate
    for name in changed:
        setattr(candidate, name, changes[name])
    candidate.save(update_fields=[*changed, "updated_at"])
    return candidate


# --- the pipeline ------------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    vacancy: Vacancy,
    candidate: Candidate,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Put a pool candidate on a vacancy, at the first stage, with the first history entry."""
    now = now or timezone.now()
    if vacancy.status not in (Vacancy.Status.OPEN, Vacancy.Status.ON_HOLD):
        raise ApplicationError(
            _(
                "The vacancy %(vacancy)s is %(status)s: only an open vacancy or one on hold "
                "takes candidates."
            )
            % {"vacancy": vacancy, "status": vacancy.get_status_display().lower()}
        )
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status in (Candidate.Status.HIRED, Candidate.Status.UNAVAILABLE):
        raise ApplicationError(
            _("%(candidate)s is %(status)s and cannot be put on a vacancy.")
            % {"candidate": candidate, "status": candidate.get_status_display().lower()}
        )
    if Application.objects.filter(vacancy=vacancy, candidate=candidate).exists():
        raise ApplicationError(
            _("%(candidate)s is already on this vacancy.") % {"candidate": candidate}
        )
    application = Application.objects.create(
        vacancy=vacancy,
        candidate=candidate,
        stage=Application.Stage.SOURCED,
        stage_entered_at=now,
        source=candidate.source,
    )
    StageChange.objects.create(
        application=application,
        from_stage="",
        to_stage=Application.Stage.SOURCED,
        changed_at=now,
        changed_by=by,
    )
    if candidate.status != Candidate.Status.IN_PROCESS:
        candidate.status = Candidate.Status.IN_PROCESS
        candidate.save(update_fields=["status", "updated_at"])
    return application


def _candidate_back_to_pool(candidate: Candidate) -> None:
    """Available again unless still in another live pipeline."""
    still_active = candidate.applications.filter(stage__in=ACTIVE_STAGES).exists()
    status = Candidate.Status.IN_PROCESS if still_active else Candidate.Status.AVAILABLE
    if candidate.status != status:
        candidate.status = status
        candidate.save(update_fields=["status", "updated_at"])


@transaction.atomic
def application_move(
    *,
    application: Application,
    to_stage: str,
    by: User | None = None,
    reason: str = "",
    note: str = "",
    start_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Move an application to another stage and keep the move in its history.

    * Closed stages (hired, rejected, withdrew) are final.
    * Withdrawing from the offer stage is a declined offer: ``reason`` is required, and the
      candidate returns to the pool as a past decliner with that reason.
    * Hired fills the vacancy (once the approved headcount is hired), creates or links the new
      rep and their onboarding plan (see ``application_hire``).
    """
    now = now or timezone.now()
    application = (
        Application.objects.select_for_update()
        .select_related("candidate", "vacancy")
        .get(pk=application.pk)
    )
    if to_stage not in Application.Stage.values:
        raise ApplicationError(
            _("The stage must be one of: %(values)s.")
            % {"values": ", ".join(str(label) for label in Application.Stage.labels)},
            field="stage",
        )
    from_stage = application.stage
    if from_stage in CLOSED_STAGES:
        raise ApplicationError(
            _("%(candidate)s's application to %(vacancy)s is %(stage)s; it cannot move.")
            % {
                "candidate": application.candidate,
                "vacancy": application.vacancy,
                "stage": application.get_stage_display(),
            }
        )
    if to_stage == from_stage:
        return application
    declined_offer = (
        from_stage == Application.Stage.OFFER and to_stage == Application.Stage.WITHDREW
    )
    if declined_offer and not reason.strip():
        raise ApplicationError(_("Say why the candidate declined the offer."), field="reason")
    if to_stage == Application.Stage.HIRED and application.vacancy.status == Vacancy.Status.FILLED:
        raise ApplicationError(
            _("The vacancy %(vacancy)s is already filled.") % {"vacancy": application.vacancy}
        )

    application.stage = to_stage
    application.stage_entered_at = now
    fields = ["stage", "stage_entered_at", "updated_at"]
    if declined_offer:
        application.decline_reason = reason.strip()
        fields.append("decline_reason")
    application.save(update_fields=fields)
    StageChange.objects.create(
        application=application,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_at=now,
        changed_by=by,
        note=(note or reason).strip(),
    )
    candidate = application.candidate
    if declined_offer:
        candidate.source = Candidate.Source.PAST_DECLINER
        candidate.last_decline_reason = reason.strip()
        candidate.save(update_fields=["source", "last_decline_reason", "updated_at"])
        _candidate_back_to_pool(candidate)
    elif to_stage in (Application.Stage.REJECTED, Application.Stage.WITHDREW):
        _candidate_back_to_pool(candidate)
    elif to_stage == Application.Stage.HIRED:
        application_hire(
            application=application, start_date=start_date, today=now.date(), by=by, now=now
        )
    return application


def application_hire(
    *,
    application: Application,
    start_date: dt.date | None = None,
    today: dt.date,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> OnboardingPlan:
    """The hire itself: the new rep (or the linked existing one), the vacancy, the plan.

    Called by ``application_move`` inside its transaction. The start date defaults to the
    candidate's earliest start, or today, whichever is later. Once the vacancy is filled, the
    other applications close ("position filled") and those candidates return to the pool; the
    successor of a departure gets a drafted handover plan of the leaving rep's customers, from
    whoever covers them now (see ``handover_plan_create_for_successor``).
    """
    candidate = application.candidate
    vacancy = application.vacancy
    start = start_date or max(candidate.earliest_start or today, today)
    # A rep hired in the year 1 made the cost of departures a 500 for everyone.
    date_check(start, field="start_date", label=_("start date"))
    if candidate.existing_rep_id:
        rep = SalesRep.objects.select_for_update().get(pk=candidate.existing_rep_id)
        team_before = rep.team_id
        rep.team = vacancy.team
        rep.title = vacancy.role
        rep.status = SalesRep.Status.ACTIVE
        rep.departure_date = None
        rep.departure_reason = ""
        rep.save(
            update_fields=[
                "team",
                "title",
                "status",
                "departure_date",
                "departure_reason",
                "updated_at",
            ]
        )
        team_history_follow(reps=[rep], on=start, teams_before={rep.pk: team_before})
    else:
        rep = rep_create(
            team_id=vacancy.team_id,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            email=candidate.email,
            title=vacancy.role,
            region=vacancy.region or candidate.region,
            hire_date=start,
        )
        candidate.existing_rep = rep
    candidate.status = Candidate.Status.HIRED
    candidate.save(update_fields=["status", "existing_rep", "updated_at"])
    application.start_date = start
    application.save(update_fields=["start_date", "updated_at"])

    hired = vacancy.applications.filter(stage=Application.Stage.HIRED).count()
    if hired >= vacancy.approved_headcount:
        vacancy.status = Vacancy.Status.FILLED
        vacancy.filled_on = max(today, vacancy.opened_on)
    if vacancy.successor_id is None:
        vacancy.successor = rep
    vacancy.save(update_fields=["status", "filled_on", "successor", "updated_at"])

    if vacancy.status == Vacancy.Status.FILLED:
        _applications_close_filled(vacancy=vacancy, by=by, now=now or timezone.now())
    if vacancy.leaving_rep_id is not None and vacancy.successor_id == rep.pk:
        handover_plan_create_for_successor(
            leaving_rep=vacancy.leaving_rep, successor=rep, created_by=by, today=today
        )
    return onboarding_plan_create(
        rep=rep,
        start_date=start,
        template=onboarding_template_default(),
        vacancy=vacancy,
        application=application,
    )


POSITION_FILLED = StageChange.NoteCode.POSITION_FILLED


def _applications_close_filled(*, vacancy: Vacancy, by: User | None, now: dt.datetime) -> None:
    """Close the applications still open on a filled vacancy, with the reason in their history,
    and return those candidates to the pool (unless another pipeline still holds them)."""
    others = list(
        vacancy.applications.select_for_update()
        .filter(stage__in=ACTIVE_STAGES)
        .select_related("candidate")
    )
    for other in others:
        StageChange.objects.create(
            application=other,
            from_stage=other.stage,
            to_stage=Application.Stage.REJECTED,
            changed_at=now,
            changed_by=by,
            note=str(POSITION_FILLED.label),
            note_code=POSITION_FILLED,
        )
        other.stage = Application.Stage.REJECTED
        other.stage_entered_at = now
        other.save(update_fields=["stage", "stage_entered_at", "updated_at"])
    for other in others:
        _candidate_back_to_pool(other.candidate)


def interview_feedback_add(
    *, application: Application, author: User, rating: int, comment: str = ""
) -> InterviewFeedback:
    """Rate an interview from 1 to 5 (a whole number: not "4", 4.5 or ``True``)."""
    if not whole_number_between(rating, 1, 5):
        raise ApplicationError(_("The rating must be a whole number from 1 to 5."), field="rating")
    return InterviewFeedback.objects.create(
        application=application, author=author, rating=rating, comment=comment.strip()
    )


# --- onboarding --------------------------------------------------------------------------------


# A task falls due at most ten years after the start date: anything further is a slip of the
# keyboard (and a billion days would take the due date past the year 9999: a 500 on hiring).
ONBOARDING_DUE_DAYS_MAX = 3650


def _choices_as_stored(choices: list[tuple[str, str]]) -> str:
    """A template's allowed values for people who write its tasks: each label with the value
    the template stores ("Manager (manager), HR (hr), ...")."""
    return ", ".join(f"{label} ({value})" for value, label in choices)


def onboarding_template_validate(tasks: object) -> None:
    """Refuse a template's tasks that cannot be copied into a plan, naming the task by its
    number: each needs a title that fits a task's, an owner and a kind among the choices, and a
    due day that is a whole number of days from 0 to ``ONBOARDING_DUE_DAYS_MAX``."""
    if not isinstance(tasks, list) or not tasks:
        raise ApplicationError(_("The template needs at least one task."), field="tasks")
    title_max = OnboardingTask._meta.get_field("title").max_length
    for n, task in enumerate(tasks, start=1):
        title = task.get("title") if isinstance(task, dict) else None
        if not isinstance(title, str) or not title.strip():
            raise ApplicationError(
                _("Task %(n)s: the title is required.") % {"n": n}, field="tasks"
            )
        if len(title) > title_max:
            raise ApplicationError(
                _("Task %(n)s: the title must be at most %(largest)s characters.")
                % {"n": n, "largest": title_max},
                field="tasks",
            )
        if task.get("owner") not in OwnerRole.values:
            raise ApplicationError(
                _("Task %(n)s: the owner must be one of: %(values)s.")
                % {"n": n, "values": _choices_as_stored(OwnerRole.choices)},
                field="tasks",
            )
        if task.get("kind", OnboardingTask.Kind.OTHER) not in OnboardingTask.Kind.values:
            raise ApplicationError(
                _("Task %(n)s: the kind must be one of: %(values)s.")
                % {"n": n, "values": _choices_as_stored(OnboardingTask.Kind.choices)},
                field="tasks",
            )
        if not whole_number_between(task.get("due_days"), 0, ONBOARDING_DUE_DAYS_MAX):
            raise ApplicationError(
                _(
                    "Task %(n)s: the due day must be a whole number of days from the start "
                    "date, 0 to %(largest)s."
                )
                % {"n": n, "largest": ONBOARDING_DUE_DAYS_MAX},
                field="tasks",
            )


def onboarding_template_default() -> OnboardingTemplate:
    """The default template, created with the standard checklist the first time it is needed."""
    template = OnboardingTemplate.objects.filter(is_default=True).first()
    if template is not None:
        return template
    template, _ = OnboardingTemplate.objects.get_or_create(
        name=DEFAULT_TEMPLATE_NAME,
        defaults={"is_default": True, "tasks": DEFAULT_TEMPLATE_TASKS},
    )
    return template


def _introductions(vacancy: Vacancy | None, start: dt.date) -> list[tuple[Customer, str]]:
    """The vacancy's customers and who introduces the new rep: the current cover, else the
    outgoing rep if still there, else the team's manager."""
    if vacancy is None or vacancy.leaving_rep is None:
        return []
    leaving = vacancy.leaving_rep
    day = min(leaving.departure_date or start, start)
    book = (
        Assignment.objects.filter(rep=leaving, role=Assignment.Role.OWNER, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values_list("customer_id", flat=True)
    )
    covers = {
        a.customer_id: a.holder_name
        for a in Assignment.objects.filter(
            customer_id__in=book,
            valid_to__isnull=True,
            role__in=[Assignment.Role.TEMPORARY_COVER, Assignment.Role.MANAGER_COVER],
        ).select_related("rep", "manager")
    }
    still_there = leaving.departure_date is None or leaving.departure_date >= start
    out = []
    for customer in Customer.objects.filter(pk__in=book).order_by("-annual_revenue", "name"):
        if customer.pk in covers:
            introducer = covers[customer.pk]
        elif still_there:
            introducer = leaving.full_name
        else:
            introducer = str(vacancy.hiring_manager or "")
        out.append((customer, introducer))
    return out


@transaction.atomic
def onboarding_plan_create(
    *,
    rep: SalesRep,
    start_date: dt.date,
    template: OnboardingTemplate,
    vacancy: Vacancy | None = None,
    application: Application | None = None,
) -> OnboardingPlan:
    """Copy a template into the rep's plan: one task per item, due days after the start.

    An "introduction" item becomes one task per customer of the vacancy, naming who introduces
    the new rep; with no such customers it stays a single task.
    """
    try:
        onboarding_template_validate(template.tasks)
    except ApplicationError as refusal:
        # A template stored past the check (the admin's JSON, an older rule) refuses the hire
        # with what to correct, rather than a 500 half-way through copying it.
        raise ApplicationError(
            _(
                'The onboarding template "%(template)s" needs correcting before a plan can be '
                "made from it. %(problem)s"
            )
            % {"template": template, "problem": refusal.message}
        ) from refusal
    if OnboardingPlan.objects.filter(rep=rep).exists():
        raise ApplicationError(_("%(rep)s already has an onboarding plan.") % {"rep": rep})
    due_dates = [
        _due_date(start_date, item["due_days"], n) for n, item in enumerate(template.tasks, 1)
    ]
    plan = OnboardingPlan.objects.create(
        rep=rep,
        start_date=start_date,
        template=template,
        vacancy=vacancy,
        application=application,
    )
    # The stored title of an introduction is a fallback (it is worded again for each reader,
    # onboarding_task_title), cut to fit: a customer's name alone may fill the column.
    title_max = OnboardingTask._meta.get_field("title").max_length
    tasks = []
    for item, due in zip(template.tasks, due_dates, strict=True):
        kind = item.get("kind", OnboardingTask.Kind.OTHER)
        intros = _introductions(vacancy, start_date) if kind == "introduction" else []
        if intros:
            for customer, introducer in intros:
                tasks.append(
                    OnboardingTask(
                        plan=plan,
                        title=Truncator(introduction_title(customer.name)).chars(title_max),
                        kind=kind,
                        owner_role=item["owner"],
                        customer=customer,
                        introduced_by=introducer,
                        due_date=due,
                    )
                )
        else:
            tasks.append(
                OnboardingTask(
                    plan=plan,
                    title=item["title"],
                    kind=kind,
                    owner_role=item["owner"],
                    due_date=due,
                )
            )
    OnboardingTask.objects.bulk_create(tasks)
    return plan


def _due_date(start_date: dt.date, due_days: int, n: int) -> dt.date:
    try:
        return start_date + dt.timedelta(days=due_days)
    except OverflowError:
        raise ApplicationError(
            _(
                "The start date %(day)s is too far ahead to plan onboarding: task %(n)s would "
                "be due after the year 9999."
            )
            % {"day": start_date.isoformat(), "n": n},
            field="start_date",
        ) from None


def introduction_title(customer_name: str) -> str:
    return _("Introduction to %(customer)s") % {"customer": customer_name}


def onboarding_task_title(task: OnboardingTask) -> str:
    """A task's title in the active language: an introduction to a customer was worded by
    Relay, so it is worded again; a title from the template stays as written there."""
    if task.kind == OnboardingTask.Kind.INTRODUCTION and task.customer is not None:
        return introduction_title(task.customer.name)
    return relay_default_text(task.title)


def onboarding_task_set_done(
    *, task: OnboardingTask, done: bool, by: User | None = None, now: dt.datetime | None = None
) -> OnboardingTask:
    if done == task.is_done:
        return task
    task.done_at = (now or timezone.now()) if done else None
    task.done_by = by if done else None
    task.save(update_fields=["done_at", "done_by", "updated_at"])
    return task

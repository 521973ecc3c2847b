"""HR's part of the demo: vacancies, a candidate pool with a reserve bench, and hires at
different ramp stages. Runs after ``seed_demo`` (on ``retention.events.demo_seeded``).

Deterministic from the seed and end date. It reads the organisation the demo just wrote:

* every recorded departure (the most recent 300 in a large organisation), a rep serving notice
  included, opens its vacancy through the service ``rep_departed`` calls (the demo writes reps
  in bulk, so no event fires), as HR would on hearing of it: 30 days before the last day, and
  not after the end date;
* a rep hired into the same team within 120 days after a departure (and not before 45 days
  ahead of it) becomes that vacancy's successor, the one who took over the leaver's customers
  first (the generator's successor in the seat, whose vacancy and ramp-up lost the sales the
  generator planted, see ``retention.demo``): a candidate with a full stage history, a
  filled vacancy and an onboarding plan whose tasks are done up to the end date. Their real
  demo sales give the ramp-up (older hires are ramped, recent ones still ramping);
* vacancies still without a successor get pipelines at different stages;
* a pool of candidates from every source, a reserve bench in each region, past decliners with
  their reasons, and one growth vacancy per region.
"""

import datetime as dt
import itertools
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Team, User
from handover.hiring import services
from handover.models import (
    Application,
    Candidate,
    InterviewFeedback,
    OnboardingPlan,
    OnboardingTask,
    StageChange,
    Vacancy,
)
from retention.models import Assignment, SalesRep

DEMO_EMAIL_DOMAIN = "candidates.relay-demo.example"
MAX_DEMO_VACANCIES = 300
FIRST = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Finn",
    "Gia",
    "Hugo",
    "Ines",
    "Jon",
    "Kira",
    "Liam",
    "Maya",
    "Noah",
    "Olga",
    "Pau",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Uma",
    "Vik",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
]
LAST = [
    "Adler",
    "Brandt",
    "Costa",
    "Dahl",
    "Eze",
    "Fischer",
    "Garcia",
    "Haas",
    "Ito",
    "Jensen",
    "Keller",
    "Lopez",
    "Moreau",
    "Nowak",
    "Olsen",
    "Petrov",
    "Quist",
    "Rossi",
    "Sato",
    "Tanaka",
    "Ueda",
    "Vogel",
    "Weber",
    "Xu",
    "Young",
    "Zimmer",
]
DECLINE_REASONS = [
    "Accepted a counter-offer from the current employer",
    "Salary below expectations",
    "Commute too long for the territory",
    "Chose a role with a smaller quota",
]
FEEDBACK = ["Good discovery questions.", "Needs coaching on pricing.", "Strong closer."]
SOURCE_WEIGHTS = [
    (Candidate.Source.BENCH, 3),
    (Candidate.Source.REFERRAL, 3),
    (Candidate.Source.INTERNAL, 1),
    (Candidate.Source.AGENCY, 2),
    (Candidate.Source.JOB_BOARD, 4),
    (Candidate.Source.OTHER, 1),
]
# The same demo in Chinese (seed_demo --locale zh-hans): the draws are the English ones, each
# written through this table (names index for index), so the data is the same but for words.
ZH_FIRST = dict(zip(FIRST, [
    "安娜", "斌", "晓琪", "德伟", "依琳", "方舟", "佳怡", "浩然", "一诺", "俊杰", "可欣", "立强",
    "美玲", "诺言", "奥琴", "宝华", "倩", "若曦", "思明", "天娇", "雨萌", "维克", "文静", "晓辉",
    "雅茹", "子怡",
], strict=True))
ZH_LAST = dict(zip(LAST, [
    "艾", "卜", "崔", "戴", "鄂", "费", "葛", "韩", "伊", "简", "柯", "龙", "莫", "倪", "欧阳",
    "裴", "屈", "荣", "佘", "谭", "尤", "万", "闻", "徐", "杨", "章",
], strict=True))
ZH_TEXTS = {
    "Accepted a counter-offer from the current employer": "接受了现雇主的挽留报价",
    "Salary below expectations": "薪资低于预期",
    "Commute too long for the territory": "通勤距离太远，不适合该辖区",
    "Chose a role with a smaller quota": "选择了业绩指标更低的岗位",
    "Account executive": "客户经理",
    "Growth headcount approved for the new-accounts push.": "为拓展新客户已批准新增编制。",
    "Good discovery questions.": "需求挖掘问题问得好。",
    "Needs coaching on pricing.": "报价方面需要辅导。",
    "Strong closer.": "成单能力强。",
    "new accounts": "新客户",
}

PIPELINE = [
    Application.Stage.SOURCED,
    Application.Stage.SCREENING,
    Application.Stage.INTERVIEW,
    Application.Stage.OFFER,
]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


class _Maker:
    def __init__(self, rng: random.Random, end_date: dt.date, locale: str = "en") -> None:
        self.rng = rng
        self.end = end_date
        self.chinese = locale == "zh-hans"
        self.count = 0
        self.reps = list(SalesRep.objects.filter(status=SalesRep.Status.ACTIVE).order_by("id"))
        # Full names as shown, so that no candidate is named like a rep or another candidate.
        self.taken = {
            *SalesRep.objects.values_list("first_name", "last_name"),
            *Candidate.objects.values_list("first_name", "last_name"),
        }

    def say(self, text: str) -> str:
        return ZH_TEXTS.get(text, text) if self.chinese else text

    def source(self) -> str:
        sources, weights = zip(*SOURCE_WEIGHTS, strict=True)
        return self.rng.choices(sources, weights=weights)[0]

    def shown(self, first: str, last: str) -> tuple[str, str]:
        """A drawn name as the demo writes it (a double-barrelled surname part by part)."""
        if not self.chinese:
            return first, last
        return ZH_FIRST[first], "".join(ZH_LAST[part] for part in last.split("-"))

    def unique(self, first: str, last: str) -> tuple[str, tuple[str, str]]:
        """The drawn surname, or if that full name is taken, the next of ``LAST`` (round the
        list) that makes it new, then a double-barrelled one; with the name as shown. No extra
        random draw, so the rest of the demo stays as it was."""
        start = LAST.index(last)
        options = itertools.chain(
            (LAST[(start + step) % len(LAST)] for step in range(len(LAST))),
            (f"{a}-{b}" for a in LAST for b in LAST if a != b),
        )
        for option in options:
            shown = self.shown(first, option)
            if shown not in self.taken:
                self.taken.add(shown)
                return option, shown
        raise ValueError(f"no free name left for {first}")

    def candidate(self, *, region: str, source: str | None = None, **extra) -> Candidate:
        self.count += 1
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        last, (shown_first, shown_last) = self.unique(first, last)
        source = source or self.source()
        bench = source == Candidate.Source.BENCH
        fields = {
            "first_name": shown_first,
            "last_name": shown_last,
            "email": f"{first}.{last}.{self.count}@{DEMO_EMAIL_DOMAIN}".lower(),
            "source": source,
            "region": region,
            "sales_experience_years": Decimal(self.rng.choice([0, 0, 1, 2, 3, 4, 6, 8])),
            "bench_ready": bench,
            "earliest_start": (
                self.end + dt.timedelta(days=self.rng.choice([0, 7, 14, 21, 30, 45]))
                if bench
                else None
            ),
        }
        if source == Candidate.Source.REFERRAL:
            fields["referrer"] = self.rng.choice(self.reps) if self.reps else None
            if fields["referrer"] is None:
                fields["source"] = Candidate.Source.OTHER
        fields.update(extra)
        return services.candidate_create(**fields)


def _history(application: Application, stages: list[str], days: list[dt.date], by) -> None:
    """Walk an application through ``stages`` on ``days``, recording every move."""
    previous = application.stage
    for stage, day in zip(stages, days, strict=True):
        StageChange.objects.create(
            application=application,
            from_stage=previous,
            to_stage=stage,
            changed_at=_at(day),
            changed_by=by,
        )
        previous = stage
    application.stage = previous
    application.stage_entered_at = _at(days[-1])
    application.save(update_fields=["stage", "stage_entered_at", "updated_at"])


def _apply(vacancy: Vacancy, candidate: Candidate, day: dt.date, by) -> Application:
    return services.application_create(vacancy=vacancy, candidate=candidate, by=by, now=_at(day))


@transaction.atomic
def hiring_demo_seed(*, seed: int, end_date: dt.date, locale: str = "en") -> dict[str, int]:
    """Write the HR demo data for the organisation ``seed_demo`` has just written, in the
    demo's language (``zh-hans``: the same data in Chinese words)."""
    rng = random.Random(f"hiring-{seed}-{end_date.isoformat()}")
    Candidate.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()
    make = _Maker(rng, end_date, locale)
    hr = User.objects.filter(role=User.Role.HR).order_by("id").first()
    template = services.onboarding_template_default()
    regions = sorted({r for r in Team.objects.values_list("region", flat=True) if r})

    # Departures open their vacancies, opened 30 days before the last day (notice), or at hire;
    # a rep still serving notice on the end date has told HR by then, so theirs is open too.
    # Only the most recent ones: a 10,000-seat benchmark organisation has thousands of
    # departures, and a few hundred vacancies show every stage of the work just as well.
    departed = list(
        SalesRep.objects.filter(departure_date__isnull=False)
        .filter(Q(departure_date__lte=end_date) | Q(status=SalesRep.Status.NOTICE))
        .select_related("team")
        .order_by("-departure_date", "-id")[:MAX_DEMO_VACANCIES]
    )[::-1]
    hires_by_team: dict[int, list[SalesRep]] = defaultdict(list)
    for rep in SalesRep.objects.order_by("hire_date", "id"):
        hires_by_team[rep.team_id].append(rep)
    used: set[int] = set()
    filled = 0
    for leaver in departed:
        opened = min(
            max(leaver.hire_date, leaver.departure_date - dt.timedelta(days=30)), end_date
        )
        vacancy = services.vacancy_open_for_departure(
            rep_id=leaver.pk, departure_date=leaver.departure_date, today=opened
        )
        if vacancy.applications.exists():
            continue  # seeded before: leave it as it is
        vacancy.salary_min = Decimal(rng.choice([42_000, 48_000, 55_000]))
        vacancy.salary_max = vacancy.salary_min + Decimal(12_000)
        vacancy.save(update_fields=["salary_min", "salary_max", "updated_at"])
        # Still serving: the seat's successor comes after the last day, past the end date,
        # so a rep hired meanwhile fills some other seat.
        serving = leaver.departure_date > end_date
        in_window = [
            rep
            for rep in hires_by_team[leaver.team_id]
            if not serving
            and rep.pk not in used
            and rep.pk != leaver.pk
            and leaver.departure_date - dt.timedelta(days=45)
            <= rep.hire_date
            <= leaver.departure_date + dt.timedelta(days=120)
            and rep.hire_date > opened
        ]
        successor = _taker_of_book(leaver, in_window)
        if successor is not None and OnboardingPlan.objects.filter(rep=successor).exists():
            successor = None
        if successor is not None:
            used.add(successor.pk)
            _fill(make, vacancy, successor, template, hr)
            filled += 1
        else:
            _pipeline(make, vacancy, hr)

    # The standing pool: a bench in every region, past decliners, and the rest.
    for region in regions:
        for _ in range(rng.randint(2, 4)):
            make.candidate(region=region, source=Candidate.Source.BENCH)
        for _ in range(rng.randint(4, 7)):
            make.candidate(region=region)
        decliner = make.candidate(region=region, source=Candidate.Source.PAST_DECLINER)
        decliner.last_decline_reason = make.say(rng.choice(DECLINE_REASONS))
        decliner.save(update_fields=["last_decline_reason", "updated_at"])
        team = Team.objects.filter(region=region, parent__isnull=False).order_by("id").first()
        if team is not None:
            growth = services.vacancy_create(
                team=team,
                opened_on=end_date - dt.timedelta(days=rng.randint(5, 40)),
                role=make.say("Account executive"),
                region=region,
                territory=f"{region} / {make.say('new accounts')}",
                hiring_manager=team.managers.order_by("id").first(),
                salary_min=Decimal(50_000),
                salary_max=Decimal(64_000),
                target_fill_date=end_date + dt.timedelta(days=45),
                notes=make.say("Growth headcount approved for the new-accounts push."),
            )
            _pipeline(make, growth, hr)
    return {
        "vacancies": Vacancy.objects.count(),
        "vacancies_filled": filled,
        "candidates": Candidate.objects.count(),
        "bench": Candidate.objects.filter(bench_ready=True).count(),
    }


def _taker_of_book(leaver: SalesRep, hires: list[SalesRep]) -> SalesRep | None:
    """Of the hires in the window, the one who took over most of the leaver's customers on
    their first day (the seat's successor in the demo generator, so the vacancy and ramp-up the
    departure-cost page measures are the ones whose losses the generator planted); else the
    first of them."""
    if not hires:
        return None
    book = Assignment.objects.filter(
        rep=leaver,
        role=Assignment.Role.OWNER,
        valid_from__lte=leaver.departure_date,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=leaver.departure_date))
    taken = dict(
        Assignment.objects.filter(
            rep__in=hires,
            role=Assignment.Role.OWNER,
            customer_id__in=book.values("customer_id"),
        )
        .values_list("rep_id")
        .annotate(n=Count("id"))
        .values_list("rep_id", "n")
    )
    return max(hires, key=lambda rep: (taken.get(rep.pk, 0), -hires.index(rep)))


def _fill(make: _Maker, vacancy: Vacancy, successor: SalesRep, template, hr) -> None:
    """The successor's way in: candidate, full stage history, filled vacancy, onboarding plan."""
    rng = make.rng
    hired_on = max(vacancy.opened_on, successor.hire_date - dt.timedelta(days=rng.randint(7, 21)))
    source = make.source()
    candidate = Candidate.objects.create(
        first_name=successor.first_name,
        last_name=successor.last_name,
        email=f"{successor.first_name}.{successor.last_name}.{successor.pk}@{DEMO_EMAIL_DOMAIN}".lower(),
        source=source if source != Candidate.Source.REFERRAL else Candidate.Source.JOB_BOARD,
        region=successor.region,
        sales_experience_years=Decimal(rng.choice([0, 1, 2, 3, 5])),
        bench_ready=source == Candidate.Source.BENCH,
        existing_rep=successor,
    )
    span = max(1, (hired_on - vacancy.opened_on).days)
    days = sorted(vacancy.opened_on + dt.timedelta(days=int(span * f)) for f in (0.2, 0.45, 0.8))
    days = [vacancy.opened_on, *days, hired_on]
    application = _apply(vacancy, candidate, days[0], hr)
    _history(application, [*PIPELINE[1:], Application.Stage.HIRED], days[1:], hr)
    application.start_date = successor.hire_date
    application.save(update_fields=["start_date"])
    candidate.status = Candidate.Status.HIRED
    candidate.save(update_fields=["status", "updated_at"])
    vacancy.status = Vacancy.Status.FILLED
    vacancy.filled_on = hired_on
    vacancy.successor = successor
    vacancy.save(update_fields=["status", "filled_on", "successor", "updated_at"])
    plan = services.onboarding_plan_create(
        rep=successor,
        start_date=successor.hire_date,
        template=template,
        vacancy=vacancy,
        application=application,
    )
    # Tasks due before the demo's end are done (a few late ones still open).
    end = make.end
    for task in OnboardingTask.objects.filter(plan=plan, due_date__lt=end):
        if rng.random() < 0.9:
            task.done_at = _at(min(task.due_date, end))
            task.save(update_fields=["done_at"])


def _pipeline(make: _Maker, vacancy: Vacancy, hr) -> None:
    """Two to five people at different stages; some declined offers along the way."""
    rng = make.rng
    opened = vacancy.opened_on
    managers = list(vacancy.team.managers.all()) or (
        [vacancy.hiring_manager] if vacancy.hiring_manager else []
    )
    for _ in range(rng.randint(2, 5)):
        candidate = make.candidate(region=vacancy.region if rng.random() < 0.7 else "")
        depth = rng.randint(0, len(PIPELINE) - 1)
        elapsed = max(1, (make.end - opened).days)
        days = sorted(opened + dt.timedelta(days=rng.randint(0, elapsed)) for _ in range(depth + 1))
        application = _apply(vacancy, candidate, days[0], hr)
        if depth:
            _history(application, PIPELINE[1 : depth + 1], days[1:], hr)
        if depth >= 2 and managers:
            InterviewFeedback.objects.create(
                application=application,
                author=rng.choice(managers),
                rating=rng.randint(2, 5),
                comment=make.say(rng.choice(FEEDBACK)),
            )
        if depth == len(PIPELINE) - 1 and rng.random() < 0.4:
            services.application_move(
                application=application,
                to_stage=Application.Stage.WITHDREW,
                reason=make.say(rng.choice(DECLINE_REASONS)),
                by=hr,
                now=_at(min(days[-1] + dt.timedelta(days=2), make.end)),
            )

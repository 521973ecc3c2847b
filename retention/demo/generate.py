"""The demo organisation as numbers: pure numpy/pandas, no database (see the package docstring).

Days are integers counted from the first day of the history (day 0); the last day of the history
(the "end date", usually today) is ``days - 1``. Hire dates before the history are negative.
People are indexed 0…n-1 in the order they are written; the writer maps indices to ids.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# Per-year hazards of leaving, by reason. Tenure shifts the voluntary one (see _voluntary_factor).
VOLUNTARY_RATE = 0.22
INVOLUNTARY_RATE = 0.045
TRANSFER_RATE = 0.03
QUIET_LEAVER_SHARE = 0.20
WORRYING_STAYER_SHARE = 0.14  # of whom ~70% have room for a spell: ~10% of stayers
# How far ahead of a (still unannounced) voluntary departure the signals may already show.
SIGNAL_ONSET_DAYS = (45, 150)
CHUNK_PEOPLE = 250  # history is generated per fixed-size chunk of people, so output is stable
ENGAGEMENT_HAZARD = 0.45  # voluntary hazard × exp(−0.45 · engagement)
# Each demo manager's scope gets, at the end date, one rep serving notice (last day this many
# days ahead) and reps who will resign later and already show it (last days this far ahead).
DEMO_NOTICE_DAYS = 12
DEMO_AT_RISK_DAYS = (25, 35, 45)
DEMO_STRAIN_DAYS = 120  # their strain began at least this long before their last day

# Sales are the territory's (a seat's book of customers), whoever serves it; the occupant decides
# how much of it is realised. See _seat_deals and the package docstring.
DEAL_RATE = 1.0  # deals a territory would open per workday with its usual rep, before season
WIN_RATE = 0.32
DEAL_SIZE_DIVISOR = 85  # mean deal = the territory's annual value / 85
MARKET_GROWTH = 0.12  # the market grows 12% a year: every territory sells more over time
VACANCY_KEEP = (0.3, 0.6)  # share of a vacant territory's business the covers still win
CHURN_SHARE = 0.08  # of a leaver's customers, who stop buying when the rep leaves
RAMP_DEAL_DAYS = 150  # a new rep realises 25% of the territory at first, all of it after this
RAMP_DEAL_FLOOR = 0.25
LOSS_CAUSES = ("strain", "vacancy", "ramp_up", "churn")


def _words(text: str) -> list[str]:
    return text.split()


REGION_NAMES = ["North", "South", "East", "West", "Central", "Coast", "Mountain", "Lakes"]
TITLES = [
    ("Sales Representative", 350_000),
    ("Account Executive", 600_000),
    ("Senior Account Executive", 850_000),
    ("Key Account Manager", 1_100_000),
]
FIRST_NAMES = _words(
    "Aisha Alex Amelia Ana Andrea Anton Ben Bianca Carla Carlos Chen Chloe Daniel Dara David "
    "Elena Emil Emma Erik Fatima Felix Freya Gabriel Grace Hana Hugo Ines Isaac Ivan Jana Javier "
    "Jonas Julia Kai Karin Laila Lars Leo Lina Lucas Maja Marco Maria Mateo Mei Mia Mohammed "
    "Nadia Nina Noah Olga Omar Paula Pedro Priya Rafael Rosa Ruben Sara Sofia Stefan Tariq Tomas "
    "Uma Valentina Victor Wei Yara Yusuf Zoe Adam Beatriz Clara Diego Eva Filip Hannah Ida Jakob "
    "Kofi Liam Marta Niko Oskar Petra Quinn Rania Samuel Tessa Ugo Vera Will Xenia Yosef Zara"
)
LAST_NAMES = _words(
    "Abbott Adler Almeida Andersen Baker Bauer Becker Berg Bianchi Brandt Brown Carter Castro "
    "Chen Costa Dahl Diaz Dubois Eriksen Evans Fischer Fontaine Garcia Gomez Graham Gruber Haas "
    "Hansen Hoffmann Horvat Ito Jansen Jensen Kaur Keller Khan Kim Koch Kowalski Kraus Lang "
    "Larsen Laurent Lee Lindqvist Lopez Marino Martin Meyer Moreau Morris Müller Nagy Nielsen "
    "Novak Okafor Olsen Ortiz Park Patel Perez Petrov Quinn Ramos Reyes Ricci Richter Rossi "
    "Santos Schmidt Schulz Silva Singh Smith Sousa Stein Suzuki Tanaka Torres Vogel Wagner Walsh "
    "Weber Wolf Wong Yilmaz Young Zimmermann Ahmed Baptiste Costa Duarte Engel Falk Gill Holm"
)
COMPANY_PREFIXES = _words(
    "Acme Alder Apex Arrow Atlas Aurora Beacon Birch Blue Bright Cedar Clear Cobalt Crest "
    "Delta Eagle Echo Ember Evergreen Falcon Fern Forge Granite Harbor Helix Horizon Iron "
    "Juniper Keystone Lumen Maple Meridian Nimbus Northwind Nova Oak Orbit Pacific Pine Pioneer "
    "Prairie Quantum Redwood Ridge River Sable Silver Sterling Summit Terra Tidal Trident Union "
    "Vantage Vertex Willow Zenith"
)
INDUSTRIES = {
    "Manufacturing": "Industries",
    "Logistics": "Logistics",
    "Retail": "Retail",
    "Healthcare": "Health",
    "Financial services": "Capital",
    "Energy": "Energy",
    "Construction": "Builders",
    "Food and beverage": "Foods",
    "Technology": "Systems",
    "Hospitality": "Hotels",
    "Education": "Learning",
    "Telecommunications": "Telecom",
}
COMPANY_SUFFIXES = ["Ltd", "Inc", "GmbH", "Group", "AG", "& Co", "plc", "SA", "BV", "Holdings"]
ACTIVITY_KINDS = np.array(["call", "email", "task", "visit", "meeting"])
SUBJECTS = {
    "call": ["Follow-up call", "Pricing call", "Check-in call", "Renewal call", "Intro call"],
    "email": ["Sent proposal", "Answered question", "Sent quote", "Follow-up e-mail", "Recap"],
    "task": ["Prepare quote", "Update forecast", "Prepare review", "Log order", "Research"],
    "visit": ["Site visit", "Quarterly business review", "Product demo", "Account review"],
    "meeting": ["Planning meeting", "Negotiation", "Stakeholder meeting", "Kick-off", "Workshop"],
}
INTERNAL_SUBJECTS = ["Team meeting", "Pipeline review", "Training", "One-to-one"]
DEAL_PRODUCTS = ["Renewal", "Expansion", "New licences", "Services", "Upgrade", "Pilot"]
OPEN_STAGES = ["Qualification", "Discovery", "Proposal", "Negotiation"]
# The two demo logins that are not managers (admin, hr).
LOGIN_NAMES = {"admin": ("Ada", "Admin"), "hr": ("Hana", "Hartmann")}


@dataclass(frozen=True)
class DemoSize:
    reps: int = 150
    teams: int = 15
    regions: int = 3
    customers: int = 1500
    months: int = 18

    def check(self) -> None:
        for name in ("reps", "teams", "regions", "customers", "months"):
            if getattr(self, name) < 1:
                raise ValueError(f"--{name} must be at least 1 (got {getattr(self, name)}).")
        if self.teams < self.regions:
            raise ValueError(
                f"--teams ({self.teams}) must be at least --regions ({self.regions}): "
                "every region needs a team."
            )
        if self.reps < self.teams:
            raise ValueError(f"--reps ({self.reps}) must be at least --teams ({self.teams}).")


@dataclass
class Org:
    """The organisation over the whole history, before any activity is generated."""

    seed: int
    size: DemoSize
    start: dt.date
    end: dt.date
    days: int
    region_names: list[str]
    team_names: list[str]
    team_region: np.ndarray  # team index -> region index
    manager_names: list[tuple[str, str]]  # regions' managers, then teams'
    people: pd.DataFrame  # one row per rep who ever held a seat (see _people)
    customers: pd.DataFrame
    assignments: pd.DataFrame  # customer, person, role, valid_from, valid_to (-1 = open), source
    holdings: dict[int, tuple[np.ndarray, ...]] = field(default_factory=dict)
    owners: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    # With False, departures cost nothing: covers, successors and customers carry on as if the
    # rep had stayed (the null case the departure-cost method must read as about zero).
    sales_losses: bool = True
    seat_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # The language of the names and words ("en", or "zh-hans": retention/demo/chinese.py).
    locale: str = "en"
    # The English region and team names, which the demo logins are named after in any
    # language (manager.east1), regions first.
    login_keys: list[str] = field(default_factory=list)
    login_names: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(LOGIN_NAMES))

    def say(self, values: np.ndarray) -> np.ndarray:
        """Demo texts (subjects, stages, products) in the organisation's language."""
        if self.locale == "en":
            return values
        from retention.demo import chinese

        return chinese.say(values)

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def dates(self, days: np.ndarray) -> np.ndarray:
        """Day numbers to numpy datetime64[D]."""
        return np.datetime64(self.start, "D") + np.asarray(days, dtype="int64")


def months_before(end: dt.date, months: int) -> dt.date:
    """The first day of a history of ``months`` calendar months ending on ``end``."""
    month_index = end.year * 12 + end.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    day = end.day
    while True:
        try:
            return dt.date(year, month, day) + dt.timedelta(days=1)
        except ValueError:
            day -= 1


def workday_mask(start: dt.date, days: int) -> np.ndarray:
    """Monday–Friday, less New Year's Day and 25–26 December."""
    dates = pd.date_range(start, periods=days, freq="D")
    holiday = ((dates.month == 1) & (dates.day == 1)) | (
        (dates.month == 12) & dates.day.isin([25, 26])
    )
    return np.asarray((dates.day_of_week < 5) & ~holiday)


def season_factor(start: dt.date, days: int) -> np.ndarray:
    month = pd.date_range(start, periods=days, freq="D").month.to_numpy()
    factors = np.ones(13)
    factors[[1, 7, 8, 12]] = [0.95, 0.9, 0.8, 0.82]
    return factors[month]


def _voluntary_factor(tenure_days: float) -> float:
    """New people leave more often; long-tenured people less."""
    years = tenure_days / 365.0
    if years < 2:
        return 1.35
    if years < 5:
        return 1.0
    return 0.6


def market_factor(days: int) -> np.ndarray:
    return 1 + MARKET_GROWTH * np.arange(days) / 365.0


LOCALES = ("en", "zh-hans")


def build_org(
    *, seed: int, size: DemoSize, end: dt.date, sales_losses: bool = True, locale: str = "en"
) -> Org:
    """The organisation; ``sales_losses=False`` plants no loss of sales at departures.

    ``locale="zh-hans"`` names it in Chinese; apart from names and words it is the same
    organisation as the English one of the same seed (retention/demo/chinese.py)."""
    size.check()
    if locale not in LOCALES:
        raise ValueError(f"--locale must be one of {', '.join(LOCALES)} (got {locale!r}).")
    rng = np.random.default_rng([seed, 0])
    start = months_before(end, size.months)
    days = (end - start).days + 1
    last = days - 1

    region_names = [
        REGION_NAMES[i] if i < len(REGION_NAMES) else f"Region {i + 1}" for i in range(size.regions)
    ]
    team_region = np.arange(size.teams) % size.regions
    counters = [0] * size.regions
    team_names = []
    for region in team_region:
        counters[region] += 1
        team_names.append(f"{region_names[region]} {counters[region]}")

    seat_team = rng.permutation(np.arange(size.reps) % size.teams)

    # Seats and their occupants: a first occupant hired before the history, then successors.
    rows: list[dict] = []
    for seat in range(size.reps):
        hire = -int(rng.exponential(3.5 * 365) + 30)
        successor = False
        while True:
            tenure_at_start = max(0, -hire)
            # A lasting level of engagement (0 on average; lower is less engaged): the less
            # engaged leave more often, and show it all along (see history_chunk), not only
            # as a change in their last months.
            engagement = float(rng.normal())
            vol = (
                VOLUNTARY_RATE
                * _voluntary_factor(tenure_at_start)
                * np.exp(-ENGAGEMENT_HAZARD * engagement)
            )
            total = (vol + INVOLUNTARY_RATE + TRANSFER_RATE) / 365.0
            earliest = max(hire + 45, 0)
            leave_day = earliest + int(rng.exponential(1 / total))
            reason = rng.choice(
                ["voluntary", "involuntary", "transfer"],
                p=np.array([vol, INVOLUNTARY_RATE, TRANSFER_RATE]) / (total * 365.0),
            )
            notice = int(rng.integers(14, 31))
            gap = int(rng.integers(21, 91))
            rows.append(
                {
                    "seat": seat,
                    "team": int(seat_team[seat]),
                    "hire_day": hire,
                    "true_leave_day": leave_day,
                    "true_reason": str(reason),
                    "recorded": leave_day <= last + notice,
                    "successor": successor,
                    "engagement": engagement,
                }
            )
            next_hire = leave_day + gap
            if leave_day > last or next_hire > last:
                break
            hire, successor = next_hire, True

    people = pd.DataFrame(rows)
    _place_in_demo_scopes(rng, people, team_region, last)
    n = len(people)
    people["region"] = team_region[people["team"].to_numpy()]
    people["departure_day"] = np.where(people["recorded"], people["true_leave_day"], -1)
    people["reason"] = np.where(people["recorded"], people["true_reason"], "")
    people["status"] = np.select(
        [~people["recorded"], people["departure_day"] <= last], ["active", "left"], "notice"
    )
    people["work_until"] = np.where(
        people["recorded"], np.minimum(people["true_leave_day"], last), last
    )
    _name_people(rng, people, taken=set(LOGIN_NAMES.values()))
    tenure_end = people["work_until"] - people["hire_day"]
    grade = np.searchsorted([365, 3 * 365, 7 * 365], tenure_end, side="right")
    people["title"] = [TITLES[g][0] for g in grade]
    base_quota = np.array([TITLES[g][1] for g in grade], dtype=float)
    people["quota"] = np.round(base_quota * rng.lognormal(0, 0.1, n) / 5000) * 5000
    _seed_signals(rng, people, last)
    placed = people["demo_placed"].to_numpy() & (people["signal_kind"].to_numpy() == 1)
    # Placed so that they already show it at the end date: strong, and under way for months.
    people.loc[placed, "signal_strength"] = np.maximum(people.loc[placed, "signal_strength"], 0.85)
    people.loc[placed, "signal_from"] = np.minimum(
        people.loc[placed, "signal_from"], people.loc[placed, "true_leave_day"] - DEMO_STRAIN_DAYS
    )
    people["activity_rate"] = rng.lognormal(np.log(2.7), 0.18, n)
    # Engagement lowers service a little all along; strain (below) lowers it more, for a while.
    disengaged = np.clip(-people["engagement"].to_numpy(), 0, None)
    people["service_mean"] = np.clip(rng.normal(4.25, 0.25, n) - 0.2 * disengaged, 3.2, 4.8)

    managers = size.regions + size.teams
    manager_names = unique_names(
        (
            (str(f), str(la))
            for f, la in zip(
                rng.choice(FIRST_NAMES, managers), rng.choice(LAST_NAMES, managers), strict=True
            )
        ),
        surnames=LAST_NAMES,
        # Nobody shares a name with a rep or a login: managers are listed beside reps.
        taken={*zip(people["first_name"], people["last_name"], strict=True), *LOGIN_NAMES.values()},
    )
    customers = _customers(rng, size, people, team_region, region_names)
    assignments = _assignments(rng, people, customers, last)
    org = Org(
        seed=seed,
        size=size,
        start=start,
        end=end,
        days=days,
        region_names=region_names,
        team_names=team_names,
        team_region=team_region,
        manager_names=manager_names,
        people=people,
        customers=customers,
        assignments=assignments,
        sales_losses=sales_losses,
        login_keys=[*region_names, *team_names],
    )
    org.holdings = _holdings(org)
    _plant_departure_losses(np.random.default_rng([seed, 2]), org)
    if locale != "en":
        from retention.demo import chinese

        chinese.localise(org)
    return org


def _plant_departure_losses(rng: np.random.Generator, org: Org) -> None:
    """The latent truth of what a departure costs, drawn on its own random stream so the rest of
    the organisation does not change with it: each territory's value, the share of a vacant
    territory's business the covers keep, and which customers stop buying at a departure."""
    people, customers = org.people, org.customers
    first = people.groupby("seat").head(1).set_index("seat")["quota"].sort_index()
    org.seat_value = first.to_numpy(dtype=float)
    people["vacancy_keep"] = rng.uniform(*VACANCY_KEEP, len(people))
    churned_on = np.full(len(customers), -1, dtype=np.int64)
    churned_after = np.full(len(customers), -1, dtype=np.int64)
    home = customers["home_seat"].to_numpy()
    departure = people["departure_day"].to_numpy()
    left = np.flatnonzero((departure >= 0) & (departure < org.days - 1))
    for person in left[np.argsort(departure[left], kind="stable")]:
        book = np.flatnonzero((home == people.at[person, "seat"]) & (churned_on < 0))
        lost = book[rng.random(len(book)) < CHURN_SHARE]
        churned_on[lost] = departure[person] + 1
        churned_after[lost] = person
    if not org.sales_losses:
        people["vacancy_keep"] = 1.0
        churned_on[:] = -1
        churned_after[:] = -1
    customers["churned_on"] = churned_on
    customers["churned_after"] = churned_after


def demo_scope_teams(team_region: np.ndarray) -> list[list[int]]:
    """The teams each demo manager login sees: the first region's teams (``manager.north``) and
    the first team of the third region (``manager.east1``; of the last region with fewer)."""
    login_region = min(2, int(team_region.max()))
    team_login = int(np.flatnonzero(team_region == login_region)[0])
    return [list(np.flatnonzero(team_region == 0)), [team_login]]


def _place_in_demo_scopes(
    rng: np.random.Generator, people: pd.DataFrame, team_region: np.ndarray, last: int
) -> None:
    """Make sure each demo manager has something to act on at the end date: one rep of theirs
    serving notice and a few who will resign soon (unannounced, already strained). Picked
    among reps still there with no departure in sight, last in their seat (no successor)."""
    taken: set[int] = set()
    for teams in demo_scope_teams(team_region):
        candidates = [
            int(i)
            for i in np.flatnonzero(
                people["team"].isin(teams).to_numpy()
                & ~people["recorded"].to_numpy()
                & (people["hire_day"].to_numpy() < last - 400)
            )
            if int(i) not in taken
        ]
        chosen = [int(i) for i in rng.permutation(candidates)[: 1 + len(DEMO_AT_RISK_DAYS)]]
        taken.update(chosen)
        plan = [last + DEMO_NOTICE_DAYS, *(last + d for d in DEMO_AT_RISK_DAYS)]
        for person, leave_day in zip(chosen, plan, strict=False):
            people.loc[person, ["true_leave_day", "true_reason"]] = [leave_day, "voluntary"]
            people.loc[person, "recorded"] = leave_day <= last + DEMO_NOTICE_DAYS
            people.loc[person, "demo_placed"] = True
    if "demo_placed" not in people:
        people["demo_placed"] = False
    people["demo_placed"] = people["demo_placed"].fillna(False).astype(bool)


def _ascii(name: str) -> str:
    return name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").lower()


def unique_names(
    names: Iterable[tuple[str, str]],
    *,
    surnames: Sequence[str],
    taken: Iterable[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """``names`` (first, last) with no full name twice: a repeat of one given earlier in the
    list, or in ``taken``, gets the next surname of ``surnames`` (round the list) that makes it
    new, then a double-barrelled one. No random draw, so nothing else in the organisation
    changes and the same draws give the same names."""
    used = set(taken)
    order = list(dict.fromkeys(surnames))
    searches: dict[tuple[str, str], Iterator[str]] = {}
    out = []
    for first, last in names:
        if (first, last) in used:
            options = searches.get((first, last))
            if options is None:
                start = order.index(last) if last in order else -1
                options = searches[(first, last)] = itertools.chain(
                    (order[(start + step) % len(order)] for step in range(1, len(order) + 1)),
                    (f"{a}-{b}" for a in [last, *order] for b in order if a != b),
                )
            # A search resumes where the same name's last one stopped: what it passed is taken.
            last = next(option for option in options if (first, option) not in used)
        used.add((first, last))
        out.append((first, last))
    return out


def _unique_companies(drawn: Iterable[tuple[str, str, str]]) -> list[str]:
    """Company names (prefix, industry word, legal form) with no name twice: a repeat takes the
    next prefix of ``COMPANY_PREFIXES`` (round the list) that makes it new, then a two-word
    one. No random draw, as for people's names (``unique_names``)."""
    used: set[str] = set()
    order = COMPANY_PREFIXES
    searches: dict[tuple[str, str, str], Iterator[str]] = {}
    out = []
    for prefix, word, suffix in drawn:
        name = f"{prefix} {word} {suffix}"
        if name in used:
            options = searches.get((prefix, word, suffix))
            if options is None:
                start = order.index(prefix)
                options = searches[(prefix, word, suffix)] = itertools.chain(
                    (order[(start + step) % len(order)] for step in range(1, len(order))),
                    (f"{a} {b}" for a in [prefix, *order] for b in order if a != b),
                )
            name = next(
                name for option in options if (name := f"{option} {word} {suffix}") not in used
            )
        used.add(name)
        out.append(name)
    return out


def _name_people(rng: np.random.Generator, people: pd.DataFrame, taken: set) -> None:
    n = len(people)
    drawn = zip(rng.choice(FIRST_NAMES, n), rng.choice(LAST_NAMES, n), strict=True)
    named = unique_names(((str(f), str(la)) for f, la in drawn), surnames=LAST_NAMES, taken=taken)
    first = [f for f, _ in named]
    last = [la for _, la in named]
    seen: dict[str, int] = {}
    emails = []
    for f, la in zip(first, last, strict=True):
        base = f"{_ascii(f)}.{_ascii(la)}"
        seen[base] = seen.get(base, 0) + 1
        suffix = "" if seen[base] == 1 else str(seen[base])
        emails.append(f"{base}{suffix}@demo.relay.example")
    people["first_name"] = first
    people["last_name"] = last
    people["email"] = emails
    people["crm_user_id"] = [f"U{i + 1:06d}" for i in range(n)]
    people["hr_employee_id"] = [f"E{i + 1:06d}" for i in range(n)]


def _seed_signals(rng: np.random.Generator, people: pd.DataFrame, last: int) -> None:
    """Who shows strain when, how strongly, and how it hits output (see the package docstring).

    kind 0: nothing; 1: voluntary leaver (ramps up to the last day); 2: a stayer's worrying
    spell that recovers (triangle); 3: involuntary leaver (output only).
    """
    n = len(people)
    kind = np.zeros(n, dtype=np.int8)
    a = np.zeros(n)
    b = np.ones(n)
    strength = np.zeros(n)
    leave = people["true_leave_day"].to_numpy()
    reason = people["true_reason"].to_numpy()
    # Skewed toward early onsets: most leavers disengage months ahead, a few only weeks ahead.
    low, high = SIGNAL_ONSET_DAYS
    onset = np.round(low + (high - low) * rng.beta(2.0, 1.0, n)).astype(int)
    quiet = rng.random(n) < QUIET_LEAVER_SHARE
    leaver = (reason == "voluntary") & (leave - onset <= last)
    kind[leaver] = 1
    a[leaver] = (leave - onset)[leaver]
    b[leaver] = leave[leaver]
    strength[leaver] = np.where(
        quiet[leaver], rng.uniform(0.1, 0.3, n)[leaver], rng.uniform(0.75, 1.0, n)[leaver]
    )
    fired = (reason == "involuntary") & (leave - 90 <= last)
    kind[fired] = 3
    a[fired] = (leave - 90)[fired]
    b[fired] = leave[fired]
    strength[fired] = 0.25
    hire = people["hire_day"].to_numpy()
    spell_start = rng.integers(0, max(last - 30, 1), n)
    spell_len = rng.integers(45, 121, n)
    spell = (
        (kind == 0)
        & (rng.random(n) < WORRYING_STAYER_SHARE)
        & (spell_start > hire + 60)
        & (spell_start + spell_len < leave - 150)
    )
    kind[spell] = 2
    a[spell] = spell_start[spell]
    b[spell] = (spell_start + spell_len)[spell]
    strength[spell] = rng.uniform(0.3, 0.65, n)[spell]
    people["signal_kind"] = kind
    people["signal_from"] = a
    people["signal_to"] = b
    people["signal_strength"] = strength
    people["output_drop"] = rng.uniform(0.15, 0.40, n)


def _customers(
    rng: np.random.Generator,
    size: DemoSize,
    people: pd.DataFrame,
    team_region: np.ndarray,
    region_names: list[str],
) -> pd.DataFrame:
    c = size.customers
    seat_team = people.drop_duplicates("seat").set_index("seat")["team"].sort_index().to_numpy()
    home_seat = rng.integers(0, size.reps, c)
    industries = list(INDUSTRIES)
    industry = rng.choice(len(industries), c)
    prefix = rng.choice(COMPANY_PREFIXES, c)
    suffix = rng.choice(COMPANY_SUFFIXES, c)
    names = _unique_companies(
        (str(p), INDUSTRIES[industries[i]], str(s))
        for p, i, s in zip(prefix, industry, suffix, strict=True)
    )
    revenue = np.round(rng.lognormal(np.log(4_000_000), 1.1, c), -3)
    ranked = np.log(revenue) + rng.normal(0, 0.6, c)
    key = ranked >= np.quantile(ranked, 0.85)
    regions = np.array(region_names)[team_region[seat_team[home_seat]]]
    return pd.DataFrame(
        {
            "name": names,
            "external_id": [f"C{i + 1:07d}" for i in range(c)],
            "industry": np.array(industries)[industry],
            "region": regions,
            "annual_revenue": revenue,
            "is_key_account": key,
            "home_seat": home_seat,
        }
    )


def _assignments(
    rng: np.random.Generator, people: pd.DataFrame, customers: pd.DataFrame, last: int
) -> pd.DataFrame:
    """Ownership history: each customer belongs to a seat. When its holder leaves, the backup (if
    any) or a colleague of the team takes over the next day; a successor in the seat takes the
    seat's customers back on their first day (a promoted backup goes back to being the backup).
    When a backup leaves, half the time a colleague becomes the new backup."""
    hire = people["hire_day"].to_numpy()
    until = np.where(people["recorded"], people["true_leave_day"], 10**9)
    team = people["team"].to_numpy()
    seat = people["seat"].to_numpy()
    seat_first = people.groupby("seat").head(1).set_index("seat").index.to_numpy()
    first_person = dict(
        zip(seat_first, people.groupby("seat").head(1).index.to_numpy(), strict=True)
    )
    team_people: dict[int, list[int]] = {}
    for idx, t in enumerate(team):
        team_people.setdefault(int(t), []).append(idx)

    rows: list[list] = []  # customer, person, role, from, to, source
    owner: dict[int, int] = {}  # customer -> row index of its open owner assignment
    backup: dict[int, int] = {}
    held: dict[int, set[int]] = {}  # person -> customers owned
    backing: dict[int, set[int]] = {}
    promoted: dict[int, int] = {}  # customer -> backup promoted to owner while a seat is empty

    def open_row(customer: int, person: int, role: str, day: int, source: str) -> None:
        rows.append([customer, person, role, day, -1, source])
        if role == "owner":
            owner[customer] = len(rows) - 1
            held.setdefault(person, set()).add(customer)
        else:
            backup[customer] = len(rows) - 1
            backing.setdefault(person, set()).add(customer)

    def close_row(customer: int, role: str, day: int) -> int:
        index = (owner if role == "owner" else backup).pop(customer)
        row = rows[index]
        row[4] = max(day, row[3])
        (held if role == "owner" else backing)[row[1]].discard(customer)
        return row[1]

    def active_colleague(person: int, day: int, exclude: int = -1) -> int | None:
        candidates = [
            p
            for p in team_people[int(team[person])]
            if p not in (person, exclude) and hire[p] <= day < until[p]
        ]
        if not candidates:
            candidates = [
                int(p) for p in np.flatnonzero((hire <= day) & (day < until)) if p != person
            ]
        return int(rng.choice(candidates)) if candidates else None

    home = customers["home_seat"].to_numpy()
    key = customers["is_key_account"].to_numpy()
    for customer in range(len(customers)):
        person = first_person[int(home[customer])]
        since = int(hire[person]) + int(rng.integers(0, 120))
        open_row(customer, person, "owner", min(since, -1), "import")
        if key[customer] and rng.random() < 0.55:
            mates = [
                p
                for p in team_people[int(team[person])]
                if p != person and p == first_person[int(seat[p])]
            ]
            if mates:
                mate = int(rng.choice(mates))
                since = max(int(hire[mate]), int(hire[person])) + int(rng.integers(0, 90))
                open_row(customer, mate, "backup", min(since, -1), "import")

    events: list[tuple[int, int, int]] = []  # day, order (0 = departure, 1 = hire), person
    for person in range(len(people)):
        if until[person] <= last:
            events.append((int(until[person]), 0, person))
        if hire[person] >= 0:
            events.append((int(hire[person]), 1, person))
    events.sort()
    for day, order, person in events:
        if order == 0:
            for customer in sorted(backing.get(person, set())):
                close_row(customer, "backup", day)
                # Half the time the manager names a new backup; otherwise the account is left
                # single-threaded.
                if rng.random() < 0.5:
                    holder = rows[owner[customer]][1] if customer in owner else person
                    mate = active_colleague(holder, day + 1, exclude=person)
                    if mate is not None:
                        open_row(customer, mate, "backup", day + 1, "manual")
            for customer in sorted(held.get(person, set())):
                close_row(customer, "owner", day)
                taker = None
                if customer in backup:
                    candidate = rows[backup[customer]][1]
                    if until[candidate] > day + 1:
                        taker = close_row(customer, "backup", day)
                        promoted[customer] = taker
                if taker is None:
                    taker = active_colleague(person, day + 1)
                if taker is not None:
                    open_row(customer, taker, "owner", day + 1, "manual")
        else:
            for customer in np.flatnonzero(home == seat[person]):
                customer = int(customer)
                if customer in backup and rows[backup[customer]][1] == person:
                    close_row(customer, "backup", day - 1)
                interim = None
                if customer in owner:
                    if rows[owner[customer]][1] == person:
                        continue
                    interim = close_row(customer, "owner", day - 1)
                open_row(customer, person, "owner", day, "manual")
                # A backup who stood in as owner goes back to being the backup.
                if (
                    interim is not None
                    and promoted.pop(customer, None) == interim
                    and until[interim] > day
                    and customer not in backup
                ):
                    open_row(customer, interim, "backup", day, "manual")

    frame = pd.DataFrame(
        rows, columns=["customer", "person", "role", "valid_from", "valid_to", "source"]
    )
    return frame


def _holdings(org: Org) -> dict[int, tuple[np.ndarray, ...]]:
    """Per person: customers held (any role) with from/to days and a weight for contact choice."""
    a = org.assignments
    key = org.customers["is_key_account"].to_numpy()
    to = np.where(a["valid_to"].to_numpy() < 0, org.days - 1, a["valid_to"].to_numpy())
    customer = a["customer"].to_numpy()
    weight = np.where(key[customer], 3.0, 1.0) * np.where(a["role"] == "owner", 1.0, 0.3)
    is_owner = (a["role"] == "owner").to_numpy()
    result = {}
    for person, rows in a.groupby("person").indices.items():
        result[int(person)] = (
            customer[rows],
            a["valid_from"].to_numpy()[rows],
            to[rows],
            weight[rows],
            is_owner[rows],
        )
    return result


def owner_on(org: Org, customer: int, day: int) -> int | None:
    """Who owned the customer on that day (None if nobody did)."""
    if not org.owners:
        a = org.assignments[org.assignments["role"] == "owner"]
        to = np.where(a["valid_to"] < 0, 10**9, a["valid_to"])
        for c, person, start, stop in zip(
            a["customer"], a["person"], a["valid_from"], to, strict=True
        ):
            org.owners.setdefault(int(c), []).append((int(start), int(stop), int(person)))
    for start, stop, person in org.owners.get(customer, ()):
        if start <= day <= stop:
            return person
    return None


# --- history, one chunk of people at a time ---------------------------------------------------


@dataclass
class History:
    leave: pd.DataFrame
    activities: pd.DataFrame
    service: pd.DataFrame
    deals: pd.DataFrame
    # The generator's own truth, never written to the database: every deal the territory would
    # have won had nothing changed and did not (see _seat_deals), with its cause and the
    # departure it is owed to (``departure_person``, -1 for none).
    lost_sales: pd.DataFrame = field(default_factory=pd.DataFrame)


def chunk_count(org: Org) -> int:
    return -(-len(org.people) // CHUNK_PEOPLE)


def stress_matrix(people: pd.DataFrame, days: int) -> np.ndarray:
    """Strain per person and day, 0…1 (see _seed_signals for the shapes)."""
    t = np.arange(days, dtype=float)[None, :]
    kind = people["signal_kind"].to_numpy()[:, None]
    a = people["signal_from"].to_numpy()[:, None]
    b = people["signal_to"].to_numpy()[:, None]
    s = people["signal_strength"].to_numpy()[:, None]
    ramp = np.clip((t - a) / np.maximum(b - a, 1), 0, 1) ** 0.4
    mid = (a + b) / 2
    triangle = np.clip(1 - np.abs(t - mid) / np.maximum((b - a) / 2, 1), 0, 1)
    d = np.where(kind == 2, triangle, np.where(kind > 0, ramp, 0.0)) * s
    return d


def history_chunk(org: Org, chunk: int) -> History:
    rng = np.random.default_rng([org.seed, 1, chunk])
    lo = chunk * CHUNK_PEOPLE
    people = org.people.iloc[lo : lo + CHUNK_PEOPLE]
    n, days = len(people), org.days
    index = np.arange(lo, lo + n)
    t = np.arange(days)
    hire = people["hire_day"].to_numpy()[:, None]
    until = people["work_until"].to_numpy()[:, None]
    employed = (t[None, :] >= hire) & (t[None, :] <= until)
    workday = workday_mask(org.start, days)[None, :]
    d = stress_matrix(people, days)
    output_only = (people["signal_kind"].to_numpy() == 3)[:, None]
    d_soft = np.where(output_only, 0.0, d)  # leave, service and visits ignore output-only strain

    leave = _leave(rng, org, people, index, d_soft, employed & workday)
    on_leave = np.zeros((n, days), dtype=bool)
    for row, first, last_day in zip(
        leave["person"].to_numpy() - lo, leave["first"], leave["last"], strict=True
    ):
        on_leave[row, first : last_day + 1] = True
    working = employed & workday & ~on_leave

    weeks = -(-days // 7)
    week_of = t // 7
    d_week = np.zeros((n, weeks))
    np.add.at(d_week.T, week_of, d.T)
    d_week /= np.bincount(week_of, minlength=weeks)
    disengaged = np.clip(-people["engagement"].to_numpy(), 0, None)[:, None]
    cv = 0.10 + 0.6 * d_week + 0.08 * disengaged
    volatility = rng.gamma(1 / cv**2, cv**2)[:, week_of]
    ramp_up = np.clip(0.5 + 0.5 * (t[None, :] - hire) / 90, 0.5, 1.0)
    output = 1 - people["output_drop"].to_numpy()[:, None] * d
    rate = (
        people["activity_rate"].to_numpy()[:, None]
        * season_factor(org.start, days)[None, :]
        * ramp_up
        * output
        * volatility
    )
    counts = rng.poisson(np.where(working, rate, 0.0))

    activities = _activities(rng, org, people, index, counts, d_soft)
    service = _service(rng, org, index, working, d_soft, people)
    deals, lost_sales = _seat_deals(np.random.default_rng([org.seed, 3, chunk]), org, lo, n)
    return History(
        leave=leave,
        activities=activities,
        service=service,
        deals=deals,
        lost_sales=lost_sales,
    )


def _leave(
    rng: np.random.Generator,
    org: Org,
    people: pd.DataFrame,
    index: np.ndarray,
    d: np.ndarray,
    employed_workday: np.ndarray,
) -> pd.DataFrame:
    """Holidays and sick days; strain makes them more frequent and longer and adds single days
    off next to weekends (Mondays and Fridays)."""
    n, days = d.shape
    weeks = -(-days // 7)
    week_start = np.arange(weeks) * 7
    d_week = d[:, np.minimum(week_start + 3, days - 1)]
    # Day 0 may be any weekday; find the offset of the first Monday so starts land on weekdays.
    monday = (7 - org.start.weekday()) % 7
    disengaged = np.clip(-people["engagement"].to_numpy(), 0, None)
    rows = []
    for kind, p_base, p_stress in (
        ("vacation", 4.5 / 52, 0.6),
        ("sick", 3.0 / 52, 1.5),
        ("personal", 0.02, 0.0),
    ):
        p = p_base * (1 + p_stress * d_week)
        if kind == "personal":
            p = p + 0.8 * d_week + 0.025 * disengaged[:, None]
        r, w = np.nonzero(rng.random((n, weeks)) < p)
        stress = d_week[r, w]
        if kind == "vacation":
            weekday = np.where(rng.random(len(r)) < 0.7, 0, rng.integers(0, 5, len(r)))
            length = rng.choice([1, 2, 3, 5, 5, 5, 10], len(r))
            length = np.round(length * (1 + 0.8 * stress)).astype(int)
        elif kind == "sick":
            weekday = rng.integers(0, 5, len(r))
            length = rng.choice([1, 1, 2, 3], len(r))
            length = np.round(length * (1 + 1.0 * stress)).astype(int)
        else:
            weekday = np.where(rng.random(len(r)) < 0.5, 0, 4)
            length = np.ones(len(r), dtype=int)
        first = week_start[w] + monday + weekday
        span = length + 2 * ((weekday + length - 1) // 5)
        rows.append(
            pd.DataFrame({"row": r, "first": first, "last": first + span - 1, "kind": kind})
        )
    frame = pd.concat(rows, ignore_index=True).sort_values(["row", "first"], kind="stable")
    keep = []
    hire = people["hire_day"].to_numpy()
    until = people["work_until"].to_numpy()
    last_end = {}
    for i, (row, first, last_day) in enumerate(
        zip(
            frame["row"].to_numpy(),
            frame["first"].to_numpy(),
            frame["last"].to_numpy(),
            strict=True,
        )
    ):
        if first < max(hire[row], 0) or last_day > min(until[row], days - 1):
            continue
        if first <= last_end.get(row, -10):
            continue
        if not employed_workday[row, first]:
            continue
        last_end[row] = last_day
        keep.append(i)
    frame = frame.iloc[keep]
    return pd.DataFrame(
        {
            "person": index[frame["row"].to_numpy()],
            "first": frame["first"].to_numpy(),
            "last": frame["last"].to_numpy(),
            "kind": frame["kind"].to_numpy(),
        }
    )


def _pick_customers(
    rng: np.random.Generator,
    org: Org,
    person: int,
    days: np.ndarray,
    owner_only: bool = False,
) -> np.ndarray:
    """For each day, a customer the person held that day, weighted toward key accounts; -1 if
    they held none."""
    result = np.full(len(days), -1, dtype=np.int64)
    held = org.holdings.get(int(person))
    if held is None or not len(days):
        return result
    customer, start, stop, weight, is_owner = held
    if owner_only:
        weight = weight * is_owner
    active = (start[:, None] <= days[None, :]) & (days[None, :] <= stop[:, None])
    cumulative = np.cumsum(active * weight[:, None], axis=0)
    total = cumulative[-1]
    u = rng.random(len(days)) * total
    k = np.minimum((cumulative <= u[None, :]).sum(axis=0), len(customer) - 1)
    return np.where(total > 0, customer[k], -1)


def _per_person(rng, org, index, person, days, owner_only=False) -> np.ndarray:
    """_pick_customers for rows grouped by person (rows sorted by person)."""
    out = np.full(len(days), -1, dtype=np.int64)
    if not len(days):
        return out
    bounds = np.flatnonzero(np.diff(person)) + 1
    starts = np.concatenate([[0], bounds])
    stops = np.concatenate([bounds, [len(days)]])
    for s, e in zip(starts, stops, strict=True):
        out[s:e] = _pick_customers(rng, org, int(person[s]), days[s:e], owner_only)
    return out


def _activities(
    rng: np.random.Generator,
    org: Org,
    people: pd.DataFrame,
    index: np.ndarray,
    counts: np.ndarray,
    d: np.ndarray,
) -> pd.DataFrame:
    row, day = np.nonzero(counts)
    repeat = counts[row, day]
    row = np.repeat(row, repeat)
    day = np.repeat(day, repeat)
    m = len(row)
    hire = people["hire_day"].to_numpy()
    # Visit time grows over the first two years; strain freezes that growth and pulls it down.
    freeze = np.where(
        people["signal_kind"].to_numpy() == 1, people["signal_from"].to_numpy(), np.inf
    )
    tenure = np.minimum(day, freeze[row]) - hire[row]
    growth = np.clip(tenure / 730, 0, 1)
    strain = d[row, day]
    p_field = (0.16 + 0.12 * growth) * (1 - 0.5 * strain)
    u = rng.random(m)
    office = rng.choice(3, m, p=[0.4, 0.4, 0.2])
    field_kind = np.where(rng.random(m) < 0.45, 3, 4)
    kind = np.where(u < p_field, field_kind, office)
    # A quarter of meetings are internal (team meetings, no customer): not customer time.
    internal = (kind == 4) & (rng.random(m) < 0.25)
    median = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [10.0, 4.0, 15.0, 45 + 45 * growth],
        30 + 25 * growth,
    )
    minutes = median * rng.lognormal(0, np.where(kind >= 3, 0.3, 0.55), m)
    minutes *= np.where((kind >= 3) & ~internal, 1 - 0.35 * strain, 1.0)
    minutes = np.where(kind >= 3, np.round(minutes / 5) * 5, np.round(minutes))
    minutes = np.clip(minutes, 1, 480).astype(np.int32)
    person = index[row]
    customer = _per_person(rng, org, index, person, day)
    customer = np.where(((kind == 2) & (rng.random(m) < 0.3)) | internal, -1, customer)
    minute_of_day = 8 * 60 + 5 * rng.integers(0, 120, m)
    kinds = ACTIVITY_KINDS[kind]
    subject = np.empty(m, dtype=object)
    for k, name in enumerate(ACTIVITY_KINDS):
        mask = kind == k
        subject[mask] = np.array(SUBJECTS[name], dtype=object)[
            rng.integers(0, len(SUBJECTS[name]), mask.sum())
        ]
    subject[internal] = np.array(INTERNAL_SUBJECTS, dtype=object)[
        rng.integers(0, len(INTERNAL_SUBJECTS), int(internal.sum()))
    ]
    local = org.dates(day).astype("datetime64[m]") + minute_of_day.astype("timedelta64[m]")
    return pd.DataFrame(
        {
            "person": person,
            "customer": customer,
            "kind": kinds,
            "local_time": local,
            "duration_minutes": minutes,
            "subject": org.say(subject),
        }
    )


def _event_days(
    rng: np.random.Generator, working: np.ndarray, rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts per person-week (``rates`` per working day), each on a random working day
    of that week. Returns (row, day) sorted by row."""
    n, days = working.shape
    weeks = -(-days // 7)
    padded = np.zeros((n, weeks * 7), dtype=bool)
    padded[:, :days] = working
    by_week = padded.reshape(n, weeks, 7)
    workdays = by_week.sum(axis=2)
    counts = rng.poisson(rates * workdays)
    row, week = np.nonzero(counts)
    repeat = counts[row, week]
    row, week = np.repeat(row, repeat), np.repeat(week, repeat)
    cumulative = by_week[row, week].cumsum(axis=1)
    u = np.floor(rng.random(len(row)) * cumulative[:, -1])
    offset = (cumulative <= u[:, None]).sum(axis=1)
    return row, week * 7 + offset


def _service(
    rng: np.random.Generator,
    org: Org,
    index: np.ndarray,
    working: np.ndarray,
    d: np.ndarray,
    people: pd.DataFrame,
) -> pd.DataFrame:
    """CSAT surveys (1–5) about weekly, scores falling with strain; complaints and escalations
    (closed cases scored 1–2) rise with it."""
    n, days = working.shape
    weeks = -(-days // 7)
    d_week = d[:, np.minimum(np.arange(weeks) * 7 + 3, days - 1)][:, :, None]
    frames = []
    survey_row, survey_day = _event_days(rng, working, np.full((n, weeks), 0.17))
    strain = d[survey_row, survey_day]
    mean = people["service_mean"].to_numpy()[survey_row] - 1.8 * strain
    score = np.clip(np.round(rng.normal(mean, 0.75)), 1, 5)
    frames.append(
        pd.DataFrame(
            {
                "row": survey_row,
                "day": survey_day,
                "score": score,
                "complaint": False,
                "source": "csat",
            }
        )
    )
    case_rate = 0.008 + 0.15 * d_week[:, :, 0]
    case_row, case_day = _event_days(rng, working, case_rate)
    frames.append(
        pd.DataFrame(
            {
                "row": case_row,
                "day": case_day,
                "score": rng.choice([1.0, 2.0], len(case_row), p=[0.6, 0.4]),
                "complaint": True,
                "source": "case",
            }
        )
    )
    frame = pd.concat(frames, ignore_index=True).sort_values(["row", "day"], kind="stable")
    person = index[frame["row"].to_numpy()]
    day = frame["day"].to_numpy()
    return pd.DataFrame(
        {
            "person": person,
            "customer": _per_person(rng, org, index, person, day),
            "day": day,
            "score": frame["score"].to_numpy(),
            "is_complaint": frame["complaint"].to_numpy(),
            "source": frame["source"].to_numpy(),
        }
    )


def _seat_deals(
    rng: np.random.Generator, org: Org, lo: int, n: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deals of the territories (seats) whose first occupant is among people ``lo``…``lo+n-1``,
    and the generator's truth of the sales each departure cost.

    Each territory would open deals at ``DEAL_RATE`` a workday × season × market with its usual
    rep (the counterfactual). What is realised depends on who serves it: the occupant keeps a
    share 1 − drop·strain (and wins × (1 − 0.4·strain)) and, when new, 25% rising to all of it
    over ``RAMP_DEAL_DAYS``; while the seat is empty the covers keep ``vacancy_keep`` (30–60%);
    a customer who stopped buying at a departure (``churned_on``) opens nothing any more. A deal
    belongs to whoever owns the customer on the day it opens (the cover in a vacancy) and passes
    to the next owner if they leave before it closes. Every counterfactual win that is not
    realised is a row of ``lost_sales``."""
    people = org.people
    days, last = org.days, org.days - 1
    t = np.arange(days)
    seats = np.unique(people["seat"].to_numpy()[lo : lo + n])
    first_of_seat = people.groupby("seat").head(1)
    seats = seats[np.isin(first_of_seat.index.to_numpy()[seats], np.arange(lo, lo + n))]
    base = DEAL_RATE * season_factor(org.start, days) * market_factor(days)
    base = np.where(workday_mask(org.start, days), base, 0.0)
    home = org.customers["home_seat"].to_numpy()
    key = org.customers["is_key_account"].to_numpy()
    churned_on = org.customers["churned_on"].to_numpy()
    churned_after = org.customers["churned_after"].to_numpy()
    departure = people["departure_day"].to_numpy()
    owners = org.assignments[org.assignments["role"] == "owner"]
    own_customer = owners["customer"].to_numpy()
    own_from = owners["valid_from"].to_numpy()
    own_to = np.where(owners["valid_to"].to_numpy() < 0, 10**9, owners["valid_to"].to_numpy())
    own_person = owners["person"].to_numpy()
    by_seat = people.groupby("seat").indices
    deals, lost = [], []
    for seat in seats:
        occupants = by_seat[int(seat)]
        keep = np.ones(days)  # share of the counterfactual the seat realises on each day
        win_keep = np.ones(days)
        cause = np.zeros(days, dtype=np.int8)  # index into LOSS_CAUSES
        owed_to = np.full(days, -1, dtype=np.int64)
        if org.sales_losses:
            strain = stress_matrix(people.iloc[occupants], days)
            previous = -1
            for row, person in enumerate(occupants):
                hire = int(people.at[person, "hire_day"])
                until = int(people.at[person, "work_until"])
                if previous >= 0:
                    gap = slice(max(int(departure[previous]) + 1, 0), max(hire, 0))
                    keep[gap] = people.at[previous, "vacancy_keep"]
                    cause[gap], owed_to[gap] = 1, previous
                span = slice(max(hire, 0), until + 1)
                ramp = np.clip(
                    RAMP_DEAL_FLOOR + (1 - RAMP_DEAL_FLOOR) * (t - hire) / RAMP_DEAL_DAYS,
                    RAMP_DEAL_FLOOR,
                    1.0,
                )
                d = strain[row]
                keep[span] = ((1 - people.at[person, "output_drop"] * d) * ramp)[span]
                win_keep[span] = (1 - 0.4 * d)[span]
                ramping = (ramp < 1) & (previous >= 0)
                cause[span] = np.where(ramping, 2, 0)[span]
                owed_to[span] = np.where(ramping, previous, person)[span]
                previous = person
            if 0 <= departure[previous] < last:
                gap = slice(int(departure[previous]) + 1, days)
                keep[gap] = people.at[previous, "vacancy_keep"]
                cause[gap], owed_to[gap] = 1, previous
        book = np.flatnonzero(home == seat)
        if not len(book):
            continue
        counts = rng.poisson(base)
        day = np.repeat(t, counts)
        m = len(day)
        weight = np.where(key[book], 3.0, 1.0)
        customer = book[rng.choice(len(book), m, p=weight / weight.sum())]
        amount = np.round(
            org.seat_value[seat] / DEAL_SIZE_DIVISOR * rng.lognormal(-0.125, 0.5, m), -2
        )
        cycle = (rng.gamma(2.0, 25.0, m) + 7).astype(int)
        close = day + cycle
        would_win = rng.random(m) < WIN_RATE
        opened = rng.random(m) < keep[day]
        won_anyway = rng.random(m) < win_keep[day]
        gone = (churned_on[customer] >= 0) & (day >= churned_on[customer])
        exists = opened & ~gone
        won = would_win & won_anyway & exists
        missed = would_win & ~won & (close <= last)
        if missed.any():
            lost_cause = np.where(gone, 3, np.where(opened, 0, cause[day]))
            lost_owed = np.where(gone, churned_after[customer], owed_to[day])
            lost.append(
                pd.DataFrame(
                    {
                        "seat": int(seat),
                        "customer": customer[missed],
                        "created": day[missed],
                        "close": close[missed],
                        "amount": amount[missed],
                        "cause": np.array(LOSS_CAUSES)[lost_cause[missed]],
                        "departure_person": lost_owed[missed],
                    }
                )
            )
        keep_rows = exists
        customer, day, amount, close, won, cycle = (
            customer[keep_rows],
            day[keep_rows],
            amount[keep_rows],
            close[keep_rows],
            won[keep_rows],
            cycle[keep_rows],
        )
        # The owner on the day the deal opens; if they leave before it closes, the next owner.
        mine = np.isin(own_customer, book)
        own_customer_s, own_from_s = own_customer[mine], own_from[mine]
        own_to_s, own_person_s = own_to[mine], own_person[mine]
        match = (
            (own_customer_s[None, :] == customer[:, None])
            & (own_from_s[None, :] <= day[:, None])
            & (day[:, None] <= own_to_s[None, :])
        )
        has_owner = match.any(axis=1)
        owner = np.where(has_owner, own_person_s[match.argmax(axis=1)], -1)
        gone_before_close = (owner >= 0) & (departure[owner] >= 0)
        gone_before_close &= departure[owner] < np.minimum(close, last + 1)
        handed = np.where(gone_before_close, departure[owner] + 1, day)
        match = (
            (own_customer_s[None, :] == customer[:, None])
            & (own_from_s[None, :] <= handed[:, None])
            & (handed[:, None] <= own_to_s[None, :])
        )
        owner = np.where(
            gone_before_close & match.any(axis=1), own_person_s[match.argmax(axis=1)], owner
        )
        ok = owner >= 0
        deals.append(
            pd.DataFrame(
                {
                    "person": owner[ok],
                    "customer": customer[ok],
                    "amount": amount[ok],
                    "created": day[ok],
                    "close": close[ok],
                    "cycle": cycle[ok],
                    "won": won[ok],
                }
            )
        )
    columns = ["person", "customer", "amount", "created", "close", "cycle", "won"]
    frame = pd.concat(deals, ignore_index=True) if deals else pd.DataFrame(columns=columns)
    frame = frame.sort_values(["person", "created"], kind="stable", ignore_index=True)
    lost_columns = ["seat", "customer", "created", "close", "amount", "cause", "departure_person"]
    lost_sales = pd.concat(lost, ignore_index=True) if lost else pd.DataFrame(columns=lost_columns)
    return _deal_rows(rng, org, frame), lost_sales


def _deal_rows(rng: np.random.Generator, org: Org, frame: pd.DataFrame) -> pd.DataFrame:
    """Names, stages and statuses of the deals."""
    last = org.days - 1
    m = len(frame)
    day = frame["created"].to_numpy(dtype=np.int64)
    close = frame["close"].to_numpy(dtype=np.int64)
    cycle = frame["cycle"].to_numpy(dtype=np.int64)
    won = frame["won"].to_numpy(dtype=bool)
    closed = close <= last
    status = np.where(closed, np.where(won, "won", "lost"), "open")
    progress = np.clip((last - day) / np.maximum(cycle, 1), 0, 0.999)
    stage = np.where(
        closed,
        np.where(won, "Closed won", "Closed lost"),
        np.array(OPEN_STAGES)[(progress * len(OPEN_STAGES)).astype(int)],
    )
    stage = org.say(stage)
    product = org.say(np.array(DEAL_PRODUCTS)[rng.integers(0, len(DEAL_PRODUCTS), m)])
    names = org.customers["name"].to_numpy()[frame["customer"].to_numpy(dtype=np.int64)]
    return pd.DataFrame(
        {
            "person": frame["person"].to_numpy(dtype=np.int64),
            "customer": frame["customer"].to_numpy(dtype=np.int64),
            "name": [f"{c} – {p}" for c, p in zip(names, product, strict=True)],
            "stage": stage,
            "amount": frame["amount"].to_numpy(dtype=float),
            "created": day,
            "close": close,
            "status": status,
        }
    )

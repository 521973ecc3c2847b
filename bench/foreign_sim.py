"""A simulated field-sales org, written without reading Relay's model, for ``foreign_org.py``.

    .venv/bin/python bench/foreign_sim.py OUT_DIR [--seats 2000] [--seed 0] [--as-of 2026-11-13]

writes what the org's systems hand a new Relay admin on the as-of date T, and the truth:

- the Salesforce Data Export as it arrives, one ``WE_<org id>_1.ZIP`` holding ``User.csv``,
  ``UserRole.csv``, ``Profile.csv``, ``Group.csv``, ``Account.csv``, ``Opportunity.csv``,
  ``Task.csv``, ``Event.csv``, ``Case.csv``: API field names, every value quoted, 18-character
  ids with their case checksum, moments in UTC as ``2026-03-02T15:04:00.000Z``, dates as
  ``YYYY-MM-DD``, ``true``/``false``;
- HR's people file (``HR_People_Export.csv``: Employee ID, Work Email, ``Team`` as
  ``Region - Team``, Manager Email, Start Date, Termination Date, Termination Type and
  Reason…, US dates, a byte-order mark) for the sales line organisation (reps, their managers
  and the regional directors), and HR's absence report (``HR_Absences_Export.csv``: Employee
  ID, Absence Type, Start Date, End Date, Duration (Days), Status), as HR systems export them;
- ``truth.csv`` (no part of the export): every person, what they are, their true last day
  (after T too), why, when they gave notice and when HR entered it.

The latent model (nothing here reads or imitates Relay's features)
-------------------------------------------------------------------
Regions hold teams of rep positions; a position holds a book of accounts and is held by one rep
after another (1–10 weeks vacant between them; 8 % of vacancies are filled by a rep moving from
another team of the region; 40 % of a manager's vacancies by promoting a rep). Each rep has an
individual baseline: activity level and its natural week-to-week volatility (30 % are naturally
volatile), customer-visit rate and length (rising with tenure as the book grows, for up to three
years), ad-hoc days off (20 % take many), sick leave, service quality (CSAT on 1–5, escalation
rate), performance and a hidden flight propensity. Seasons: US holidays, summer and year-end
vacation blocks, quarter-end pushes in calls and deals, a quiet last fortnight of the year.
New hires ramp up over 10–26 weeks.

Leaving. A rep starts looking elsewhere at a weekly hazard (by tenure, performance, the hidden
propensity, a manager who left in the last six months, teammates who left in the last quarter,
the time of year). 60 % of searches end in notice after 2–40 weeks (median 12); in the others
the rep settles and stays. While looking, the rep *disengages*, with an individual strength and
an individual mix of four signs (the constants below say how strongly): weekly output that
swings and sags, more ad-hoc single days off and longer breaks, falling service (lower CSAT,
more escalations, slower cases), and visit time that stops rising (fewer, shorter visits).
15 % of searches are quiet (almost nothing shows). Some resign
with no warning at all (an offer out of the blue); poaching waves take 2–5 reps of one team
within weeks (a quarter of the managers who resign take some of their team along). Notice is 0
days (walked out, 12 %), two weeks (58 %), 3–4 or 5–8 weeks; a quarter of those with time
left spend the last days on vacation. Dismissals (most often the weakest performers) and one
layoff happen whatever the engagement. Sick and parental leave have nothing to do with leaving.

What the export shows, as of T. Only records up to T, and the future-dated ones a real export
holds (open to-dos, meetings booked, vacations booked, open deals). A rep who left is an
inactive user (IT deactivates on the last day, some weeks late, or not yet); their accounts
belong to the position's next holder (the manager while it is vacant; a few still to the
leaver); their closed deals, tasks and events stay theirs; their open cases went to the
customer-care queue. **HR's people file holds a termination once HR has entered it**: HR enters
a resignation 0–10 days after notice is given and a dismissal on the day. So a rep who gave
notice by T has their (future) Termination Date in the file only if HR had entered it by T; one
who resigns after T has none. ``truth.csv`` says which.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

BIG = 10**9  # "never" for a day index
DEFAULT_AS_OF = dt.date(2026, 11, 13)
COMPANY = "Northwind Field Sales"
DOMAIN = "northwind-sales.example.com"
ORG_ID = "00D8c000001Nrth"

# --- names and places -------------------------------------------------------------------------

# Names as one text each: easier to read and extend than a list of hundreds of literals.
_FIRST = (  # noqa: SIM905
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul "
    "Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy "
    "Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob Amy "
    "Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry Anna Justin "
    "Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine Gregory Helen "
    "Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet Jack Maria Dennis Catherine Jerry "
    "Heather Tyler Diane Aaron Olivia Jose Julie Adam Joyce Nathan Victoria Henry Ruth Zachary "
    "Virginia Douglas Lauren Peter Kelly Kyle Christina Noah Joan Ethan Evelyn Jeremy Judith "
    "Christian Andrea Walter Hannah Keith Megan Austin Cheryl Roger Jacqueline Terry Martha Sean "
    "Madison Gerald Teresa Carl Gloria Dylan Sara Harold Janice Jordan Ann Jesse Kathryn Bryan "
    "Abigail Lawrence Sophia Arthur Frances Gabriel Jean Bruce Alice Logan Judy Billy Isabella "
    "Joe Julia Alan Grace Juan Amber Elijah Denise Willie Danielle Albert Marilyn Wayne Beverly "
    "Randy Charlotte Mason Natalie Vincent Theresa Liam Diana Roy Brittany Bobby Doris Caleb Kayla "
    "José María Zoë Chloé Renée Björn Søren Niamh Siobhán Dario Priya Arjun Wei Mei Hiroshi Yuki "
    "Aisha Omar Fatima Kwame Ngozi Mateo Lucía Camila Diego Valentina"
).split()
_LAST = (  # noqa: SIM905
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson "
    "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera "
    "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez "
    "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns "
    "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz Hunt "
    "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer "
    "Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant "
    "O'Brien D'Angelo Müller Schäfer Nuñez Peña Løvås Østergaard Dubois Lefèvre Kowalski Novak "
    "Yamamoto Tanaka Singh Sharma Okafor Mensah Haddad Nasser Rossi Bianchi Ivanova Petrov"
).split()

# Region → its cities (with the hours they are behind UTC, daylight saving ignored).
_REGIONS = {
    "Northeast": (("Boston", "MA"), ("New York", "NY"), ("Hartford", "CT"), ("Albany", "NY")),
    "Southeast": (("Atlanta", "GA"), ("Charlotte", "NC"), ("Winston-Salem", "NC"), ("Miami", "FL")),
    "Midwest": (("Chicago", "IL"), ("Detroit", "MI"), ("Minneapolis", "MN"), ("St. Louis", "MO")),
    "South Central": (("Dallas", "TX"), ("Houston", "TX"), ("Austin", "TX"), ("Tulsa", "OK")),
    "West": (("Seattle", "WA"), ("San Francisco", "CA"), ("Los Angeles", "CA"), ("Portland", "OR")),
    "Mountain": (("Denver", "CO"), ("Phoenix", "AZ"), ("Salt Lake City", "UT"), ("Boise", "ID")),
}
_UTC_OFFSET = {"West": 8, "Mountain": 7, "Midwest": 6, "South Central": 6}
_TIME_ZONE = {
    "West": "America/Los_Angeles",
    "Mountain": "America/Denver",
    "Midwest": "America/Chicago",
    "South Central": "America/Chicago",
}
_SEGMENTS = ("Commercial", "Enterprise", "Mid-Market", "Territory")
# Field reps' titles as orgs give them (a "Territory Sales Manager" carries a book, manages
# nobody).
_REP_TITLES = (
    ("Account Executive", 0.34),
    ("Senior Account Executive", 0.18),
    ("Field Sales Representative", 0.16),
    ("Sales Representative", 0.12),
    ("Key Account Manager", 0.08),
    ("Account Manager", 0.07),
    ("Territory Sales Manager", 0.05),
)
_MANAGER_TITLES = ("Sales Manager", "District Sales Manager", "Area Sales Manager")
_OPS_TITLES = (
    "Sales Operations Analyst",
    "Revenue Operations Manager",
    "Sales Enablement Specialist",
    "Deal Desk Analyst",
    "Sales Operations Manager",
)
_INDUSTRIES = (
    "Manufacturing",
    "Healthcare",
    "Retail",
    "Construction",
    "Food & Beverage",
    "Logistics",
    "Education",
    "Hospitality",
    "Energy",
    "Agriculture",
)
_COMPANY_WORDS = (  # noqa: SIM905
    "Summit Harbor Pioneer Keystone Granite Prairie Beacon Cascade Evergreen Ironwood Lakeside "
    "Redwood Silverline Bluewater Northstar Frontier Heritage Liberty Meridian Oakridge Pinnacle "
    "Riverbend Sterling Tristate Valley Westfield Crescent Highland Brightpath Copperfield"
).split()
_COMPANY_KINDS = (
    "Supply",
    "Foods",
    "Medical Group",
    "Builders",
    "Logistics",
    "Industries",
    "Dental",
    "Hardware",
    "Farms",
    "Clinics",
    "Distributors",
    "Motors",
    "Hotels",
    "Academy",
    "Packaging",
)
_COMPANY_SUFFIXES = ("Inc.", "LLC", "Co.", "Corp.", "Group", "& Sons", "Partners", "")

# --- columns: Salesforce ids, dates, choices ----------------------------------------------------

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_CHECKSUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", np.uint8)
_KEY_PREFIX = {
    "User": "005",
    "UserRole": "00E",
    "Profile": "00e",
    "Group": "00G",
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
}


def sf_ids(obj: str, numbers: np.ndarray | Sequence[int]) -> pl.Series:
    """18-character Salesforce ids: key prefix, pod, a base-62 counter and the checksum that
    encodes which of the first 15 characters are upper case."""
    numbers = np.asarray(numbers, dtype=np.int64) + 1
    chars = np.empty((len(numbers), 18), dtype=np.uint8)
    chars[:, 0:3] = np.frombuffer(_KEY_PREFIX[obj].encode(), np.uint8)
    chars[:, 3:6] = np.frombuffer(b"8c0", np.uint8)
    rest = numbers.copy()
    for position in range(14, 5, -1):
        chars[:, position] = _BASE62[rest % 62]
        rest //= 62
    upper = (chars[:, :15] >= ord("A")) & (chars[:, :15] <= ord("Z"))
    weights = 1 << np.arange(5)
    for block in range(3):
        chars[:, 15 + block] = _CHECKSUM[upper[:, block * 5 : block * 5 + 5] @ weights]
    return pl.Series(chars.view("S18").ravel()).cast(pl.String)


def _choose(
    rng: np.random.Generator, options: Sequence, size: int, p: Sequence[float] | None = None
) -> pl.Series:
    return pl.Series([str(option) for option in options]).gather(
        rng.choice(len(options), size=size, p=p)
    )


def _when(mask: np.ndarray, then: pl.Series | str, otherwise: pl.Series | str = "") -> pl.Series:
    """``then`` where ``mask``, else ``otherwise`` (a column or one text)."""

    def expr(value: pl.Series | str) -> pl.Expr:
        return pl.lit(value) if isinstance(value, pl.Series) else pl.lit(value, pl.String)

    mask_series = pl.Series(np.asarray(mask, dtype=bool))
    return pl.select(pl.when(pl.lit(mask_series)).then(expr(then)).otherwise(expr(otherwise)))[:, 0]


def _flags(mask: np.ndarray) -> pl.Series:
    return _when(mask, "true", "false")


def _numbers(values: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(values)).cast(pl.String)


# --- the calendar -----------------------------------------------------------------------------


def _us_holidays(year: int) -> list[dt.date]:
    def nth(weekday: int, month: int, n: int) -> dt.date:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def last(weekday: int, month: int) -> dt.date:
        end = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        return end - dt.timedelta(days=(end.weekday() - weekday) % 7)

    def observed(day: dt.date) -> dt.date:
        return day + dt.timedelta(days={5: -1, 6: 1}.get(day.weekday(), 0))

    thanksgiving = nth(3, 11, 4)
    return [
        observed(dt.date(year, 1, 1)),
        last(0, 5),
        observed(dt.date(year, 7, 4)),
        nth(0, 9, 1),
        thanksgiving,
        thanksgiving + dt.timedelta(days=1),
        observed(dt.date(year, 12, 25)),
    ]


class Calendar:
    """Days as indices from ``day0`` (a Monday, the start of the burn-in)."""

    def __init__(self, *, day0: dt.date, first: int, as_of: int, days: int) -> None:
        self.day0 = day0
        self.first = first  # the CRM's go-live: the first day of the export's history
        self.as_of = as_of  # T
        self.days = days
        self.dates = np.datetime64(day0, "D") + np.arange(days)
        self.weekday = (np.arange(days) + day0.weekday()) % 7
        holidays = {
            day
            for year in range(day0.year, self.date(days - 1).year + 1)
            for day in _us_holidays(year)
        }
        holiday = np.isin(self.dates, np.array(sorted(holidays), dtype="datetime64[D]"))
        self.workday = (self.weekday < 5) & ~holiday
        months = self.dates.astype("datetime64[M]")
        self.month = months.astype(int) % 12 + 1
        self.day_of_year = (self.dates - self.dates.astype("datetime64[Y]")).astype(int) + 1
        next_quarter = (months.astype(int) // 3 * 3 + 3).astype("datetime64[M]")
        self.quarter_end_push = (next_quarter.astype("datetime64[D]") - self.dates).astype(
            int
        ) <= 14
        self.history = np.zeros(days, dtype=bool)
        self.history[first : as_of + 1] = True
        ok = np.where(self.workday, np.arange(days), -1)
        self._workday_before = np.maximum(np.maximum.accumulate(ok), 0)
        ok = np.where(self.workday, np.arange(days), days - 1)
        self._workday_after = np.minimum.accumulate(ok[::-1])[::-1]

    def date(self, index: int) -> dt.date:
        return self.day0 + dt.timedelta(days=int(index))

    def on_or_before(self, index) -> np.ndarray:
        """The workday on or before each day."""
        return self._workday_before[np.clip(np.asarray(index, dtype=np.int64), 0, self.days - 1)]

    def on_or_after(self, index) -> np.ndarray:
        return self._workday_after[np.clip(np.asarray(index, dtype=np.int64), 0, self.days - 1)]

    def moments(self, seconds: np.ndarray) -> pl.Series:
        """Salesforce's moments (UTC) for seconds since day 0, 00:00 UTC."""
        millis = np.asarray(seconds).astype(np.int64) * 1000
        moment = np.datetime64(self.day0, "ms") + millis.astype("timedelta64[ms]")
        return pl.Series(moment).dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def days_text(self, days: np.ndarray, pattern: str = "%Y-%m-%d") -> pl.Series:
        day = np.datetime64(self.day0, "D") + np.asarray(days).astype("timedelta64[D]")
        return pl.Series(day).dt.strftime(pattern)

    def quarter_end(self, days: np.ndarray) -> np.ndarray:
        dates = np.datetime64(self.day0, "D") + np.asarray(days).astype("timedelta64[D]")
        months = dates.astype("datetime64[M]").astype(int)
        end = ((months // 3 + 1) * 3).astype("datetime64[M]").astype("datetime64[D]")
        return (end - np.timedelta64(1, "D") - np.datetime64(self.day0, "D")).astype(int)


# --- configuration and the result -------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    seats: int = 2000  # active licensed Salesforce users at T (reps, managers and the others)
    seed: int = 0
    as_of: dt.date = DEFAULT_AS_OF  # T, the export's last day
    weeks: int = 130  # weeks of CRM history up to T (the org went live on Salesforce then)
    burn_in_weeks: int = 26  # simulated before go-live, so that T's org is not a fresh start


@dataclass
class Org:
    config: Config
    calendar: Calendar
    tables: dict[str, pl.DataFrame]  # file stem → its rows, as text
    truth: pl.DataFrame
    weekly_activity: np.ndarray  # people × history weeks: the rep's tasks and customer events
    leave_days_90: np.ndarray  # people: workdays absent in (T − 90 days, T]
    counts: dict[str, int]


# --- who works where, and when they leave -------------------------------------------------------

# The median weeks from starting to look elsewhere to giving notice (log-normal, σ 0.6, 2–40).
SEARCH_WEEKS = 12
# How a disengaged rep differs from their own usual, per unit of drift (times their own loading
# for that sign, 0.6–1.2 for the signs they show, under 0.15 for the others).
OUTPUT_DROP = 0.25  # weekly tasks fall by this share
OUTPUT_SWING = 2.0  # the week-to-week swing (log scale) widens by this factor
ADHOC_MORE = 4.0  # single days off (and around weekends): rate × (1 + this)
BREAKS_MORE = 3.0  # unplanned breaks of 2–6 days: more likely by × (1 + this)
CSAT_DROP = 1.0  # points off the 1–5 CSAT
ESCALATION_MORE = 3.0  # escalation rate × (1 + this)
VISITS_DROP = 0.35  # customer meetings a week fall by this share (and stop rising)
VISIT_MINUTES_DROP = 0.25  # and get shorter by this share

RESIGN_SEARCH, RESIGN_SUDDEN, RESIGN_POACHED, DISMISSED, LAID_OFF = 1, 2, 3, 4, 5
VOLUNTARY = (RESIGN_SEARCH, RESIGN_SUDDEN, RESIGN_POACHED)
REASON_NAMES = {
    RESIGN_SEARCH: "resigned after a search",
    RESIGN_SUDDEN: "resigned without warning",
    RESIGN_POACHED: "resigned in a poaching wave",
    DISMISSED: "dismissed",
    LAID_OFF: "laid off",
}
# What HR's Termination Reason says for each (HR's Termination Type says Voluntary or not).
_HR_REASONS = {
    RESIGN_SEARCH: (
        ("Better Opportunity", 0.5),
        ("Career Change", 0.15),
        ("Compensation", 0.15),
        ("Relocation", 0.1),
        ("Personal Reasons", 0.1),
    ),
    RESIGN_SUDDEN: (("Better Opportunity", 0.5), ("Relocation", 0.25), ("Personal Reasons", 0.25)),
    RESIGN_POACHED: (("Better Opportunity", 1.0),),
    DISMISSED: (("Performance", 0.7), ("Misconduct", 0.15), ("Attendance", 0.15)),
    LAID_OFF: (("Position Eliminated", 1.0),),
}


class _Reps:
    """Every rep the simulation hires, as columns that grow."""

    INTS = ("position", "team", "hire", "notice", "last", "promoted", "reason", "busy_until")
    FLOATS = (
        "perf",
        "propensity",
        "activity",
        "volatility",
        "persistence",
        "visits",
        "visit_minutes",
        "visit_growth",
        "adhoc",
        "vacation",
        "sick",
        "csat",
        "escalation",
        "cases",
        "ramp_weeks",
        "sign_output",
        "sign_leave",
        "sign_service",
        "sign_visits",
    )

    def __init__(self, capacity: int) -> None:
        self.n = 0
        for name in self.INTS:
            setattr(self, name, np.zeros(capacity, dtype=np.int64))
        for name in self.FLOATS:
            setattr(self, name, np.zeros(capacity))
        self.initial = np.zeros(capacity, dtype=bool)

    def add(
        self, rng: np.random.Generator, *, position: int, team: int, hire: int, initial: bool
    ) -> int:
        r = self.n
        self.n += 1
        self.position[r], self.team[r], self.hire[r] = position, team, hire
        self.notice[r] = self.last[r] = self.promoted[r] = BIG
        self.reason[r], self.busy_until[r] = 0, -1
        self.initial[r] = initial
        self.perf[r] = rng.normal()
        self.propensity[r] = rng.normal(0, 0.45)
        self.activity[r] = rng.lognormal(math.log(7.0), 0.35)  # tasks a week at full speed
        volatile = rng.random() < 0.3
        self.volatility[r] = rng.uniform(0.35, 0.6) if volatile else rng.uniform(0.12, 0.28)
        self.persistence[r] = rng.uniform(0.2, 0.7)
        self.visits[r] = rng.lognormal(math.log(2.6), 0.4)  # customer meetings a week
        self.visit_minutes[r] = rng.lognormal(math.log(60), 0.25)
        self.visit_growth[r] = max(0.0, rng.normal(0.14, 0.08))  # a year, for three years
        self.adhoc[r] = rng.gamma(2.0, 6.0) if rng.random() < 0.2 else rng.gamma(3.0, 1.4)
        self.vacation[r] = rng.uniform(12, 22)
        self.sick[r] = rng.gamma(2.0, 1.0)
        self.csat[r] = rng.normal(4.3, 0.25)
        self.escalation[r] = rng.beta(2, 30)
        self.cases[r] = rng.lognormal(math.log(0.4), 0.4)  # a week
        self.ramp_weeks[r] = rng.uniform(10, 26)
        # Which warning signs this person shows when disengaged, and how strongly.
        shows = rng.random(4) < 0.7
        if not shows.any():
            shows[rng.integers(4)] = True
        loads = np.where(shows, rng.uniform(0.6, 1.2, 4), rng.uniform(0.0, 0.15, 4))
        self.sign_output[r], self.sign_leave[r], self.sign_service[r], self.sign_visits[r] = loads
        return r


@dataclass
class _Manager:
    team: int
    hire: int
    last: int = BIG
    reason: int = 0
    from_rep: int = -1  # a promoted rep keeps their CRM user and HR record


@dataclass
class _Staff:
    regions: list[str]
    teams: list[str]
    team_region: np.ndarray
    team_city: list[tuple[str, str]]
    enterprise: np.ndarray
    position_team: np.ndarray
    reps: _Reps
    managers: list[_Manager]
    spans: list[tuple[int, int, int, int]]  # position, rep, first day, last day
    moves: list[tuple[int, int, int, int]]  # rep, day, from position, to position
    promotions: dict[int, tuple[int, int]]  # rep → (day, team managed)
    episodes: list[tuple[int, int, int, int, float]]  # rep, onset, peak, end (BIG: leaves), size
    waves: list[tuple[int, int, int]]  # day, team, reps taken
    others: dict[str, int]


def _org_shape(seats: int, rng: np.random.Generator) -> dict:
    n_regions = int(np.clip(round(seats / 400), 2, 6))
    others = {
        "directors": n_regions,
        "vp": 1,
        "integration": 4,
        "admins": max(1, seats // 1000),
        "ops": max(1, seats // 150),
        "chatter": max(1, seats // 700),
    }
    reps_and_managers = seats - sum(others.values())
    n_teams = max(n_regions, round(reps_and_managers / 12))
    sizes = rng.normal(11, 2, n_teams).clip(6, 16)
    sizes = np.maximum(1, np.round(sizes * (reps_and_managers - n_teams) / sizes.sum()))
    regions = list(_REGIONS)[:n_regions]
    team_region = np.arange(n_teams) % n_regions
    teams, cities = [], []
    for t in range(n_teams):
        places = _REGIONS[regions[team_region[t]]]
        city = places[(t // n_regions) % len(places)]
        segment = _SEGMENTS[(t // (n_regions * len(places))) % len(_SEGMENTS)]
        name = f"{city[0]} {segment}"
        number = 1
        while name in teams:  # the second team of a city and segment: "Boston Commercial 2"
            number += 1
            name = f"{city[0]} {segment} {number}"
        teams.append(name)
        cities.append(city)
    return {
        "regions": regions,
        "teams": teams,
        "team_city": cities,
        "team_region": team_region,
        "enterprise": np.array([name.split()[-1] == "Enterprise" for name in teams]),
        "position_team": np.repeat(np.arange(n_teams), sizes.astype(int)),
        "others": others,
    }


def _staffing(config: Config, cal: Calendar, rng: np.random.Generator) -> _Staff:
    """Week by week: who holds each position, who searches, resigns, is dismissed, moves or is
    promoted, and every manager's comings and goings."""
    shape = _org_shape(config.seats, rng)
    position_team = shape["position_team"]
    team_region = shape["team_region"]
    n_teams, n_positions = len(shape["teams"]), len(position_team)
    reps = _Reps(n_positions * 8 + 64)
    spans: list[tuple[int, int, int, int]] = []
    span_start: dict[int, int] = {}
    occupant = np.full(n_positions, -1)
    fill_day = np.full(n_positions, BIG)
    for p in range(n_positions):
        if rng.random() < 0.03:
            fill_day[p] = int(rng.integers(0, 8)) * 7
            continue
        tenure = min(rng.exponential(3.3 * 365), 20 * 365)
        r = reps.add(rng, position=p, team=int(position_team[p]), hire=-int(tenure), initial=True)
        occupant[p], span_start[r] = r, int(reps.hire[r])
    managers = [_Manager(team=t, hire=-int(rng.uniform(0.5, 9) * 365)) for t in range(n_teams)]
    team_manager = np.arange(n_teams)
    manager_fill = np.full(n_teams, BIG)
    manager_left_until = np.full(n_teams, -BIG)  # a manager left: the team is restless till then
    departures: list[tuple[int, int]] = []  # (team, last day) of voluntary departures
    waves_planned: list[tuple[int, int]] = []
    waves: list[tuple[int, int, int]] = []
    moves: list[tuple[int, int, int, int]] = []
    promotions: dict[int, tuple[int, int]] = {}
    episodes: list[tuple[int, int, int, int, float]] = []
    history_weeks = cal.as_of // 7 - config.burn_in_weeks
    layoff_week = config.burn_in_weeks + int(rng.uniform(0.35, 0.75) * history_weeks)
    org_scale = n_positions / 1800

    def workday(day: float) -> int:
        return int(cal.on_or_after([int(day)])[0])

    for k in range((cal.days - 1) // 7):
        d0 = 7 * k
        n = reps.n
        employed = (reps.hire[:n] <= d0) & (reps.last[:n] > d0) & (reps.promoted[:n] > d0)
        undecided = employed & (reps.notice[:n] == BIG)
        free = undecided & (reps.busy_until[:n] <= d0)
        tenure = (d0 - reps.hire[:n]) / 365.25
        by_tenure = np.select(
            [tenure < 0.25, tenure < 1, tenure < 2, tenure < 4], [0.6, 1.45, 1.2, 1.0], 0.75
        )
        # Resignations cluster after the bonus in Q1; few in December.
        season = {1: 1.35, 2: 1.3, 3: 1.15, 7: 0.85, 11: 0.8, 12: 0.55}.get(cal.month[d0], 1.0)
        team_of = reps.team[:n]
        restless = np.where(manager_left_until[team_of] > d0, 1.8, 1.0)
        recent = np.zeros(n_teams)
        for team, last in departures[-600:]:
            if d0 - 91 < last <= d0:
                recent[team] += 1
        hazard = by_tenure * season * restless * (1 + 0.3 * recent[team_of])
        hazard *= np.exp(reps.propensity[:n])
        # Starting to look elsewhere: a search ends in notice, or the rep settles again.
        search = hazard * np.exp(-0.15 * reps.perf[:n]) * 0.19 / 52
        for r in np.flatnonzero(free & (rng.random(n) < -np.expm1(-search))):
            onset = d0 + int(rng.integers(0, 7))
            strength = float(rng.beta(2.0, 2.2))
            if rng.random() < 0.15:
                strength *= 0.2  # a quiet search: almost nothing shows
            if rng.random() < (0.68 if restless[r] > 1 else 0.6):
                weeks = float(np.clip(rng.lognormal(math.log(SEARCH_WEEKS), 0.6), 2, 40))
                notice = workday(onset + weeks * 7)
                reps.notice[r], reps.reason[r] = notice, RESIGN_SEARCH
                episodes.append((int(r), onset, notice, BIG, strength))
            else:
                weeks = float(np.clip(rng.lognormal(math.log(10), 0.5), 3, 30))
                end = onset + int(weeks * 7)
                reps.busy_until[r] = end
                episodes.append((int(r), onset, onset + (end - onset) // 2, end, strength))
        # Resigning with no warning: an offer out of the blue.
        sudden = hazard * np.exp(0.2 * reps.perf[:n]) * 0.04 / 52
        free &= reps.notice[:n] == BIG
        for r in np.flatnonzero(free & (rng.random(n) < -np.expm1(-sudden))):
            reps.notice[r], reps.reason[r] = workday(d0 + rng.integers(0, 5)), RESIGN_SUDDEN
        # Dismissals: the weakest performers, whatever their engagement.
        dismissal = 0.035 / 52 * np.exp(-0.7 * reps.perf[:n]) * np.where(tenure < 1, 1.6, 1.0)
        open_ = employed & (reps.last[:n] == BIG)
        for r in np.flatnonzero(open_ & (rng.random(n) < -np.expm1(-dismissal))):
            day = workday(d0 + rng.integers(0, 5))
            reps.notice[r] = reps.last[r] = day
            reps.reason[r] = DISMISSED
        if k == layoff_week:
            candidates = np.flatnonzero(employed & (reps.last[:n] == BIG))
            weight = np.exp(-reps.perf[candidates])
            chosen = rng.choice(
                candidates,
                size=max(1, len(candidates) * 3 // 100),
                replace=False,
                p=weight / weight.sum(),
            )
            reps.notice[chosen], reps.last[chosen] = workday(d0 + 1), workday(d0 + 15)
            reps.reason[chosen] = LAID_OFF
        # Poaching waves: a competitor (often a manager who left) takes several of one team.
        teams_hit = [team for day, team in waves_planned if d0 <= day < d0 + 7]
        if rng.random() < 1.2 / 52 * org_scale:
            teams_hit.append(int(rng.integers(n_teams)))
        for team in teams_hit:
            pool = np.flatnonzero(employed & (reps.notice[:n] == BIG) & (team_of == team))
            if len(pool) < 3:
                continue
            taken = rng.choice(
                pool, size=min(len(pool) - 1, int(rng.integers(2, 6))), replace=False
            )
            waves.append((d0, team, len(taken)))
            for r in taken:
                notice = workday(d0 + rng.integers(0, 36))
                reps.notice[r], reps.reason[r] = notice, RESIGN_POACHED
                onset = notice - int(rng.integers(7, 36))
                episodes.append((int(r), onset, notice, BIG, float(rng.uniform(0.1, 0.45))))
        # Notice given this week: the notice period.
        due = (reps.notice[:n] >= d0) & (reps.notice[:n] < d0 + 7) & (reps.last[:n] == BIG)
        for r in np.flatnonzero(due):
            walked = 0.4 if reps.reason[r] == RESIGN_POACHED else 0.12
            u = rng.random()
            if u < walked:
                days = 0
            elif u < walked + 0.58:
                days = 14
            elif u < walked + 0.78:
                days = int(rng.integers(21, 29))
            else:
                days = int(rng.integers(35, 57))
            reps.last[r] = max(reps.notice[r], int(cal.on_or_before([reps.notice[r] + days])[0]))
            departures.append((int(reps.team[r]), int(reps.last[r])))
        # Managers leave too; their teams get restless, and some take reps along.
        for t in range(n_teams):
            m = team_manager[t]
            if managers[m].last < BIG:
                continue
            if rng.random() < 0.12 / 52:
                managers[m].last, managers[m].reason = workday(d0 + 14), RESIGN_SEARCH
                if rng.random() < 0.25:
                    waves_planned.append((managers[m].last + int(rng.integers(14, 71)), t))
            elif rng.random() < 0.03 / 52:
                managers[m].last, managers[m].reason = workday(d0 + 1), DISMISSED
            else:
                continue
            manager_left_until[t] = managers[m].last + 182
            manager_fill[t] = managers[m].last + 7 * int(rng.integers(3, 11))
        for t in np.flatnonzero((manager_fill >= d0) & (manager_fill < d0 + 7)):
            manager_fill[t] = BIG
            senior = np.flatnonzero(
                employed
                & (reps.notice[:n] == BIG)
                & (team_region[team_of] == team_region[t])
                & (d0 - reps.hire[:n] > 2 * 365)
            )
            promoted = -1
            if len(senior) and rng.random() < 0.4:
                promoted = int(
                    senior[np.argmax(reps.perf[senior] + rng.normal(0, 0.5, len(senior)))]
                )
                reps.promoted[promoted] = d0
                promotions[promoted] = (d0, int(t))
                occupant[reps.position[promoted]] = -1
                fill_day[reps.position[promoted]] = d0 + 7 * int(rng.integers(3, 11))
            managers.append(_Manager(team=int(t), hire=d0, from_rep=promoted))
            team_manager[t] = len(managers) - 1
        # Vacancies open after the last day and are filled some weeks later.
        for p in np.flatnonzero(occupant >= 0):
            r = occupant[p]
            if reps.last[r] < d0 + 7:
                occupant[p] = -1
                fill_day[p] = min(reps.last[r], d0) + 7 * int(rng.integers(1, 11))
        for p in np.flatnonzero((fill_day >= d0) & (fill_day < d0 + 7) & (occupant < 0)):
            fill_day[p] = BIG
            team = int(position_team[p])
            n = reps.n
            movers = np.flatnonzero(
                (reps.hire[:n] <= d0 - 365)
                & (reps.last[:n] > d0 + 7)
                & (reps.notice[:n] == BIG)
                & (reps.promoted[:n] > d0)
                & (team_region[reps.team[:n]] == team_region[team])
                & (reps.team[:n] != team)
            )
            if len(movers) and rng.random() < 0.08:
                r = int(rng.choice(movers))
                old = int(reps.position[r])
                moves.append((r, d0, old, int(p)))
                spans.append((old, r, span_start[r], d0 - 1))
                span_start[r] = d0
                occupant[old], fill_day[old] = -1, d0 + 7 * int(rng.integers(3, 11))
                reps.position[r], reps.team[r] = p, team
            else:
                r = reps.add(rng, position=int(p), team=team, hire=d0, initial=False)
                span_start[r] = d0
            occupant[p] = r
    for r in range(reps.n):
        spans.append(
            (int(reps.position[r]), r, span_start[r], int(min(reps.last[r], reps.promoted[r] - 1)))
        )
    return _Staff(
        regions=shape["regions"],
        teams=shape["teams"],
        team_region=team_region,
        team_city=shape["team_city"],
        enterprise=shape["enterprise"],
        position_team=position_team,
        reps=reps,
        managers=managers,
        spans=spans,
        moves=moves,
        promotions=promotions,
        episodes=episodes,
        waves=waves,
        others=shape["others"],
    )


# --- the latent state, day by day ----------------------------------------------------------------


def _disengagement(reps: _Reps, episodes: list, days: int) -> np.ndarray:
    """reps × days: how far each rep has drifted away (0 engaged, up to about 1)."""
    drift = np.zeros((reps.n, days), dtype=np.float32)
    for r, onset, peak, end, strength in episodes:
        stop = min(end if end < BIG else int(reps.last[r]) + 1, days)
        span = np.arange(max(onset, 0), max(stop, 0))
        if strength <= 0 or not len(span):
            continue
        if end >= BIG:  # leaving: grows until notice, stays through the notice period
            shape = np.clip((span - onset) / max(peak - onset, 1), 0, 1) ** 0.6
        else:  # settling again: up to the middle of the search, back down by its end
            shape = np.clip(1 - np.abs(span - peak) / max(peak - onset, 1), 0, 1)
        drift[r, span] = np.maximum(drift[r, span], strength * shape)
    return drift


def _leave(
    cal: Calendar, reps: _Reps, employed: np.ndarray, drift: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[int, int, int, str, str, int]]]:
    """Absences: reps × days on leave, and the records (rep, first day, last day, type, status,
    the day it was booked)."""
    n, days = employed.shape
    on_leave = np.zeros((n, days), dtype=bool)
    records: list[tuple[int, int, int, str, str, int]] = []
    workdays = np.flatnonzero(cal.workday)
    slot_of = np.full(days, -1)
    slot_of[workdays] = np.arange(len(workdays))
    around_weekend = np.where(np.isin(cal.weekday, (0, 4)), 1.6, 0.8)
    winter = np.isin(cal.month, (12, 1, 2, 3))
    summer = (cal.month >= 6) & (cal.month <= 8)
    year_end = (cal.month == 12) & (cal.day_of_year >= 352)
    wanted: list[tuple[int, int, str, int]] = []  # first workday slot, workdays, type, lead

    def block(day: int, length: int, kind: str, lead: int) -> None:
        wanted.append((int(slot_of[day]), int(length), kind, int(lead)))

    for r in range(n):
        span = np.flatnonzero(employed[r] & cal.workday)
        if not len(span):
            continue
        years = len(span) / 251
        drift_r = drift[r, span] * reps.sign_leave[r]
        wanted.clear()

        # Parental and long sick leave first: they take what they take.
        for _ in range(rng.poisson(0.02 * years)):
            block(rng.choice(span), rng.integers(40, 80), "Parental Leave", 30)
        for _ in range(rng.poisson(0.03 * years)):
            block(rng.choice(span), rng.integers(10, 30), "Sick Leave", 0)
        # Planned vacation: a summer block, a year-end block, other weeks (not at quarter-end).
        for days_pool, share, lengths, lead in (
            (span[summer[span]], 0.85, (5, 5, 5, 10, 10), (20, 90)),
            (span[year_end[span]], 0.6, (2, 3, 4, 5), (30, 60)),
        ):
            if len(days_pool):
                for _ in range(rng.binomial(max(1, round(years)), share)):
                    block(
                        rng.choice(days_pool), rng.choice(lengths), "Vacation", rng.integers(*lead)
                    )
        calm = ~cal.quarter_end_push[span]
        if calm.any():
            weights = (1 + BREAKS_MORE * drift_r[calm]).astype(np.float64)
            restless = drift_r.max() > 0.3
            for _ in range(rng.poisson(max(0.0, reps.vacation[r] - 8) / 14 * years)):
                start = rng.choice(span[calm], p=weights / weights.sum())
                length = rng.integers(2, 6) + (1 if restless and rng.random() < 0.5 else 0)
                block(start, length, "Vacation", rng.integers(10, 60))
        # Sick days: winter colds, nothing to do with leaving.
        weights = np.where(winter[span], 1.5, 1.0)
        for _ in range(rng.poisson(reps.sick[r] * years)):
            block(rng.choice(span, p=weights / weights.sum()), rng.geometric(0.55), "Sick Leave", 0)
        # Ad-hoc single days, more of them (and next to weekends) while disengaged.
        weights = around_weekend[span] * (1 + ADHOC_MORE * drift_r)
        for _ in range(rng.poisson(reps.adhoc[r] / 251 * weights.sum())):
            u = rng.random()
            kind = "Vacation" if u < 0.55 else ("Personal Day" if u < 0.85 else "Sick Leave")
            day = rng.choice(span, p=weights / weights.sum())
            block(day, 1 if rng.random() < 0.85 else 2, kind, rng.integers(0, 4))
        for kind, rate, length in (("Bereavement", 0.01, 3), ("Jury Duty", 0.01, 2)):
            for _ in range(rng.poisson(rate * years)):
                block(rng.choice(span), length, kind, 7)
        # Some leavers spend the end of their notice on vacation.
        last = int(reps.last[r])
        notice_left = last < days and reps.notice[r] + 10 <= last and slot_of[last] >= 0
        if notice_left and rng.random() < 0.25:
            length = int(rng.integers(3, 6))
            wanted.append((int(slot_of[last]) - length + 1, length, "Vacation", 3))
        allowed = np.zeros(len(workdays), dtype=bool)
        allowed[slot_of[span]] = True
        taken = np.zeros(len(workdays), dtype=bool)
        for start, length, kind, lead in wanted:
            stop = min(start + length, len(workdays))
            if start < 0 or stop <= start:
                continue
            window = slice(start, stop)
            if taken[window].any() or not allowed[window].all():
                continue  # HR's system allows no overlapping absences
            status = "Approved"
            if kind in ("Vacation", "Personal Day") and rng.random() < 0.02:
                status = "Cancelled"
            first_day, last_day = int(workdays[start]), int(workdays[stop - 1])
            if status == "Approved":
                taken[window] = True
                on_leave[r, workdays[window]] = True
            records.append((r, first_day, last_day, kind, status, first_day - lead))
    return on_leave, records


def _weekly_noise(n: int, weeks: int, persistence: np.ndarray, rng: np.random.Generator):
    """AR(1) weekly shocks with unit variance (busy and slack stretches)."""
    noise = np.zeros((n, weeks), dtype=np.float32)
    shocks = rng.normal(size=(n, weeks)).astype(np.float32)
    noise[:, 0] = shocks[:, 0]
    scale = np.sqrt(1 - persistence**2).astype(np.float32)
    for w in range(1, weeks):
        noise[:, w] = persistence * noise[:, w - 1] + scale * shocks[:, w]
    return noise


class _World:
    """The simulated org after the staffing: daily states, and who held what on a day."""

    def __init__(self, config: Config, cal: Calendar, staff: _Staff, rng: np.random.Generator):
        self.config, self.cal, self.staff, self.rng = config, cal, staff, rng
        reps = self.reps = staff.reps
        n, days, t = reps.n, cal.days, cal.as_of
        self.rep_end = np.minimum(reps.last[:n], reps.promoted[:n] - 1)
        # Reps of the export's history: employed as reps on some day from go-live to T.
        self.seen = (self.rep_end >= cal.first) & (reps.hire[:n] <= t)
        day = np.arange(days)
        self.employed = (day[None, :] >= reps.hire[:n, None]) & (
            day[None, :] <= self.rep_end[:, None]
        )
        self.drift = _disengagement(reps, staff.episodes, days)
        self.on_leave, self.leave_records = _leave(
            cal, reps, self.employed & self.seen[:, None], self.drift, rng
        )
        self.working = self.employed & cal.workday[None, :] & ~self.on_leave
        self.history = {p: [] for p in range(len(staff.position_team))}
        for position, r, start, end in staff.spans:
            self.history[position].append((start, end, r))
        self._moves = sorted(staff.moves, key=lambda move: -move[1])

    def position_at(self, rep: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The position (book and team) each rep held on each day."""
        result = self.reps.position[rep].copy()
        for r, moved_on, old, _new in self._moves:
            result[(rep == r) & (day < moved_on)] = old
        return result

    def holder_on(self, positions: np.ndarray, day: int) -> np.ndarray:
        """The rep holding each position on ``day`` (-1: vacant)."""
        holder = np.full(self.staff.position_team.shape, -1)
        for p, spans in self.history.items():
            for start, end, r in spans:
                if start <= day <= end:
                    holder[p] = r
        return holder[positions]


def _activity(world: _World) -> tuple[np.ndarray, np.ndarray]:
    """reps × days: tasks logged and customer meetings held."""
    cal, reps, rng = world.cal, world.reps, world.rng
    n, days = reps.n, cal.days
    tenure = np.arange(days, dtype=np.float32)[None, :] - reps.hire[:n, None]
    ramp_days = (7 * reps.ramp_weeks[:n, None]).astype(np.float32)
    ramp = 0.25 + 0.75 * np.clip(tenure / ramp_days, 0, 1)
    weeks = days // 7 + 1
    week_of = np.arange(days) // 7
    padded = np.zeros((n, weeks * 7), dtype=np.float32)
    padded[:, :days] = world.drift * reps.sign_output[:n, None].astype(np.float32)
    output_drift = padded.reshape(n, weeks, 7).mean(axis=2)
    # The week's shared swing, wider while disengaged.
    sigma = reps.volatility[:n, None].astype(np.float32) * (1 + OUTPUT_SWING * output_drift)
    log_swing = sigma * _weekly_noise(n, weeks, reps.persistence[:n], rng) - sigma**2 / 2
    swing = np.exp(log_swing)[:, week_of]
    season = np.ones(days, dtype=np.float32)
    season[(cal.month == 12) & (cal.day_of_year >= 354)] = 0.55
    season[(cal.month == 1) & (cal.day_of_year <= 7)] = 0.8
    season[(cal.month == 7) | (cal.month == 8)] *= 0.92
    push = np.where(cal.quarter_end_push, 1.2, 1.0).astype(np.float32)
    weekday = np.array([1.0, 1.1, 1.1, 1.0, 0.8, 0, 0], dtype=np.float32)[cal.weekday]
    in_notice = (np.arange(days)[None, :] >= reps.notice[:n, None]) & world.employed
    active = world.working & cal.history[None, :] & world.seen[:, None]
    daily = world.drift * reps.sign_output[:n, None].astype(np.float32)
    lam = (reps.activity[:n, None] * np.exp(0.1 * reps.perf[:n, None]) / 5).astype(np.float32)
    lam = lam * ramp * (season * push * weekday)[None, :] * swing
    lam *= np.where(in_notice, 0.6, 1.0).astype(np.float32)
    lam *= 1 - OUTPUT_DROP * np.clip(daily, 0, 1.2)
    tasks = rng.poisson(np.where(active, lam, 0)).astype(np.int16)
    # Visits rise with the tenure spent engaged (up to three years) and flatten when not.
    visit_drift = np.clip(world.drift * reps.sign_visits[:n, None].astype(np.float32), 0, 1.2)
    engaged = np.where(world.employed, 1 - np.minimum(1, 1.5 * visit_drift), 0)
    engaged_years = np.cumsum(engaged, axis=1, dtype=np.float32) / 365.25
    engaged_years += np.where(reps.initial[:n], np.clip(-reps.hire[:n] / 365.25, 0, 3), 0)[:, None]
    growth = 1 + reps.visit_growth[:n, None].astype(np.float32) * np.minimum(engaged_years, 3)
    trend = (1 + 0.04 * (np.arange(days) - cal.first) / 365.25).astype(np.float32)
    lam = (reps.visits[:n, None] / 5).astype(np.float32) * growth * ramp * np.sqrt(swing)
    lam *= (trend * weekday * np.where(season < 1, 0.7, 1.0))[None, :]
    lam *= np.where(in_notice, 0.4, 1.0).astype(np.float32) * (1 - VISITS_DROP * visit_drift)
    visits = rng.poisson(np.where(active, lam, 0)).astype(np.int16)
    return tasks, visits


# --- the people: reps, managers and the users who do not sell -----------------------------------


@dataclass
class _People:
    kind: np.ndarray  # rep, promoted, manager, director, vp, integration, admin, ops, chatter,
    # inactive
    rep: np.ndarray  # the rep behind a rep (or promoted rep), else -1
    of_rep: np.ndarray  # rep → person (-1: not in the export's history)
    of_manager: np.ndarray  # manager → person
    directors: list[int]
    special: dict[str, int]  # integration user, admin
    first_name: np.ndarray
    last_name: np.ndarray
    email: np.ndarray
    employee_id: np.ndarray
    title: np.ndarray
    team: np.ndarray  # team at T or on their last day (-1: none)
    reports_to: np.ndarray  # person (-1: nobody)
    hire: np.ndarray
    last: np.ndarray
    notice: np.ndarray
    reason: np.ndarray
    user_type: np.ndarray
    deactivated: np.ndarray  # the day IT deactivated the CRM user (BIG: still active)
    hr_entered: np.ndarray  # the day HR entered the termination (BIG: not entered)
    created: np.ndarray  # the CRM user's CreatedDate
    manager_spans: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.kind)

    def manager_on(self, team: int, day: int, team_region: np.ndarray) -> int:
        """Who manages ``team`` on ``day``: its manager, else the region's director."""
        for hire, last, person in self.manager_spans.get(team, []):
            if hire <= day <= last:
                return person
        return self.directors[team_region[team]]


def _people(world: _World) -> _People:
    cal, staff, reps, rng = world.cal, world.staff, world.reps, world.rng
    first, t = cal.first, cal.as_of
    kinds: list[str] = []
    rep_of_person: list[int] = []
    titles: list[str] = []
    user_types: list[str] = []

    def add(kind: str, *, rep: int = -1, title: str = "", user_type: str = "Standard") -> int:
        kinds.append(kind)
        rep_of_person.append(rep)
        titles.append(title)
        user_types.append(user_type)
        return len(kinds) - 1

    of_rep = np.full(reps.n, -1)
    for r in np.flatnonzero(world.seen):
        promoted = r in staff.promotions and staff.promotions[r][0] <= t
        of_rep[r] = add("promoted" if promoted else "rep", rep=int(r))
    of_manager = np.full(len(staff.managers), -1)
    for m, manager in enumerate(staff.managers):
        if manager.from_rep >= 0:
            of_manager[m] = of_rep[manager.from_rep] if manager.hire <= t else -1
        elif manager.last >= first - 30 and manager.hire <= t:
            of_manager[m] = add("manager")
    directors = [add("director", title="Regional Sales Director") for _ in staff.regions]
    vp = add("vp", title="VP of Sales")
    special = {
        "integration": add("integration"),
        "marketo": add("integration"),
        "docusign": add("integration"),
        "automated": add("integration", user_type="AutomatedProcess"),
    }
    for i in range(staff.others["admins"]):
        special.setdefault("admin", add("admin", title="Salesforce Administrator"))
        if i:
            add("admin", title="Salesforce Administrator")
    for i in range(staff.others["ops"]):
        add("ops", title=_OPS_TITLES[i % len(_OPS_TITLES)])
    for _ in range(staff.others["chatter"]):
        add("chatter", title="Finance Business Partner", user_type="CsnOnly")
    # Users who came and went owning nothing: summer interns, a temp, an analyst.
    for i in range(max(1, world.config.seats // 200)):
        add(
            "inactive", title=("Sales Intern", "Sales Operations Analyst", "Sales Assistant")[i % 3]
        )
    n = len(kinds)
    kind = np.array(kinds, dtype=object)
    rep = np.array(rep_of_person)
    first_name = np.array(_choose(rng, _FIRST, n).to_list(), dtype=object)
    last_name = np.array(_choose(rng, _LAST, n).to_list(), dtype=object)
    for key, (given, family) in {
        "integration": ("Integration", "User"),
        "marketo": ("Marketo", "Integration"),
        "docusign": ("DocuSign", "Integration"),
        "automated": ("", "Automated Process"),
    }.items():
        first_name[special[key]], last_name[special[key]] = given, family
    email = np.empty(n, dtype=object)
    handles: dict[str, int] = {}
    for i in range(n):
        handle = _ascii_handle(f"{first_name[i]}.{last_name[i]}".strip("."))
        count = handles.get(handle, 0)
        handles[handle] = count + 1
        email[i] = f"{handle}{count + 1 if count else ''}@{DOMAIN}"
    employee_id = np.array([str(100000 + 7 * i + int(rng.integers(0, 7))) for i in range(n)])

    people = _People(
        kind=kind,
        rep=rep,
        of_rep=of_rep,
        of_manager=of_manager,
        directors=directors,
        special=special,
        first_name=first_name,
        last_name=last_name,
        email=email,
        employee_id=employee_id,
        title=np.array(titles, dtype=object),
        team=np.full(n, -1),
        reports_to=np.full(n, -1),
        hire=np.zeros(n, dtype=np.int64),
        last=np.full(n, BIG),
        notice=np.full(n, BIG),
        reason=np.zeros(n, dtype=np.int64),
        user_type=np.array(user_types, dtype=object),
        deactivated=np.full(n, BIG),
        hr_entered=np.full(n, BIG),
        created=np.zeros(n, dtype=np.int64),
    )
    for m, manager in enumerate(staff.managers):
        if of_manager[m] >= 0:
            spans = people.manager_spans.setdefault(manager.team, [])
            spans.append((manager.hire, manager.last, int(of_manager[m])))
    team_region = staff.team_region
    rep_title_p = np.array([share for _title, share in _REP_TITLES])
    for i in range(n):
        r = rep[i]
        if kind[i] == "rep":
            on = int(min(world.rep_end[r], t))
            team = int(staff.position_team[world.position_at(np.array([r]), np.array([on]))[0]])
            people.team[i] = team
            people.title[i] = _REP_TITLES[rng.choice(len(_REP_TITLES), p=rep_title_p)][0]
            people.reports_to[i] = people.manager_on(team, on, team_region)
            people.hire[i], people.last[i] = reps.hire[r], reps.last[r]
            people.notice[i], people.reason[i] = reps.notice[r], reps.reason[r]
        elif kind[i] in ("promoted", "manager"):
            m = int(np.flatnonzero(of_manager == i)[-1])
            manager = staff.managers[m]
            people.team[i] = manager.team
            people.title[i] = _MANAGER_TITLES[i % len(_MANAGER_TITLES)]
            people.reports_to[i] = directors[team_region[manager.team]]
            people.hire[i] = reps.hire[r] if r >= 0 else manager.hire
            people.last[i], people.reason[i] = manager.last, manager.reason
            people.notice[i] = manager.last - 14 if manager.last < BIG else BIG
        elif kind[i] == "director":
            people.hire[i] = first - int(rng.uniform(1, 10) * 365)
            people.reports_to[i] = vp
        elif kind[i] == "vp":
            people.hire[i] = first - int(rng.uniform(2, 10) * 365)
        elif kind[i] == "inactive":
            people.hire[i] = first + int(rng.uniform(0, 0.7) * (t - first))
            people.last[i] = min(t - 20, people.hire[i] + int(rng.uniform(40, 120)))
            people.notice[i], people.reason[i] = people.last[i] - 14, RESIGN_SUDDEN
        else:
            people.hire[i] = first - int(rng.uniform(0, 6) * 365)
            if kind[i] == "ops":
                people.reports_to[i] = vp
    # IT deactivates a leaver on the last day, some weeks late, or not yet.
    lag = rng.choice(
        [0, 1, 3, 7, 14, 30, 60, BIG], size=n, p=[0.62, 0.08, 0.05, 0.06, 0.06, 0.05, 0.03, 0.05]
    )
    left = people.last < BIG
    people.deactivated = np.where(left, np.minimum(people.last + lag, BIG), BIG)
    people.deactivated[kind == "inactive"] = people.last[kind == "inactive"] + 1
    # HR enters a resignation 0–10 days after the notice, a dismissal on its day.
    hr_lag = rng.choice([0, 1, 2, 3, 5, 7, 10], size=n, p=[0.4, 0.15, 0.12, 0.1, 0.1, 0.08, 0.05])
    voluntary = np.isin(people.reason, VOLUNTARY)
    people.hr_entered = np.where(left, people.notice + np.where(voluntary, hr_lag, 0), BIG)
    people.created = np.maximum(people.hire - rng.integers(1, 8, n), first - 14)
    return people


# --- the export's files ---------------------------------------------------------------------------


class _Books:
    """Each position's book of accounts, and which account a record is about."""

    def __init__(self, world: _World, people: _People, user_ids: pl.Series) -> None:
        cal, staff, rng = world.cal, world.staff, world.rng
        first, t = cal.first, cal.as_of
        position_team = staff.position_team
        size = np.where(
            staff.enterprise[position_team],
            rng.poisson(14, len(position_team)),
            rng.poisson(30, len(position_team)),
        )
        self.position = np.repeat(np.arange(len(position_team)), np.maximum(size, 1))
        n = self.n = len(self.position)
        self.ids = sf_ids("Account", np.arange(n) + 11)
        starts = np.searchsorted(self.position, np.arange(len(position_team)))
        legacy = rng.random(n) < 0.85
        legacy[starts] = True  # every book has accounts from before go-live
        # Accounts migrated at go-live carry the migration's CreatedDate.
        self.created = np.where(
            legacy, first - 3 - rng.integers(0, 3, n), first + rng.integers(0, max(t - first, 1), n)
        )
        self.deleted = rng.random(n) < 0.004
        holder = world.holder_on(self.position, t)
        owner = np.where(holder >= 0, people.of_rep[np.maximum(holder, 0)], -1)
        team_region = staff.team_region
        for a in np.flatnonzero(owner < 0):
            p = self.position[a]
            past = world.history.get(int(p), [])
            leaver = past[-1][2] if past else -1
            recent = leaver >= 0 and t - world.rep_end[leaver] < 30
            if recent and people.of_rep[leaver] >= 0 and rng.random() < 0.33:
                owner[a] = people.of_rep[leaver]  # not reassigned yet
            else:
                owner[a] = people.manager_on(int(position_team[p]), t, team_region)
        for a in np.flatnonzero(rng.random(n) < 0.015):  # house accounts
            owner[a] = people.manager_on(int(position_team[self.position[a]]), t, team_region)
        owner[rng.random(n) < 0.008] = people.special["integration"]  # never reassigned
        self.owner = owner
        self.names = _company_names(rng, n)
        self.rng = rng
        self._starts = starts
        self._stops = np.searchsorted(self.position, np.arange(len(position_team)), side="right")
        city = [staff.team_city[position_team[p]] for p in range(len(position_team))]
        self.city = pl.Series([c[0] for c in city]).gather(self.position)
        self.state = pl.Series([c[1] for c in city]).gather(self.position)
        self.frame = pl.DataFrame(
            {
                "Id": self.ids,
                "IsDeleted": _flags(self.deleted),
                "MasterRecordId": "",
                "Name": pl.Series(self.names),
                "Type": _when(rng.random(n) < 0.8, "Customer", "Prospect"),
                "ParentId": "",
                "BillingStreet": _numbers(rng.integers(10, 9999, n))
                + " "
                + _choose(
                    rng, ("Main St", "Oak Ave", "Industrial Pkwy", "Commerce Dr", "Elm St"), n
                ),
                "BillingCity": self.city,
                "BillingState": self.state,
                "BillingPostalCode": _numbers(rng.integers(10000, 99999, n)),
                "BillingCountry": "United States",
                "Phone": _numbers(rng.integers(2_000_000_000, 9_999_999_999, n)),
                "Website": "",
                "Industry": _choose(rng, _INDUSTRIES, n),
                "AnnualRevenue": _numbers(
                    rng.lognormal(math.log(4e6), 1.2, n).round(-3).astype(np.int64)
                ),
                "NumberOfEmployees": _numbers(
                    rng.lognormal(math.log(60), 1.0, n).astype(np.int64) + 1
                ),
                "OwnerId": user_ids.gather(self.owner),
                "CreatedDate": cal.moments(self.created * 86400 + 13 * 3600),
                "CreatedById": user_ids[people.special["integration"]],
                "LastModifiedDate": cal.moments(np.full(n, (t - 2) * 86400 + 9 * 3600)),
                "LastModifiedById": user_ids[people.special["integration"]],
                "SystemModstamp": cal.moments(np.full(n, (t - 2) * 86400 + 9 * 3600)),
                "LastActivityDate": "",
                "AccountSource": _choose(
                    rng, ("", "Web", "Trade Show", "Partner", "Purchased List"), n
                ),
            }
        )

    def pick(self, positions: np.ndarray, days: np.ndarray) -> np.ndarray:
        """An account of each position's book that existed that day; reps spend most of their
        time on a few accounts."""
        start, stop = self._starts[positions], self._stops[positions]
        size = np.maximum(stop - start, 1)
        account = start + np.minimum(
            (self.rng.random(len(positions)) ** 1.8 * size).astype(int), size - 1
        )
        return np.where(self.created[account] <= days, account, start)


def _utc_offset(world: _World, positions: np.ndarray) -> np.ndarray:
    offsets = np.array([_UTC_OFFSET.get(region, 5) for region in world.staff.regions])
    return offsets[world.staff.team_region[world.staff.position_team[positions]]]


def _tasks(world, people, books, user_ids, counts) -> pl.DataFrame:
    cal, reps, rng = world.cal, world.reps, world.rng
    t = cal.as_of
    rep, day = np.nonzero(counts)
    repeat = counts[rep, day]
    rep, day = np.repeat(rep, repeat), np.repeat(day, repeat)
    n = len(rep)
    subtype = rng.choice(3, size=n, p=[0.45, 0.4, 0.15])  # call, e-mail, to-do
    call, todo = subtype == 0, subtype == 2
    position = world.position_at(rep, day)
    seconds = day * 86400 + (rng.uniform(8, 18, n) + _utc_offset(world, position)) * 3600
    account = np.where(rng.random(n) < 0.88, books.pick(position, day), -1)
    # To-dos fall due 1–14 days on and get done, less often by a rep who is drifting away.
    due = day + np.where(todo, rng.integers(1, 15, n), 0)
    drift = world.drift[rep, day] * reps.sign_output[rep]
    done_day = np.where(todo, day + rng.integers(0, 10, n), day)
    done = ~todo | (rng.random(n) < 0.88 - 0.3 * drift)
    done &= ~(todo & (done_day > np.minimum(world.rep_end[rep], t)))
    done_seconds = np.where(todo, done_day * 86400 + 15 * 3600, seconds) + rng.integers(0, 3600, n)
    call_seconds = np.where(rng.random(n) < 0.3, 0, rng.lognormal(5.3, 0.8, n).astype(np.int64))
    deleted = (rng.random(n) < 0.004) | ((account >= 0) & books.deleted[np.maximum(account, 0)])
    owner = user_ids.gather(people.of_rep[rep])
    account_id = _when(account >= 0, books.ids.gather(np.maximum(account, 0)))
    subject = _when(
        call,
        _choose(
            rng, ("Call", "Follow-up call", "Intro call", "Check-in call", "Call - no answer"), n
        ),
        _when(
            subtype == 1,
            _choose(
                rng,
                (
                    "Email: Quote follow-up",
                    "Email: Re: pricing",
                    "Email: Proposal",
                    "Email: Order confirmation",
                ),
                n,
            ),
            _choose(
                rng,
                (
                    "Send proposal",
                    "Prepare quote",
                    "Follow up on samples",
                    "Update account plan",
                    "Schedule site visit",
                ),
                n,
            ),
        ),
    )
    modified = cal.moments(np.where(done, done_seconds, seconds))
    frame = pl.DataFrame(
        {
            "Id": sf_ids("Task", np.arange(n) + 1001),
            "WhoId": _when(
                rng.random(n) < 0.55, sf_ids("Contact", rng.integers(0, books.n * 3, n))
            ),
            "WhatId": account_id,
            "Subject": subject,
            "ActivityDate": cal.days_text(due),
            "Status": _when(
                done,
                "Completed",
                _choose(
                    rng,
                    ("Not Started", "In Progress", "Waiting on someone else"),
                    n,
                    p=[0.6, 0.3, 0.1],
                ),
            ),
            "Priority": _when(rng.random(n) < 0.08, "High", "Normal"),
            "IsHighPriority": "false",
            "OwnerId": owner,
            "Description": "",
            "Type": pl.Series(["Call", "Email", "Other"]).gather(subtype),
            "IsDeleted": _flags(deleted),
            "AccountId": account_id,
            "IsClosed": _flags(done),
            "CreatedDate": cal.moments(seconds),
            "CreatedById": owner,
            "LastModifiedDate": modified,
            "LastModifiedById": owner,
            "SystemModstamp": modified,
            "IsArchived": "false",
            "CallDurationInSeconds": _when(call, _numbers(call_seconds)),
            "CallType": _when(call, _when(rng.random(n) < 0.85, "Outbound", "Inbound")),
            "CallDisposition": _when(call, _when(call_seconds > 0, "Connected", "Left Voicemail")),
            "IsReminderSet": _flags(todo),
            "IsRecurrence": "false",
            "TaskSubtype": pl.Series(["Call", "Email", "Task"]).gather(subtype),
            "CompletedDateTime": _when(done, modified),
        }
    )
    # What the marketing integration and the managers log: nobody's in Relay.
    first = cal.first
    owners = np.concatenate(
        [
            np.repeat([people.special["marketo"], people.special["integration"]], 150),
            np.repeat(np.flatnonzero(np.isin(people.kind, ("manager", "promoted"))), 20),
        ]
    )
    m = len(owners)
    side_day = cal.on_or_before(rng.integers(first, t + 1, m))
    side_seconds = side_day * 86400 + rng.integers(13, 22, m) * 3600
    marketing = np.isin(owners, [people.special["marketo"], people.special["integration"]])
    side_owner = user_ids.gather(owners)
    side = pl.DataFrame(
        {
            "Id": sf_ids("Task", np.arange(m) + 1001 + n),
            "WhoId": sf_ids("Contact", rng.integers(0, books.n * 3, m)),
            "WhatId": "",
            "Subject": _when(
                marketing, "Marketo: Sent Email - Newsletter", "Coaching: ride-along notes"
            ),
            "ActivityDate": cal.days_text(side_day),
            "Status": "Completed",
            "Priority": "Normal",
            "IsHighPriority": "false",
            "OwnerId": side_owner,
            "Description": "",
            "Type": _when(marketing, "Email", "Other"),
            "IsDeleted": "false",
            "AccountId": "",
            "IsClosed": "true",
            "CreatedDate": cal.moments(side_seconds),
            "CreatedById": side_owner,
            "LastModifiedDate": cal.moments(side_seconds),
            "LastModifiedById": side_owner,
            "SystemModstamp": cal.moments(side_seconds),
            "IsArchived": "false",
            "CallDurationInSeconds": "",
            "CallType": "",
            "CallDisposition": "",
            "IsReminderSet": "false",
            "IsRecurrence": "false",
            "TaskSubtype": _when(marketing, "Email", "Task"),
            "CompletedDateTime": cal.moments(side_seconds),
        }
    )
    return pl.concat([frame, side], how="vertical")


def _event_frame(
    cal: Calendar,
    *,
    ids: pl.Series,
    owner: pl.Series,
    start: np.ndarray,
    minutes: np.ndarray,
    local_day: np.ndarray,
    subject: pl.Series | str,
    event_type: pl.Series | str,
    account: pl.Series | str,
    who: pl.Series | str,
    booked: np.ndarray,
    location: pl.Series | str = "",
    all_day: bool = False,
    group: bool = False,
) -> pl.DataFrame:
    booked_moment = cal.moments(np.minimum(booked, cal.as_of * 86400 + 20 * 3600))
    return pl.DataFrame(
        {
            "Id": ids,
            "WhoId": who,
            "WhatId": account,
            "Subject": subject,
            "Location": location,
            "IsAllDayEvent": "true" if all_day else "false",
            "ActivityDateTime": "" if all_day else cal.moments(start),
            "ActivityDate": cal.days_text(local_day),
            "DurationInMinutes": _numbers(minutes),
            "StartDateTime": cal.moments(start),
            "EndDateTime": cal.moments(start + minutes * 60),
            "Description": "",
            "AccountId": account,
            "OwnerId": owner,
            "Type": event_type,
            "IsPrivate": "false",
            "ShowAs": "OutOfOffice" if all_day else "Busy",
            "IsDeleted": "false",
            "IsChild": "false",
            "IsGroupEvent": "true" if group else "false",
            "CreatedDate": booked_moment,
            "CreatedById": owner,
            "LastModifiedDate": booked_moment,
            "LastModifiedById": owner,
            "SystemModstamp": booked_moment,
        },
        schema_overrides={},
    )


def _events(world, people, books, user_ids, counts) -> pl.DataFrame:
    cal, reps, rng = world.cal, world.reps, world.rng
    first, t, days = cal.first, cal.as_of, cal.days
    rep, day = np.nonzero(counts)
    repeat = counts[rep, day]
    rep, day = np.repeat(rep, repeat), np.repeat(day, repeat)
    # Meetings already booked for the coming three weeks.
    present = np.flatnonzero(world.seen & (world.rep_end > t) & (reps.hire[: reps.n] <= t))
    ahead = np.repeat(present, rng.poisson(reps.visits[present] * 1.2))
    rep = np.concatenate([rep, ahead])
    day = np.concatenate([day, cal.on_or_after(t + rng.integers(1, 21, len(ahead)))])
    n = len(rep)
    position = world.position_at(rep, day)
    offset = _utc_offset(world, position)
    drift = np.clip(world.drift[rep, np.minimum(day, days - 1)] * reps.sign_visits[rep], 0, 1.2)
    minutes = reps.visit_minutes[rep] * (1 - VISIT_MINUTES_DROP * drift) * rng.lognormal(0, 0.35, n)
    minutes = np.maximum(15, np.round(minutes / 15) * 15).astype(np.int64)
    start = day * 86400 + (rng.integers(8, 17, n) + offset) * 3600 + rng.choice([0, 1800], n)
    account = books.pick(position, day)
    deleted = (rng.random(n) < 0.003) | books.deleted[account]
    account_id = books.ids.gather(account)
    event_type = _choose(
        rng, ("Meeting", "Site Visit", "Demo", "Call"), n, p=[0.55, 0.3, 0.1, 0.05]
    )
    customer = _event_frame(
        cal,
        ids=sf_ids("Event", np.arange(n) + 501),
        owner=user_ids.gather(people.of_rep[rep]),
        start=start,
        minutes=minutes,
        local_day=day,
        subject=_choose(
            rng,
            (
                "Customer visit",
                "Quarterly business review",
                "Product demo",
                "Site visit",
                "Lunch meeting",
                "Contract review",
            ),
            n,
        ),
        event_type=event_type,
        account=account_id,
        who=_when(rng.random(n) < 0.6, sf_ids("Contact", rng.integers(0, books.n * 3, n))),
        booked=start - rng.integers(1, 20, n) * 86400,
        location=_when(event_type == "Site Visit", "Customer site"),
    ).with_columns(IsDeleted=_flags(deleted))
    # Internal meetings: pipeline reviews, one-to-ones, training (no customer on them).
    k = n // 8
    who = rng.choice(np.flatnonzero(world.seen), size=k)
    lo = np.maximum(reps.hire[who], first)
    hi = np.minimum(world.rep_end[who], t)
    ok = hi > lo
    who, lo, hi = who[ok], lo[ok], hi[ok]
    on = cal.on_or_before(lo + (rng.random(len(who)) * (hi - lo)).astype(np.int64))
    ok = world.working[who, on]
    who, on = who[ok], on[ok]
    k = len(who)
    start = (
        on * 86400
        + (rng.integers(8, 17, k) + _utc_offset(world, world.position_at(who, on))) * 3600
    )
    internal = _event_frame(
        cal,
        ids=sf_ids("Event", np.arange(k) + 501 + n),
        owner=user_ids.gather(people.of_rep[who]),
        start=start,
        minutes=_choose(rng, (30, 60, 60, 90), k).cast(pl.Int64).to_numpy(),
        local_day=on,
        subject=_choose(
            rng,
            (
                "Pipeline review",
                "Team meeting",
                "1:1 with manager",
                "Forecast call",
                "Product training",
            ),
            k,
        ),
        event_type=_choose(rng, ("Other", "Team Meeting", ""), k, p=[0.7, 0.2, 0.1]),
        account="",
        who="",
        booked=start - 7 * 86400,
        location="Zoom",
    )
    # Vacations some people put in their calendars as all-day events.
    blocks = [
        (r, f, last)
        for r, f, last, kind, status, booked in world.leave_records
        if kind == "Vacation"
        and status == "Approved"
        and last - f >= 3
        and first <= f
        and booked <= t
        and people.of_rep[r] >= 0
        and rng.random() < 0.35
    ]
    o_rep = np.array([b[0] for b in blocks], dtype=np.int64)
    o_first = np.array([b[1] for b in blocks], dtype=np.int64)
    o_last = np.array([b[2] for b in blocks], dtype=np.int64)
    k2 = len(blocks)
    away = _event_frame(
        cal,
        ids=sf_ids("Event", np.arange(k2) + 501 + n + k),
        owner=user_ids.gather(people.of_rep[o_rep]),
        start=o_first * 86400,
        minutes=(o_last - o_first + 1) * 1440,
        local_day=o_first,
        subject="Out of office",
        event_type="",
        account="",
        who="",
        booked=(o_first - 14) * 86400 + 15 * 3600,
        all_day=True,
    )
    # Managers' team meetings: nobody's in Relay.
    owners, on = [], []
    for m, manager in enumerate(world.staff.managers):
        person = people.of_manager[m]
        lo, hi = max(first, manager.hire), min(t, manager.last)
        if person >= 0 and hi > lo:
            count = max(1, (hi - lo) // 14)
            owners.append(np.full(count, person))
            on.append(cal.on_or_before(rng.integers(lo, hi + 1, count)))
    owners_a = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    on_a = np.concatenate(on) if on else np.zeros(0, dtype=np.int64)
    k3 = len(owners_a)
    start = on_a * 86400 + rng.integers(13, 21, k3) * 3600
    team = _event_frame(
        cal,
        ids=sf_ids("Event", np.arange(k3) + 501 + n + k + k2),
        owner=user_ids.gather(owners_a),
        start=start,
        minutes=np.full(k3, 60),
        local_day=on_a,
        subject="Team meeting",
        event_type="Other",
        account="",
        who="",
        booked=start - 7 * 86400,
        location="Zoom",
        group=True,
    )
    return pl.concat([customer, internal, away, team], how="vertical")


_OPEN_STAGES = {
    "Prospecting": "10",
    "Qualification": "20",
    "Needs Analysis": "40",
    "Proposal/Price Quote": "60",
    "Negotiation/Review": "80",
}


def _opportunities(world, people, books, user_ids) -> pl.DataFrame:
    cal, reps, rng, staff = world.cal, world.reps, world.rng, world.staff
    t, days, n_reps = cal.as_of, cal.days, world.reps.n
    active = world.working & cal.history[None, :] & world.seen[:, None]
    lam = (0.35 / 5 * np.exp(0.25 * reps.perf[:n_reps]))[:, None].astype(np.float32)
    lam = lam * (1 - 0.3 * np.clip(world.drift * reps.sign_output[:n_reps, None], 0, 1.2))
    lam *= np.where(cal.quarter_end_push, 1.3, 1.0).astype(np.float32)[None, :]
    counts = rng.poisson(np.where(active, lam, 0))
    rep, day = np.nonzero(counts)
    repeat = counts[rep, day]
    rep, day = np.repeat(rep, repeat), np.repeat(day, repeat)
    n = len(rep)
    close = day + rng.lognormal(math.log(45), 0.6, n).astype(np.int64) + 7
    close = np.where(rng.random(n) < 0.45, cal.quarter_end(close), close)  # the quarter's push
    drift = world.drift[rep, day] * reps.sign_output[rep]
    win = 1 / (1 + np.exp(-(-0.35 + 0.45 * reps.perf[rep] - 1.0 * drift)))
    decided = close <= t
    stale = decided & (rng.random(n) < 0.08)  # its close date passed; nobody updated it
    won = decided & ~stale & (rng.random(n) < win)
    lost = decided & ~stale & ~won
    stage = _choose(rng, tuple(_OPEN_STAGES), n, p=[0.2, 0.25, 0.2, 0.2, 0.15])
    stage = _when(won, "Closed Won", _when(lost, "Closed Lost", stage))
    probability = stage.replace_strict({**_OPEN_STAGES, "Closed Won": "100", "Closed Lost": "0"})
    position = world.position_at(rep, day)
    # Open deals of a rep who has gone went to whoever holds the position at T (the manager
    # while it is vacant); closed ones stay theirs.
    owner = people.of_rep[rep].copy()
    moved_on = ~won & ~lost & (world.rep_end[rep] < t)
    holder = world.holder_on(position, t)
    for i in np.flatnonzero(moved_on):
        if holder[i] >= 0 and people.of_rep[holder[i]] >= 0:
            owner[i] = people.of_rep[holder[i]]
        else:
            owner[i] = people.manager_on(
                int(staff.position_team[position[i]]), t, staff.team_region
            )
    account = books.pick(position, day)
    amount = rng.lognormal(math.log(22000), 0.9, n) * np.where(
        staff.enterprise[staff.position_team[position]], 3.0, 1.0
    )
    created = day * 86400 + (rng.uniform(8, 18, n) + _utc_offset(world, position)) * 3600
    modified = cal.moments(
        np.minimum(
            np.where(decided & ~stale, close, day + 3) * 86400 + 15 * 3600, t * 86400 + 18 * 3600
        )
    )
    owner_id = user_ids.gather(owner)
    close_dates = np.datetime64(cal.day0, "D") + np.minimum(close, days - 1).astype(
        "timedelta64[D]"
    )
    forecast = _when(won, "Closed", _when(lost, "Omitted", "Pipeline"))
    return pl.DataFrame(
        {
            "Id": sf_ids("Opportunity", np.arange(n) + 301),
            "IsDeleted": _flags(books.deleted[account]),
            "AccountId": books.ids.gather(account),
            "Name": pl.Series(books.names).gather(account)
            + " - "
            + _choose(
                rng, ("New Business", "Renewal", "Expansion", "Add-on", "Service Contract"), n
            ),
            "Description": "",
            "StageName": stage,
            "Amount": _numbers(np.round(amount, -1).astype(np.int64)) + ".00",
            "Probability": probability,
            "CloseDate": cal.days_text(close),
            "Type": _choose(
                rng,
                (
                    "New Customer",
                    "Existing Customer - Upgrade",
                    "Existing Customer - Replacement",
                    "Existing Customer - Downgrade",
                ),
                n,
                p=[0.4, 0.35, 0.2, 0.05],
            ),
            "LeadSource": _choose(
                rng,
                ("Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Word of mouth", ""),
                n,
            ),
            "IsClosed": _flags(won | lost),
            "IsWon": _flags(won),
            "ForecastCategory": forecast,
            "ForecastCategoryName": forecast,
            "OwnerId": owner_id,
            "CreatedDate": cal.moments(created),
            "CreatedById": user_ids.gather(people.of_rep[rep]),
            "LastModifiedDate": modified,
            "LastModifiedById": owner_id,
            "SystemModstamp": modified,
            "FiscalQuarter": _numbers(
                (close_dates.astype("datetime64[M]").astype(int) % 12) // 3 + 1
            ),
            "FiscalYear": _numbers(close_dates.astype("datetime64[Y]").astype(int) + 1970),
            "HasOpportunityLineItem": "false",
        }
    )


def _cases(world, people, books, user_ids, queue_id: str) -> pl.DataFrame:
    cal, reps, rng = world.cal, world.reps, world.rng
    t, n_reps = cal.as_of, world.reps.n
    service_drift = np.clip(world.drift * reps.sign_service[:n_reps, None], 0, 1.2)
    on_duty = world.employed & cal.workday[None, :] & cal.history[None, :] & world.seen[:, None]
    counts = rng.poisson(np.where(on_duty, (reps.cases[:n_reps] / 5)[:, None], 0))
    rep, day = np.nonzero(counts)
    repeat = counts[rep, day]
    rep, day = np.repeat(rep, repeat), np.repeat(day, repeat)
    n = len(rep)
    drift = service_drift[rep, day]
    priority = _choose(rng, ("Low", "Medium", "High"), n, p=[0.3, 0.5, 0.2])
    high = (priority == "High").to_numpy()
    p_escalated = reps.escalation[rep] * (1 + ESCALATION_MORE * drift) * np.where(high, 1.8, 1.0)
    escalated = rng.random(n) < np.clip(p_escalated, 0, 0.9)
    hours = rng.lognormal(math.log(30), 0.9, n) * (1 + 0.8 * drift) * np.where(escalated, 2.5, 1.0)
    position = world.position_at(rep, day)
    opened = day * 86400 + (rng.uniform(7, 19, n) + _utc_offset(world, position)) * 3600
    closed = (opened + hours * 3600).astype(np.int64)
    is_closed = closed <= t * 86400 + 12 * 3600
    # Most cases are never surveyed; the survey's CSAT is 1–5.
    surveyed = is_closed & (rng.random(n) < 0.22)
    quality = reps.csat[rep] - CSAT_DROP * drift - 0.6 * escalated - 0.25 * high
    quality += rng.normal(0, 0.75, n)
    csat = np.clip(np.round(quality), 1, 5).astype(np.int64)
    account = books.pick(position, day)
    # Open cases of a rep who has gone, and new ones nobody took yet, sit in the care queue.
    owner = user_ids.gather(people.of_rep[rep])
    queued = ~is_closed & ((world.rep_end[rep] < t) | (rng.random(n) < 0.05))
    owner = _when(queued, queue_id, owner)
    integration = user_ids[people.special["integration"]]
    modified = cal.moments(np.where(is_closed, closed, opened))
    return pl.DataFrame(
        {
            "Id": sf_ids("Case", np.arange(n) + 77),
            "IsDeleted": _flags(books.deleted[account]),
            "CaseNumber": _numbers(np.arange(n) + 1001).str.zfill(8),
            "ContactId": _when(
                rng.random(n) < 0.7, sf_ids("Contact", rng.integers(0, books.n * 3, n))
            ),
            "AccountId": books.ids.gather(account),
            "Type": _choose(
                rng,
                ("Question", "Problem", "Complaint", "Feature Request"),
                n,
                p=[0.35, 0.4, 0.15, 0.1],
            ),
            "Status": _when(
                is_closed,
                "Closed",
                _when(escalated, "Escalated", _choose(rng, ("New", "Working"), n)),
            ),
            "Reason": _choose(
                rng, ("Delivery", "Billing", "Product quality", "Installation", "Other"), n
            ),
            "Origin": _choose(rng, ("Phone", "Email", "Web"), n),
            "Subject": _choose(
                rng,
                (
                    "Late delivery",
                    "Invoice question",
                    "Damaged goods",
                    "Order change",
                    "Product not working",
                    "Return request",
                ),
                n,
            ),
            "Priority": priority,
            "IsClosed": _flags(is_closed),
            "ClosedDate": _when(is_closed, cal.moments(closed)),
            "IsEscalated": _flags(escalated),
            "OwnerId": owner,
            "CreatedDate": cal.moments(opened),
            "CreatedById": integration,
            "LastModifiedDate": modified,
            "LastModifiedById": integration,
            "SystemModstamp": modified,
            "CSAT__c": _when(surveyed, _numbers(csat)),
        }
    )


def _roles(world: _World) -> tuple[list[tuple[str, str, str]], dict[str, object]]:
    """The role hierarchy: CEO → VP Sales → a director's role per region → each team's
    manager's role → the team's reps' role; beside sales, administration, operations, support."""
    staff = world.staff
    rows: list[tuple[str, str, str]] = []

    def role(name: str, parent: str = "") -> str:
        role_id = sf_ids("UserRole", [len(rows)])[0]
        rows.append((role_id, name, parent))
        return role_id

    ceo = role("CEO")
    vp = role("VP Sales", ceo)
    admin = role("System Administrator")
    ops = role("Sales Operations", ceo)
    role("Customer Support", ceo)
    role("Finance", ceo)
    directors = [role(f"{region} Sales Director", vp) for region in staff.regions]
    managers, reps = [], []
    for t, team in enumerate(staff.teams):
        managers.append(role(f"{team} Sales Manager", directors[staff.team_region[t]]))
        reps.append(role(f"{team} Sales Rep", managers[-1]))
    return rows, {
        "vp": vp,
        "admin": admin,
        "ops": ops,
        "directors": directors,
        "managers": managers,
        "reps": reps,
    }


def _users(world, people, user_ids, roles) -> pl.DataFrame:
    cal, staff, rng = world.cal, world.staff, world.rng
    first, t = cal.first, cal.as_of
    n = len(people)
    kind = people.kind
    role = np.full(n, "", dtype=object)
    for i in range(n):
        if kind[i] == "rep":
            role[i] = roles["reps"][people.team[i]]
        elif kind[i] in ("promoted", "manager"):
            role[i] = roles["managers"][people.team[i]]
        elif kind[i] == "director":
            role[i] = roles["directors"][people.directors.index(i)]
        elif kind[i] in ("vp", "admin", "ops"):
            role[i] = roles[kind[i]]
    region = np.array(
        [staff.regions[staff.team_region[team]] if team >= 0 else "" for team in people.team],
        dtype=object,
    )
    for i, person in enumerate(people.directors):
        region[person] = staff.regions[i]
    is_active = people.deactivated > t
    left = people.last <= t
    last_login = np.where(
        left | ~is_active,
        np.minimum(people.last, t) - rng.integers(0, 6, n),
        t - rng.integers(0, 4, n),
    )
    profiles = sf_ids("Profile", np.arange(6) + 3)
    profile = np.select(
        [
            kind == "admin",
            kind == "integration",
            kind == "chatter",
            np.isin(kind, ("manager", "promoted", "director", "vp")),
        ],
        [profiles[0], profiles[4], profiles[5], profiles[2]],
        default=profiles[1],
    )
    admin_id = user_ids[people.special.get("admin", people.special["integration"])]
    changed = cal.moments(
        np.minimum(np.where(is_active, t - 30, people.deactivated), t) * 86400 + 16 * 3600
    )
    integration = kind == "integration"
    email = pl.Series(people.email.astype(str))
    name = pl.Series(people.first_name.astype(str)) + " " + pl.Series(people.last_name.astype(str))
    return pl.DataFrame(
        {
            "Id": user_ids,
            "Username": email + ".prod",
            "LastName": pl.Series(people.last_name.astype(str)),
            "FirstName": pl.Series(people.first_name.astype(str)),
            "Name": name.str.strip_chars(),
            "CompanyName": COMPANY,
            "Division": pl.Series(region.astype(str)),
            "Department": _when(np.isin(kind, ("integration", "admin", "chatter")), "", "Sales"),
            "Title": pl.Series(people.title.astype(str)),
            "Email": _when(integration, "noreply@" + DOMAIN, email),
            "IsActive": _flags(is_active),
            "UserRoleId": pl.Series(role.astype(str)),
            "ProfileId": pl.Series(profile.astype(str)),
            "UserType": pl.Series(people.user_type.astype(str)),
            # Many orgs fill the HR number in; not all users have it.
            "EmployeeNumber": _when(
                ~integration & (rng.random(n) < 0.7), pl.Series(people.employee_id)
            ),
            "ManagerId": _when(
                people.reports_to >= 0, user_ids.gather(np.maximum(people.reports_to, 0))
            ),
            "TimeZoneSidKey": pl.Series([_TIME_ZONE.get(r, "America/New_York") for r in region]),
            "LocaleSidKey": "en_US",
            "LanguageLocaleKey": "en_US",
            "EmailEncodingKey": "UTF-8",
            "LastLoginDate": _when(
                ~integration,
                cal.moments(
                    np.maximum(last_login, first - 14) * 86400 + rng.integers(12, 20, n) * 3600
                ),
            ),
            "CreatedDate": cal.moments(people.created * 86400 + 14 * 3600),
            "CreatedById": admin_id,
            "LastModifiedDate": changed,
            "LastModifiedById": admin_id,
            "SystemModstamp": changed,
        }
    )


def _hr_people(world: _World, people: _People) -> pl.DataFrame:
    """HR's people file: the sales line organisation (reps, their managers, the directors),
    everyone employed since go-live, with the terminations HR had entered by T."""
    cal, staff, rng = world.cal, world.staff, world.rng
    t = cal.as_of
    rows = []
    for i in np.flatnonzero(np.isin(people.kind, ("rep", "promoted", "manager", "director"))):
        if people.last[i] < cal.first:
            continue
        team = people.team[i]
        if team >= 0:
            written_team = f"{staff.regions[staff.team_region[team]]} - {staff.teams[team]}"
        else:
            written_team = staff.regions[people.directors.index(i)]
        termination = kind = reason = ""
        if people.last[i] < BIG and people.hr_entered[i] <= t:
            termination = cal.date(people.last[i]).strftime("%m/%d/%Y")
            kind = "Voluntary" if people.reason[i] in VOLUNTARY else "Involuntary"
            options = _HR_REASONS[int(people.reason[i])]
            reason = options[rng.choice(len(options), p=[share for _r, share in options])][0]
        email = people.email[i]
        if rng.random() < 0.02:  # HR's system capitalises some addresses
            email = email.title()
        manager = people.reports_to[i]
        rows.append(
            {
                "Employee ID": people.employee_id[i],
                "First Name": people.first_name[i],
                "Last Name": people.last_name[i],
                "Preferred Name": "",
                "Work Email": email,
                "Job Title": people.title[i],
                "Department": "Sales",
                "Team": written_team,
                "Manager Email": people.email[manager] if manager >= 0 else "",
                "Location": staff.team_city[team][0] if team >= 0 else "",
                "Employment Type": "Full-Time",
                "Start Date": cal.date(people.hire[i]).strftime("%m/%d/%Y"),
                "Termination Date": termination,
                "Termination Type": kind,
                "Termination Reason": reason,
                "Employment Status": "Terminated"
                if people.last[i] < t and termination
                else "Active",
            }
        )
    return pl.DataFrame(rows)


def _hr_absences(world: _World, people: _People) -> pl.DataFrame:
    """HR's absence report: every absence booked by T (approved, cancelled, the future ones)."""
    cal = world.cal
    t = cal.as_of
    workdays_before = np.cumsum(cal.workday)
    rows = []
    for r, first_day, last_day, kind, status, booked in world.leave_records:
        person = people.of_rep[r]
        if person < 0 or booked > t or last_day < cal.first:
            continue
        rows.append(
            {
                "Employee ID": people.employee_id[person],
                "Employee Name": f"{people.first_name[person]} {people.last_name[person]}",
                "Absence Type": kind,
                "Start Date": cal.date(first_day).strftime("%m/%d/%Y"),
                "End Date": cal.date(last_day).strftime("%m/%d/%Y"),
                "Duration (Days)": str(
                    int(workdays_before[last_day] - workdays_before[first_day] + 1)
                ),
                "Status": status,
                "Requested On": cal.date(max(booked, cal.first - 30)).strftime("%m/%d/%Y"),
            }
        )
    return pl.DataFrame(rows)


def _truth(
    world, people, user_ids, tables, tasks, visits
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray]:
    cal = world.cal
    first, t, days = cal.first, cal.as_of, cal.days
    kind = people.kind
    owners = set(tables["Account"]["OwnerId"].to_list()) | set(
        tables["Opportunity"]["OwnerId"].to_list()
    )
    owns = user_ids.is_in(list(owners)).to_numpy()
    is_active = people.deactivated > t
    # What Relay's importer should make of each user (README, "The first import"): sellers are
    # reps (an inactive one who owns accounts or deals has left; with nothing, skipped),
    # people leading sales teams are managers, everyone else is skipped.
    expected = np.where(
        kind == "rep",
        np.where(is_active | owns, "rep", "skip"),
        np.where(
            np.isin(kind, ("manager", "promoted", "director", "vp")) & is_active, "manager", "skip"
        ),
    )
    n = len(people)
    weeks = (t - first) // 7 + 1
    weekly = np.zeros((n, weeks))
    window = np.arange(first, first + weeks * 7)
    seen = np.flatnonzero(world.seen)
    for counts in (tasks, visits):
        per_day = counts[seen][:, window].astype(np.float64)
        weekly[people.of_rep[seen]] += per_day.reshape(len(seen), weeks, 7).sum(axis=2)
    leave_90 = np.zeros(n)
    recent = slice(t - 89, t + 1)
    leave_90[people.of_rep[seen]] = (world.on_leave[seen, recent] & cal.workday[None, recent]).sum(
        axis=1
    )
    # The latent drift itself (no file shows it): how far the generator's own ceiling goes.
    drift = np.zeros(n)
    drift[people.of_rep[seen]] = world.drift[seen, t - 27 : t + 1].mean(axis=1)

    def day_text(values: np.ndarray) -> pl.Series:
        return _when(values < BIG, cal.days_text(np.minimum(values, days - 1)))

    truth = pl.DataFrame(
        {
            "crm_user_id": user_ids,
            "employee_id": pl.Series(people.employee_id),
            "email": pl.Series(people.email.astype(str)),
            "kind": pl.Series(kind.astype(str)),
            "expected": pl.Series(expected.astype(str)),
            "title": pl.Series(people.title.astype(str)),
            "is_active_in_crm": is_active,
            "in_hr": np.isin(kind, ("rep", "promoted", "manager", "director"))
            & (people.last >= first),
            "team": pl.Series([world.staff.teams[x] if x >= 0 else "" for x in people.team]),
            "hire_date": cal.days_text(people.hire),
            "notice_date": day_text(people.notice),
            "last_day": day_text(people.last),
            "hr_entered": day_text(people.hr_entered),
            "reason": pl.Series([REASON_NAMES.get(int(x), "") for x in people.reason]),
            "voluntary": np.isin(people.reason, VOLUNTARY) & (people.last < BIG),
            "latent_drift_4w": drift,
            # Days from T (a large number: never).
            "last_day_from_t": np.where(people.last < BIG, people.last - t, 10**6),
            "notice_from_t": np.where(people.notice < BIG, people.notice - t, 10**6),
            "hr_entered_from_t": np.where(people.hr_entered < BIG, people.hr_entered - t, 10**6),
        }
    )
    return truth, weekly, leave_90


def simulate(config: Config) -> Org:
    """The org, the rows of each file and the truth, in memory."""
    rng = np.random.default_rng(config.seed)
    monday = config.as_of - dt.timedelta(days=config.as_of.weekday())
    go_live = monday - dt.timedelta(weeks=config.weeks - 1)
    day0 = go_live - dt.timedelta(weeks=config.burn_in_weeks)
    cal = Calendar(
        day0=day0,
        first=(go_live - day0).days,
        as_of=(config.as_of - day0).days,
        days=(config.as_of - day0).days + 183,
    )
    staff = _staffing(config, cal, rng)
    world = _World(config, cal, staff, rng)
    tasks, visits = _activity(world)
    people = _people(world)
    user_ids = sf_ids("User", np.arange(len(people)) + 40)
    role_rows, roles = _roles(world)
    books = _Books(world, people, user_ids)
    queue_id = sf_ids("Group", [7])[0]
    admin_id = user_ids[people.special.get("admin", people.special["integration"])]
    stamp = cal.days_text(np.array([cal.first - 20]))[0] + "T10:00:00.000Z"
    tables = {
        "User": _users(world, people, user_ids, roles),
        "UserRole": pl.DataFrame(
            {
                "Id": [row[0] for row in role_rows],
                "Name": [row[1] for row in role_rows],
                "ParentRoleId": [row[2] for row in role_rows],
                "RollupDescription": [row[1] for row in role_rows],
                "OpportunityAccessForAccountOwner": "Edit",
                "CaseAccessForAccountOwner": "Edit",
                "DeveloperName": [_developer_name(row[1]) for row in role_rows],
                "PortalType": "None",
                "LastModifiedDate": stamp,
                "LastModifiedById": admin_id,
                "SystemModstamp": stamp,
            }
        ),
        "Profile": pl.DataFrame(
            {
                "Id": sf_ids("Profile", np.arange(6) + 3),
                "Name": [
                    "System Administrator",
                    "Field Sales User",
                    "Sales Manager",
                    "Read Only",
                    "Salesforce API Only System Integrations",
                    "Chatter Free User",
                ],
                "UserType": ["Standard"] * 5 + ["CsnOnly"],
                "Description": "",
            }
        ),
        "Group": pl.DataFrame(
            {
                "Id": [queue_id],
                "Name": ["Customer Care Queue"],
                "DeveloperName": ["Customer_Care_Queue"],
                "Type": ["Queue"],
                "Email": [f"care@{DOMAIN}"],
                "OwnerId": [admin_id],
            }
        ),
        "Account": books.frame,
        "Opportunity": _opportunities(world, people, books, user_ids),
        "Task": _tasks(world, people, books, user_ids, tasks),
        "Event": _events(world, people, books, user_ids, visits),
        "Case": _cases(world, people, books, user_ids, queue_id),
        "HR_People_Export": _hr_people(world, people),
        "HR_Absences_Export": _hr_absences(world, people),
    }
    truth, weekly, leave_90 = _truth(world, people, user_ids, tables, tasks, visits)
    counts = {
        "people": len(people),
        "reps_in_history": int(world.seen.sum()),
        "positions": len(staff.position_team),
        "teams": len(staff.teams),
        "poaching_waves": len(staff.waves),
        "moves": len(staff.moves),
        "promotions": len(staff.promotions),
        "disengagement_episodes": len(staff.episodes),
    }
    return Org(config, cal, tables, truth, weekly, leave_90, counts)


def _developer_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


def _ascii_handle(value: str) -> str:
    value = value.replace("ø", "o").replace("Ø", "O").replace("'", "")
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return value.lower().replace(" ", "")


def _company_names(rng: np.random.Generator, n: int) -> list[str]:
    """Distinct customer names (the CRM's duplicate rules keep them apart)."""
    words = _choose(rng, _COMPANY_WORDS, n)
    kinds = _choose(rng, _COMPANY_KINDS, n)
    suffixes = _choose(rng, _COMPANY_SUFFIXES, n)
    names = (words + " " + kinds + " " + suffixes).str.strip_chars().to_list()
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if not count else f"{name} ({count + 1})")
    return out


# --- writing the files ------------------------------------------------------------------------

SALESFORCE_OBJECTS = (
    "User",
    "UserRole",
    "Profile",
    "Group",
    "Account",
    "Opportunity",
    "Task",
    "Event",
    "Case",
)
HR_FILES = ("HR_People_Export", "HR_Absences_Export")


def write_export(org: Org, target: Path) -> dict[str, Path]:
    """The Data Export's .ZIP and HR's two files, as their systems write them."""
    target.mkdir(parents=True, exist_ok=True)
    paths = {}
    archive = target / f"WE_{ORG_ID}_1.ZIP"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zipped:
        for name in SALESFORCE_OBJECTS:
            with zipped.open(f"{name}.csv", "w", force_zip64=True) as member:
                org.tables[name].write_csv(member, quote_style="always", line_terminator="\n")
    paths["salesforce"] = archive
    for name in HR_FILES:
        path = target / f"{name}.csv"
        # HR's report tool: a byte-order mark, quotes only where needed, CRLF line ends.
        body = org.tables[name].write_csv(quote_style="necessary", line_terminator="\r\n")
        path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
        paths[name] = path
    return paths


# --- what an admin does with HR's absence report ------------------------------------------------

ABSENCE_KINDS = {
    "Vacation": "vacation",
    "Sick Leave": "sick",
    "Personal Day": "personal",
    "Unpaid Leave": "unpaid",
    "Parental Leave": "other",
    "Bereavement": "other",
    "Jury Duty": "other",
}


def absences_as_relay_template(source: Path, target: Path) -> int:
    """HR's absence report copied into Relay's leave template, as an admin does by hand:
    Start/End Date → first_day/last_day (ISO dates), Absence Type → kind, requests HR shows as
    cancelled left out. Relay recognises neither HR's column names (the file is skipped as "not
    a kind of file Relay imports") nor a status column. Returns the rows written."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    written = 0
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["leave_id", "employee_id", "first_day", "last_day", "kind"])
        for row in rows:
            if row["Status"] != "Approved":
                continue
            first = dt.datetime.strptime(row["Start Date"], "%m/%d/%Y").date()
            last = dt.datetime.strptime(row["End Date"], "%m/%d/%Y").date()
            writer.writerow(
                [
                    f"{row['Employee ID']}:{first.isoformat()}",
                    row["Employee ID"],
                    first.isoformat(),
                    last.isoformat(),
                    ABSENCE_KINDS.get(row["Absence Type"], "other"),
                ]
            )
            written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--seats", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weeks", type=int, default=130)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF)
    args = parser.parse_args()
    started = time.perf_counter()
    org = simulate(Config(seats=args.seats, seed=args.seed, as_of=args.as_of, weeks=args.weeks))
    simulated = time.perf_counter() - started
    paths = write_export(org, args.target)
    org.truth.write_csv(args.target / "truth.csv")
    written = time.perf_counter() - started - simulated
    print(f"simulated in {simulated:.1f} s, written in {written:.1f} s: {paths['salesforce']}")
    for name, table in org.tables.items():
        print(f"  {name}: {table.height} rows")
    print("  " + ", ".join(f"{key} {value}" for key, value in org.counts.items()))


if __name__ == "__main__":
    main()

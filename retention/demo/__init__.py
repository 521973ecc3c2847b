"""The demo organisation behind ``manage.py seed_demo``: realistic, deterministic, fast.

``generate`` builds everything as numpy/pandas frames (no database); ``seed`` writes it in one
transaction (COPY on PostgreSQL, bulk_create elsewhere) and announces ``demo_seeded``.
Same seed + same sizes + same end date ⇒ the same rows (names, dates, amounts); history is
generated per fixed chunk of 250 people with its own random stream, so memory stays flat at
10,000 reps.

Generating assumptions (what the departure-risk model can and cannot learn from):

Organisation
  * Regions (North, South, East, …) are teams without a parent; teams ("North 1", …) are spread
    round-robin over regions and seats round-robin over teams. Each region and team has a
    manager user (``manager.north``, ``manager.north1``…).
  * ``--reps`` is the number of seats. A seat's first occupant was hired before the history
    (tenure exponential, mean 3.5 years); when they leave, a successor is hired 3–13 weeks later.
  * Titles and quotas follow tenure (Sales Representative 350k … Key Account Manager 1.1M,
    ±10%).
  * Customers: industry, log-normal revenue (median 4M), the top ~15% (by noisy revenue) are
    key accounts; each belongs to a seat and lives in its region.

Turnover (per year): voluntary 22% (×1.35 in the first two years, ×0.6 after five), involuntary
4.5%, transfers 3%. Departures within the history are recorded (status ``left``); a departure at
most 2–4 weeks after the end date is recorded as notice (status ``notice``, a future last day);
later ones are unknown to Relay (status ``active``) but their signals may already show.

Ownership: a leaver's customers pass the day after their last day to the customer's backup if
there is one (promoted), otherwise to a random active colleague in the team; a successor takes
the seat's customers back on their first day (a promoted backup goes back to being the backup).
55% of key accounts start with a backup from the same team; when a backup leaves, half the time
nobody replaces them, so by the end about 40% of key accounts have one and some are
single-threaded.

Everyday behaviour
  * Activities on workdays (weekends, 1 Jan and 25–26 Dec off) while employed and not on leave:
    Poisson, ~2.7 a day per rep (log-normal spread between reps; dips in August and December;
    half rate for a new hire, ramping up over 90 days). Kinds: call, e-mail, task, visit,
    meeting; the share and length of visits and meetings grow over the first two years of
    tenure (median visit 45 → 90 minutes).
  * Leave: ~4.5 holidays a year (1–10 workdays, mostly from a Monday), ~3 sick spells (1–3
    days), rare single personal days.
  * Service: ~0.85 CSAT surveys a week (1–5, rep mean 4.25 ± 0.25); complaints/escalations are
    closed cases scored 1–2 with ``is_complaint`` (~0.04 a week).
  * Deals belong to the territory (a seat's book of customers), whoever serves it: with its
    usual rep it would open ~1 a workday × season × a market growing 12% a year, on its
    customers (key accounts 3× as often), amounts ~ the territory's value/85 (log-normal),
    cycle 7 + Gamma(2, 25) days, won 32%. The deal is the customer owner's on the day it opens
    (a cover's in a vacancy); open deals of a leaver pass to the customer's next owner.

Departures cost sales (the generator's own truth, ``History.lost_sales``; ``build_org(...,
sales_losses=False)`` plants none): of what the territory would have won, strain keeps
1 − drop·d of the deals and wins × (1 − 0.4 d); while the seat is empty the covers keep 30–60%
(``vacancy_keep``, per departure); a successor realises 25% at first, all of it after 150 days;
8% of the leaver's customers stop buying at the departure (``churned_on``). Every win that would
have happened and did not is a row of ``lost_sales`` with its cause and the departure it is owed
to; the departure-cost method is tested against it.

Signals. Each person has a strain d(t) in 0…1:
  * Voluntary leavers: onset 45–150 days before the last day (skewed early: 45 + 105·Beta(2, 1),
    mean 115), then d rises (concave ramp, exponent 0.4) to the strength s at the last day.
    80% have s in 0.75–1.0; 20% are quiet leavers with s in 0.1–0.3.
  * ~10% of stayers have one worrying spell: 45–120 days, peak 0.3–0.65, rising and recovering.
  * Involuntary leavers: output-only decline (s = 0.25 over their last 90 days), nothing else.
  Strain d then:
  * output: daily activity × (1 − drop·d) with drop 15–40% per person; weekly output volatile
    (a Gamma factor per week, coefficient of variation 0.10 + 0.6 d); the territory's deals
    opened × (1 − drop·d) and won × (1 − 0.4 d);
  * leave: holidays +60%·d and sick spells +150%·d more often, lengths × (1 + 0.8 d) and
    × (1 + d); single days off on a Monday or Friday at 0.02 + 0.8 d a week;
  * service: CSAT − 1.8 d points; complaints 0.04 → 0.04 + 0.75 d a week;
  * visits and meetings: share × (1 − 0.5 d), length × (1 − 0.35 d); voluntary leavers' tenure
    growth of visit time stops at the onset.

Checked with a throw-away script (not shipped): snapshots every 14 days, label "leaves
voluntarily within 90 days", a dozen crude features (28-day activity against the earlier
baseline, weekly CV, leave days and single days off in 90 days, CSAT change, complaints, visit
minutes, tenure) and a time split (earliest 60% of snapshot dates to train): ROC AUC 0.87–0.93
and median lead 50–63 days on seeds 0–2 at the default size (seed 5: 0.79–0.83, the test window
holds only ~20 leavers), 0.89–0.91 at 600 seats; logistic regression and gradient boosting alike.
"""

from retention.demo.generate import DemoSize
from retention.demo.seed import DemoSeedError, DemoSeedResult, demo_flush, demo_seed

__all__ = ["DemoSeedError", "DemoSeedResult", "DemoSize", "demo_flush", "demo_seed"]

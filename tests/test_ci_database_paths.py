"""The weekly history has two paths, a PostgreSQL query and the ORM one SQLite uses (``make run``).

The embedded CI run exercises the ORM path through the whole suite; here, on PostgreSQL, both
paths read the same seeded demo history and must agree to the cent, so neither drifts unseen.
"""

import datetime as dt

import pandas as pd
import pytest

from retention.demo import DemoSize, demo_seed
from retention.risk import selectors
from retention.scoring.history import WEEKLY_COLUMNS

END = dt.date(2026, 6, 30)


def _by_rep_and_week(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({column: float for column in WEEKLY_COLUMNS})
    summed = frame.groupby(["rep_id", "week"])[WEEKLY_COLUMNS].sum()
    return summed[(summed != 0).any(axis=1)].sort_index()


@pytest.mark.postgres
def test_weekly_history_orm_path_matches_the_postgresql_query(db):
    demo_seed(seed=2, size=DemoSize(reps=24, teams=6, regions=3, customers=100, months=9),
              end_date=END)  # fmt: skip
    start = END - dt.timedelta(days=270)

    sql = selectors._weekly_postgresql(start=start, end=END, rep_ids=None)
    orm = selectors._weekly_orm(start=start, end=END, rep_ids=None)

    assert len(sql) > 100
    pd.testing.assert_frame_equal(_by_rep_and_week(sql), _by_rep_and_week(orm))
    some = sorted(sql["rep_id"].unique())[:3]
    pd.testing.assert_frame_equal(
        _by_rep_and_week(selectors._weekly_postgresql(start=start, end=END, rep_ids=some)),
        _by_rep_and_week(selectors._weekly_orm(start=start, end=END, rep_ids=some)),
    )

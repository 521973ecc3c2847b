"""The rollup of a run's scores (``RiskRollup``): one row per team, status and band with how
many reps and the sum of their probabilities.

The one home of that aggregate. Publishing a run writes it (``retention.risk.services``); the
migration that backfilled runs published before rollups existed calls it with its historical
models, which is why the models are parameters.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Model, Sum


def rollup_write(*, run_id: int, score_model: type[Model], rollup_model: type[Model]) -> int:
    """Replace the rollup of run ``run_id`` by the aggregate of its scores; each rep counts in
    the team they are in now, which is the team at publication when called as the run is
    published. Must run in the transaction that publishes the run, so no reader sees a
    published run without its rollup. Returns how many rows it wrote."""
    if not connection.in_atomic_block:
        raise RuntimeError("rollup_write must run in the transaction that publishes the run")
    cells = (
        score_model.objects.filter(run_id=run_id)
        .values("rep__team_id", "status", "band")
        .annotate(reps=Count("id"), probability_sum=Sum("probability"))
        .order_by()
    )
    rows = [
        rollup_model(
            run_id=run_id,
            team_id=cell["rep__team_id"],
            status=cell["status"],
            band=cell["band"],
            reps=cell["reps"],
            probability_sum=cell["probability_sum"],
        )
        for cell in cells
    ]
    rollup_model.objects.filter(run_id=run_id).delete()
    rollup_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

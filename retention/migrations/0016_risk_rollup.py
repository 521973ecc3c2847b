"""The rollup of each run's scores (``RiskRollup``), and its backfill for every run published
before it existed. A past run's reps are counted in the team they are in at migration time, as
the dashboard counted them until now; runs published from here on count each rep in their team
at publication."""

import django.db.models.deletion
from django.db import migrations, models

from retention.risk.rollups import rollup_write


def backfill(apps, schema_editor):
    ScoringRun = apps.get_model("retention", "ScoringRun")
    RiskScore = apps.get_model("retention", "RiskScore")
    RiskRollup = apps.get_model("retention", "RiskRollup")
    for run_id in ScoringRun.objects.filter(status="succeeded").values_list("pk", flat=True):
        rollup_write(run_id=run_id, score_model=RiskScore, rollup_model=RiskRollup)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
        ("retention", "0015_activity_open_todo_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("scored", "Scored"), ("leaving", "Leaving")],
                        max_length=8,
                        verbose_name="status",
                    ),
                ),
                (
                    "band",
                    models.CharField(
                        choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")],
                        max_length=6,
                        verbose_name="band",
                    ),
                ),
                ("reps", models.PositiveIntegerField(verbose_name="reps")),
                ("probability_sum", models.FloatField(verbose_name="sum of probabilities")),
                (
                    "run",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rollups",
                        to="retention.scoringrun",
                        verbose_name="run",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="risk_rollups",
                        to="accounts.team",
                        verbose_name="team",
                    ),
                ),
            ],
            options={
                "verbose_name": "risk rollup",
                "verbose_name_plural": "risk rollups",
                "indexes": [models.Index(fields=["team"], name="retention_rollup_team")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("run", "team", "status", "band"),
                        name="retention_rollup_once_per_cell",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reps__gt", 0)), name="retention_rollup_counts_someone"
                    ),
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]

"""The index that walks a run's scores in the dashboard's default order (leaving first,
soonest last day first, then highest risk): ``retention.dashboard.selectors.dashboard_page_ids``.
PostgreSQL only: SQLite cannot index NULLS LAST, and reads its small demo without it. The CASE
is ``retention.models.scoring.leaving_first()`` as the ORM writes it, so the planner matches
the ORDER BY to it."""

from django.db import migrations

CREATE = (
    'CREATE INDEX IF NOT EXISTS "retention_score_page_order" ON "retention_riskscore" '
    "(\"run_id\", (CASE WHEN \"status\" = 'leaving' THEN 0 ELSE 1 END), "
    '"last_day" ASC NULLS LAST, "probability" DESC NULLS LAST)'
)
DROP = 'DROP INDEX IF EXISTS "retention_score_page_order"'


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0016_risk_rollup"),
    ]

    operations = [migrations.RunPython(create, drop)]

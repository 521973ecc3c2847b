import re

from django.db import migrations, models

# How versions written in a handover plan were worded in English before the context was kept
# as data (handover.plans.services.note_context and handover's migration 0004 alike).
HANDOVER_CONTEXT = re.compile(r"Handover of (?P<rep>.+)'s customers \(plan (?P<id>\d+)\)")


def handover_contexts_to_data(apps, schema_editor):
    """English handover contexts become data, so they read in each reader's language; any
    other context (another language, or cut at 200 characters) stays as written."""
    CustomerKnowledge = apps.get_model("retention", "CustomerKnowledge")
    rows = CustomerKnowledge.objects.filter(source="handover", context__startswith="Handover of ")
    for row in rows.only("pk", "context").iterator():
        found = HANDOVER_CONTEXT.fullmatch(row.context)
        if found:
            data = {
                "code": "handover_plan",
                "params": {"rep": found["rep"], "id": int(found["id"])},
            }
            CustomerKnowledge.objects.filter(pk=row.pk).update(context_data=data)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0012_intervention_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerknowledge",
            name="context_data",
            field=models.JSONField(blank=True, default=dict, verbose_name="context (data)"),
        ),
        migrations.RunPython(handover_contexts_to_data, migrations.RunPython.noop),
    ]

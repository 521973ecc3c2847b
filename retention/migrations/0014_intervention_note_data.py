from django.db import migrations, models


class Migration(migrations.Migration):
    """A logged suggestion's note kept as data, so it reads in each reader's language;
    interventions logged before keep the note as it was written."""

    dependencies = [
        ("retention", "0013_knowledge_context_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="intervention",
            name="note_data",
            field=models.JSONField(blank=True, default=dict, verbose_name="note (data)"),
        ),
    ]

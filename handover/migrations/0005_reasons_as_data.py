from django.db import migrations, models


def position_filled_notes_to_code(apps, schema_editor):
    """Histories closed by a filled vacancy before the code was kept read 'Position filled' in
    English: give them the code, so they read in each reader's language. A note written in
    another language, or typed by a person, stays as it is."""
    StageChange = apps.get_model("handover", "StageChange")
    StageChange.objects.filter(note="Position filled", note_code="").update(
        note_code="position_filled"
    )


class Migration(migrations.Migration):
    """What Relay-written texts are made of, so they are worded in the reader's language:
    a plan item's reasons as data (items drafted before keep their stored text), a stage
    change's note as a code."""

    dependencies = [
        ("handover", "0004_notes_on_customer"),
    ]

    operations = [
        migrations.AddField(
            model_name="handoveritem",
            name="importance_reason_data",
            field=models.JSONField(
                blank=True, default=dict, verbose_name="why it ranks here (data)"
            ),
        ),
        migrations.AddField(
            model_name="handoveritem",
            name="suggestion_reason_data",
            field=models.JSONField(blank=True, default=dict, verbose_name="why (data)"),
        ),
        migrations.AddField(
            model_name="stagechange",
            name="note_code",
            field=models.CharField(
                blank=True,
                choices=[("position_filled", "Position filled")],
                max_length=20,
                verbose_name="note (code)",
            ),
        ),
        migrations.RunPython(position_filled_notes_to_code, migrations.RunPython.noop),
    ]

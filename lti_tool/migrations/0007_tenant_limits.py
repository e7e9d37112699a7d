from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lti_tool", "0006_grades_and_score_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="limits",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='Overrides of the site\'s rate limits, e.g. {"upload_per_hour": 20, "upload_per_day": 80, "playback_per_hour": 200}.',
            ),
        ),
    ]

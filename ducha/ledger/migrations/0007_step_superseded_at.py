from django.db import migrations, models

# Each step holds until the problem's next step (by time, then by id): the earliest later one.
BACKFILL = """
UPDATE ledger_rectificationstep SET superseded_at = (
    SELECT MIN(n.acted_at) FROM ledger_rectificationstep n
    WHERE n.problem_id = ledger_rectificationstep.problem_id
      AND (n.acted_at > ledger_rectificationstep.acted_at
           OR (n.acted_at = ledger_rectificationstep.acted_at AND n.id > ledger_rectificationstep.id))
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_unit_status_deadline_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationstep",
            name="superseded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]

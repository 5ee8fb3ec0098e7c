from django.db import migrations, models


def starts_with_scope(apps, schema_editor):
    # Existing campaigns: their run is taken to start with their scope window.
    Campaign = apps.get_model("org", "Campaign")
    Campaign.objects.update(starts_on=models.F("scope_start"))


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="starts_on",
            field=models.DateField(null=True, verbose_name="campaign starts on"),
        ),
        migrations.RunPython(starts_with_scope, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="campaign",
            name="starts_on",
            field=models.DateField(verbose_name="campaign starts on"),
        ),
        migrations.AddField(
            model_name="campaign",
            name="closes_on",
            field=models.DateField(blank=True, null=True, verbose_name="campaign closes on"),
        ),
    ]

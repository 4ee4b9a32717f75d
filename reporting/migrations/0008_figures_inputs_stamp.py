from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_indicator_one_row"),
    ]

    operations = [
        migrations.CreateModel(
            name="FiguresInputsStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("stamp", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "donor figures' inputs stamp",
                "verbose_name_plural": "donor figures' inputs stamps",
            },
        ),
        # The one row the triggers of reporting.inputs change (installed after every migrate).
        migrations.RunSQL(
            'INSERT INTO "reporting_figuresinputsstamp" ("id", "stamp") VALUES (1, 0)',
            reverse_sql='DELETE FROM "reporting_figuresinputsstamp"',
        ),
    ]

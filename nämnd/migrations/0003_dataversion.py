from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("nämnd", "0002_historicalverksamhetsområde_ej_fördelat_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="Dataversion",
            fields=[
                ("kommun_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={"verbose_name": "dataversion", "verbose_name_plural": "dataversioner"},
        ),
    ]

"""Write a Rapportlås (the edit guard's record, nämnd.vakt) for every report that is fastställd today."""

from django.db import migrations

SLUTMÅNAD = {"verksamhetsplan": 0, "tertialrapport": 4, "delårsrapport": 8, "verksamhetsberättelse": 12}


def skapa_lås(apps, schema_editor):
    Rapportärende = apps.get_model("publicering", "Rapportärende")
    Rapportlås = apps.get_model("nämnd", "Rapportlås")
    Sektionsordning = apps.get_model("rapporter", "Sektionsordning")
    for ärende in Rapportärende.objects.filter(status="fastställd").select_related("nämnd"):
        version = ärende.versioner.order_by("-nummer").first()
        if version is None:
            continue
        layout = [[s, r] for s, r in Sektionsordning.objects.filter(
            kommun_id=ärende.nämnd.kommun_id, rapporttyp=ärende.typ, visas=True,
        ).order_by("ordning", "id").values_list("sektion", "rubrik")]
        Rapportlås.objects.update_or_create(
            nämnd_id=ärende.nämnd_id, år=ärende.år, rapporttyp=ärende.typ,
            defaults={"slutmånad": SLUTMÅNAD[ärende.typ], "fastställd_datum": version.fastställd_datum,
                      "paragraf": version.paragraf, "version": version.nummer, "layout": layout},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publicering", "0001_initial"),
        ("nämnd", "0004_rapportlas"),
        ("rapporter", "0001_initial"),
    ]

    operations = [migrations.RunPython(skapa_lås, migrations.RunPython.noop)]

"""Narrative texts became a Markdown subset (docs/beslut.md, "Berättande text"): stored plain texts are escaped
where Markdown would read them otherwise (a line starting "1." or "-", a ``*``), so they render as before.
Texts without such characters are left untouched."""

from django.db import migrations

# The app's own escaping (no model or settings dependency): the migration and the tests use the same rules.
from rapporter.berattelse import som_markdown


def escapa(apps, schema_editor):
    Textavsnitt = apps.get_model("rapporter", "Textavsnitt")
    for t in Textavsnitt.objects.only("id", "text").iterator():
        ny = som_markdown(t.text)
        if ny != t.text:
            Textavsnitt.objects.filter(pk=t.pk).update(text=ny)


class Migration(migrations.Migration):
    dependencies = [("rapporter", "0003_egentabeller")]

    operations = [migrations.RunPython(escapa, migrations.RunPython.noop)]

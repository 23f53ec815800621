"""Repair: Import sums the field cannot hold (max_digits 18, decimal_places 2) become empty.

Before numbers were parsed with bounds (``grund.tal``), an amount such as "1e30" or a 20-digit number could give an
import sum of more digits than the field holds. PostgreSQL refused to store it; SQLite stored it, and reading the
row back failed, so the import history pages answered 500. Such sums are unknown, not data: they become NULL
(shown as no sum). Rows within the range are untouched, so running this again changes nothing."""

from django.db import migrations

KOLUMNER = ("summa_fil", "summa_lagrad", "summa_ej_fördelad")


def töm_för_stora_summor(apps, schema_editor):
    tabell = schema_editor.quote_name("importer_import")
    with schema_editor.connection.cursor() as c:
        for kolumn in KOLUMNER:
            k = schema_editor.quote_name(kolumn)
            c.execute(f"UPDATE {tabell} SET {k} = NULL WHERE ABS({k}) >= 1e16")  # noqa: S608 — fixed names


class Migration(migrations.Migration):
    dependencies = [("importer", "0001_initial")]

    operations = [migrations.RunPython(töm_för_stora_summor, migrations.RunPython.noop, elidable=True)]

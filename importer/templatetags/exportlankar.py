"""The report page's "Ladda ner … som Excel" links: a table's export key (``export-tabell``)."""

from __future__ import annotations

from django import template

from rapporter.tabell import Tabell

from .. import export

register = template.Library()


@register.filter
def exportnyckel(tabell: Tabell | str | int) -> str:
    """The export key of a report table (``importer.export.tabellnyckel``); a key given as such is returned as text."""
    return export.tabellnyckel(tabell) if isinstance(tabell, Tabell) else str(tabell)

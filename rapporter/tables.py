"""django-tables2 tables for the per-nämnd overview page (flat lists; the reports group and subtotal)."""

from __future__ import annotations

import django_tables2 as tables

from . import format as fmt


class BeloppKolumn(tables.Column):
    """A kronor amount shown in the kommun's unit; ``kostnad=False`` for avvikelser (never sign-flipped)."""

    def __init__(self, *args, kostnad: bool = True, **kwargs):
        self.kostnad = kostnad
        kwargs.setdefault("attrs", {"td": {"class": "tal"}, "th": {"class": "tal"}})
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return table.pres.kostnad(value) if self.kostnad else table.pres.avvikelse(value)


class PresentationTable(tables.Table):
    def __init__(self, *args, pres: fmt.Presentation, **kwargs):
        self.pres = pres
        super().__init__(*args, **kwargs)


class DriftTabell(PresentationTable):
    namn = tables.Column("Verksamhetsområde")
    jämförelse = BeloppKolumn("Nettokostnad föregående år, samma period")
    budget = BeloppKolumn("Budget för perioden")
    tillägg = BeloppKolumn("Tillägg och avdrag", kostnad=False)
    nettokostnad = BeloppKolumn("Nettokostnad")
    avvikelse = BeloppKolumn("Budgetavvikelse", kostnad=False)

    class Meta:
        orderable = False
        attrs = {"class": "tabell"}


class VärdeKolumn(tables.Column):
    attrs = {"td": {"class": "tal"}, "th": {"class": "tal"}}

    def render(self, value):
        return fmt.värde(value)


class VolymTabell(tables.Table):
    grupp = tables.Column("Område")
    namn = tables.Column("Nyckeltal")
    enhet = tables.Column("Enhet")

    class Meta:
        orderable = False
        attrs = {"class": "tabell"}

    def __init__(self, data, kolumner, **kwargs):
        extra = [(f"k{i}", VärdeKolumn(k.rubrik, accessor=f"k{i}", default=None)) for i, k in enumerate(kolumner)]
        super().__init__(data, extra_columns=extra, **kwargs)


class IndikatorTabell(tables.Table):
    mål = tables.Column("Mål")
    namn = tables.Column("Indikator")
    kolada_id = tables.Column("Kolada-id")
    senaste_år = tables.Column("År")
    senaste = VärdeKolumn("Senaste utfall")
    målvärde = tables.Column("Målvärde")
    bedömning = tables.Column("Bedömning")

    class Meta:
        orderable = False
        attrs = {"class": "tabell"}

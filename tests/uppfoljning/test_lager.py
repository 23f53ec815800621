"""What the layering moves must keep: the ground's bulk-write history still bumps the data version (now through a
signal, since the ground knows no models), the month names have one home, the status page and the report read
the section order alike, and the Öppna nytt år page reads its choices through a selector."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from ekonomi.models import MÅNADER, Budgetpost, Periodiseringsprofil
from grund import historik, manader
from nämnd import dataversion
from nämnd.models import Rapportlås, Rapporttyp
from rapporter import forval
from rapporter import selectors as rapporter_sel
from tests import factories
from uppfoljning import selectors as uppf_sel


@pytest.fixture
def byggd(db):
    """A kommun of another shape than the demo (mnkr, three levels, a split nämnd)."""
    return factories.annan_form_kommun(2024)


def test_massskrivning_i_grunden_höjer_dataversionen(byggd):
    """``grund.historik.registrera`` (every bulk service) bumps the kommun's data version in the same call and
    writes one history row per object."""
    område = next(o for o in byggd.områden.values() if o.typ != o.Typ.BLOCK)
    post = Budgetpost.objects.filter(verksamhetsområde=område).first() or factories.BudgetpostFactory(
        verksamhetsområde=område, år=2024
    )
    före = dataversion.version(byggd.kommun.id)
    historik_före = Budgetpost.history.filter(id=post.id).count()
    historik.registrera(Budgetpost, [post], historik.ÄNDRAD, orsak="prov")
    assert dataversion.version(byggd.kommun.id) == före + 1
    assert Budgetpost.history.filter(id=post.id).count() == historik_före + 1


def test_grunden_importerar_inga_appar():
    """The ground is below every app: its modules import no app package (the import contract checks it in
    bin/test too; this keeps the rule visible in the suite)."""
    appar = {
        "nämnd",
        "ekonomi",
        "nyckeltal",
        "rapporter",
        "importer",
        "publicering",
        "jobb",
        "inloggning",
        "uppfoljning",
        "socialreports",
    }
    for fil in Path(historik.__file__).parent.glob("*.py"):
        for nod in ast.walk(ast.parse(fil.read_text())):
            if isinstance(nod, ast.Import | ast.ImportFrom):
                namn = nod.module if isinstance(nod, ast.ImportFrom) else nod.names[0].name
                assert (namn or "").split(".")[0] not in appar, f"{fil.name} importerar {namn}"


def test_månadsnamnen_har_ett_hem():
    assert len(manader.KORTA) == len(manader.LÅNGA) == 12
    assert (manader.kort(1), manader.lång(12)) == ("jan", "december")
    # Periodiseringsprofil's month fields are named after the one list.
    assert list(manader.KORTA) == MÅNADER
    assert all(Periodiseringsprofil._meta.get_field(m) for m in MÅNADER)


def test_statussidan_och_rapporten_läser_avsnittsordningen_lika(byggd):
    """One home for the layout: the status page's batch read equals the report's per-type read — for a
    configured type, a fastställd (snapshotted) type and types with the standard preset."""
    nämnd = byggd.nämnd
    factories.layout(nämnd.kommun, "verksamhetsberättelse", ["drift", "text"])  # overridden by the lock
    factories.layout(nämnd.kommun, "tertialrapport", ["prognos", "text"])
    Rapportlås.objects.create(
        nämnd=nämnd,
        år=2024,
        rapporttyp="verksamhetsberättelse",
        slutmånad=12,
        fastställd_datum=dt.date(2025, 3, 1),
        paragraf="§ 1",
        version=1,
        layout=[{"typ": "mål", "rubrik": "Mål", "parametrar": {}}],
    )
    per_typ = rapporter_sel.sektioner_per_typ(nämnd, 2024)
    for typ in Rapporttyp.values:
        assert per_typ[typ] == rapporter_sel.rapportens_sektioner(nämnd, 2024, typ), typ
    assert per_typ["verksamhetsberättelse"] == [{"typ": "mål", "rubrik": "Mål", "parametrar": {}}]
    assert [s["typ"] for s in per_typ["delårsrapport"]] == [
        "text",
        "mål",
        "drift",
        "drift",
        "drift",
        "investeringar",
        "volymer",
    ]
    assert [(s["typ"], s["parametrar"].get("id")) for s in per_typ["tertialrapport"]] == [
        ("drift", "helar"),
        ("text", None),
    ]
    assert per_typ["verksamhetsplan"] == forval.sektioner(forval.STANDARD, "verksamhetsplan")


def test_nytt_år_underlag_ger_årets_områden_och_mål_som_slutar(byggd):
    nämnd = byggd.nämnd
    admin = factories.admin(nämnd.kommun, "admin-ekeby")
    slutar = factories.MålFactory(nämnd=nämnd, från_år=2023, till_år=2024)
    factories.MålFactory(nämnd=nämnd, från_år=2023, till_år=2025)  # continues: not offered
    områden, mål = uppf_sel.nytt_år_underlag(admin, nämnd, 2024)
    assert mål == [slutar]
    assert {o.id for o in områden} == {
        o.id
        for o in nämnd.verksamhetsområden.all()
        if (o.från_år is None or o.från_år <= 2024) and (o.till_år is None or o.till_år >= 2024)
    }
    assert områden

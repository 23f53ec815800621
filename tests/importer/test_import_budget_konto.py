"""The ekonomisystem's budget export (ansvar + konto + årsbudget) → KF-budget per kostnadsslag
(``importer.mallar.budget_konto``), with real .xlsx and .csv files made here, through the import service
(preview → confirm).

Ängby kommun (invented): Vård- och omsorgsnämnden with Hemtjänst (ansvar 7410, KF-budget 2025 of 1 000 000 kr
without kostnadsslag, periodised by a profile "Sommar") and Boende (ansvar 742*); Individ- och familjenämnden
with IFO (ansvar 7510). Kostnadsslag: Avgifter (intäkt, konton 3000-3999), Personal (kostnad, 5000-5999),
Lokaler (kostnad, 6000-6999, 71*)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ekonomi import berakning
from ekonomi.models import Budgetpost, Kostnadsslag, Periodiseringsprofil
from ekonomi.selectors import ekonomiunderlag
from importer import mallar
from importer.models import Import, Importändring
from nämnd.services import stäng
from tests import factories
from tests.importer.test_lasare import xlsx

pytestmark = pytest.mark.django_db

ÅR = 2025
TYP = "budgetkonto"
MINUS = "\u2212"


@pytest.fixture
def ängby():
    kommun = factories.KommunFactory(namn="Ängby kommun", kommunkod="9970")
    vo = factories.NämndFactory(kommun=kommun, namn="Vård- och omsorgsnämnden")
    ifo = factories.NämndFactory(kommun=kommun, namn="Individ- och familjenämnden")
    o = {
        "Hemtjänst": factories.VerksamhetsområdeFactory(nämnd=vo, namn="Hemtjänst", ansvarskoder="7410", ordning=1),
        "Boende": factories.VerksamhetsområdeFactory(nämnd=vo, namn="Boende", ansvarskoder="742*", ordning=2),
        "IFO": factories.VerksamhetsområdeFactory(nämnd=ifo, namn="IFO", ansvarskoder="7510"),
    }
    ks = {
        namn: Kostnadsslag.objects.create(kommun=kommun, namn=namn, typ=typ, ordning=i, konton=konton)
        for i, (namn, typ, konton) in enumerate(
            (
                ("Avgifter", "intäkt", "3000-3999"),
                ("Personal", "kostnad", "5000-5999"),
                ("Lokaler", "kostnad", "6000-6999, 71*"),
            )
        )
    }
    sommar = Periodiseringsprofil.objects.create(kommun=kommun, namn="Sommar", jun=2, jul=3, aug=2)
    Budgetpost.objects.create(
        verksamhetsområde=o["Hemtjänst"], år=ÅR, slag="kf", belopp=Decimal(1_000_000), profil=sommar
    )
    Budgetpost.objects.create(verksamhetsområde=o["Boende"], år=ÅR, slag="nämnd", belopp=Decimal(5))  # untouched
    return kommun, vo, o, ks, sommar


def granska(user, nämnd, filnamn: str, innehåll: bytes) -> mallar.Granskning:
    return mallar.förhandsgranska(user, nämnd, TYP, filnamn, innehåll)


def poster(område) -> dict:
    return {
        (b.kostnadsslag.namn if b.kostnadsslag else None): b.belopp
        for b in Budgetpost.objects.filter(verksamhetsområde=område, år=ÅR, slag="kf").select_related("kostnadsslag")
    }


def exportfil() -> bytes:
    """As an ekonomisystem writes it: a title row, names next to the codes, tkr, a sum row at the end."""
    return xlsx(
        (
            "Budget",
            [
                ["Budgetexport Vård- och omsorgsnämnden"],
                [],
                ["År", "Ansvar", "Ansvarsnamn", "Konto", "Kontonamn", "Årsbudget (tkr)"],
                [ÅR, 7410, "Hemtjänst", 3510, "Avgifter hemtjänst", f"{MINUS}240"],
                [ÅR, 7410, "Hemtjänst", 5010, "Löner", "1 200,5"],
                [ÅR, 7410, "Hemtjänst", 5020, "Sociala avgifter", 100],
                [ÅR, "7421", "Boende norr", 6110, "Hyror", 300],
                [ÅR, "7422", "Boende söder", 7110, "Lokalvård", 60],
                [None, None, "Summa", None, None, 1420.5],
            ],
        )
    )


def test_förhandsgranskning_och_bekräftelse(ängby):
    kommun, vo, o, ks, sommar = ängby
    user = factories.admin(kommun)
    g = granska(user, vo, "budget.xlsx", exportfil())
    assert g.fel == [] and g.kan_bekräftas
    assert g.plan.rader == [
        ("Ny", "Hemtjänst 2025 KF-budget, Avgifter", "", f"{MINUS}240\u00a0000"),
        ("Ny", "Hemtjänst 2025 KF-budget, Personal", "", "1\u00a0300\u00a0500"),
        ("Ny", "Boende 2025 KF-budget, Lokaler", "", "360\u00a0000"),
        (
            "Tas bort",
            "Hemtjänst 2025 KF-budget, utan kostnadsslag (ersätts av budgeten per kostnadsslag)",
            "1\u00a0000\u00a0000",
            "–",
        ),
    ]
    assert any("Rad 9 på bladet Budget saknar ansvar och konto" in n for n in g.tolkat.noteringar)
    assert g.imp.summa_fil == Decimal(1_420_500)
    assert poster(o["Hemtjänst"]) == {None: Decimal(1_000_000)}  # the preview writes nothing

    imp = mallar.bekräfta(user, g.imp, g.tolkat, g.plan.fingeravtryck)
    assert imp.status == Import.Status.GENOMFÖRD
    assert poster(o["Hemtjänst"]) == {"Avgifter": Decimal(-240_000), "Personal": Decimal(1_300_500)}
    assert poster(o["Boende"]) == {"Lokaler": Decimal(360_000)}
    assert set(Budgetpost.objects.filter(kostnadsslag__isnull=False).values_list("profil", flat=True)) == {
        sommar.pk,
        None,
    }  # Hemtjänst's posts keep the periodisering of the post they replaced; Boende had none
    assert Importändring.objects.filter(imp=imp).count() == 4
    # The drift tables' budget is the sum of the posts (1 060 500 kr for Hemtjänst), never the old post as well.
    underlag = {u.namn: u for u in ekonomiunderlag(user, [vo], ÅR, 12)}
    assert berakning.driftrad_helår(underlag["Hemtjänst"], ÅR, 12).budget == Decimal(1_060_500)
    assert berakning.driftrad_helår(underlag["Boende"], ÅR, 12).budget == Decimal(360_000)

    # The same file again changes nothing.
    g2 = granska(user, vo, "budget.xlsx", exportfil())
    assert (len(g2.plan.poster), g2.plan.oförändrade, g2.kan_bekräftas) == (0, 3, False)


def test_csv_med_svenska_tal_och_året_i_rubriken(ängby):
    kommun, vo, o, ks, _ = ängby
    user = factories.admin(kommun)
    innehåll = (
        "Ansvar;Konto;Budget 2025\n7410;3510;-1 234,50\n7410;3520;−1 022\n7410;5010;2 000 000\n7410;6010;1.234,50\n"
    ).encode()
    g = granska(user, vo, "budget.csv", innehåll)
    assert g.fel == []
    mallar.bekräfta(user, g.imp, g.tolkat, g.plan.fingeravtryck)
    assert poster(o["Hemtjänst"]) == {
        "Avgifter": Decimal("-2256.50"),
        "Personal": Decimal(2_000_000),
        "Lokaler": Decimal("1234.50"),
    }


def test_fel_per_rad_och_kolumn_och_ingenting_sparas(ängby):
    kommun, vo, o, ks, _ = ängby
    user = factories.admin(kommun)
    innehåll = xlsx(
        (
            "Export",
            [
                ["Ansvar", "Konto", "År", "Årsbudget"],
                [7410, 5010, ÅR, 1000],  # fine
                [9999, 5010, ÅR, 1000],  # no område has 9999
                [7510, 5010, ÅR, 1000],  # the other nämnd's ansvar
                [7410, 8999, ÅR, 1000],  # konto outside every kostnadsslag
                [7410, 5010, ÅR, "tusen"],
                [7410, None, "nästa år", 5],
            ],
        )
    )
    g = granska(user, vo, "fel.xlsx", innehåll)
    assert not g.kan_bekräftas
    fel = [(f.blad, f.rad, f.kolumn, f.meddelande) for f in g.fel]
    assert [(b, r, k) for b, r, k, _ in fel] == [
        ("Export", 3, "A (Ansvar)"),
        ("Export", 4, "A (Ansvar)"),
        ("Export", 5, "B (Konto)"),
        ("Export", 6, "D (Årsbudget)"),
        ("Export", 7, "B (Konto)"),
        ("Export", 7, "C (År)"),
    ]
    assert "Inget av nämndens verksamhetsområden har koden (ansvar 9999)" in fel[0][3]
    assert "hör till Individ- och familjenämnden" in fel[1][3]
    assert fel[2][3].startswith("Kontot 8999 hör inte till något kostnadsslag")
    assert fel[4][3] == "Konto saknas."
    assert "Året ”nästa år” känns inte igen" in fel[5][3]
    with pytest.raises(mallar.InteBekräftad):
        mallar.bekräfta(user, g.imp, g.tolkat, g.plan.fingeravtryck)
    assert poster(o["Hemtjänst"]) == {None: Decimal(1_000_000)}


def test_utan_år_och_utan_rubriker_ger_tydliga_fel(ängby):
    kommun, vo, *_ = ängby
    user = factories.admin(kommun)
    g = granska(user, vo, "b.xlsx", xlsx(("Blad1", [["Ansvar", "Konto", "Årsbudget"], [7410, 5010, 1]])))
    assert [f.meddelande for f in g.fel] == [
        "Budgetåret saknas: lägg till en kolumn År eller skriv året i beloppets rubrik (till exempel ”Budget 2025”)."
    ]
    g = granska(user, vo, "b.xlsx", xlsx(("Blad1", [["Namn", "Summa"], ["x", 1]])))
    assert g.fel[0].meddelande.startswith("Kolumnerna för Ansvar eller Verksamhet, Konto och Årsbudget")
    assert "Rubrikerna på rad 1 i bladet Blad1 är: Namn, Summa." in g.fel[0].meddelande


def test_stängt_år_vägras_och_oförändrat_går(ängby):
    kommun, vo, o, ks, _ = ängby
    admin = factories.admin(kommun)
    g = granska(admin, vo, "budget.xlsx", exportfil())
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    stäng(admin, kommun, ÅR, [12])
    # Unchanged figures are fine in a closed year.
    g = granska(admin, vo, "budget.xlsx", exportfil())
    assert g.fel == []
    ändrad = xlsx(("Budget", [["År", "Ansvar", "Konto", "Årsbudget"], [ÅR, 7410, 5010, 1]]))
    g = granska(admin, vo, "ändrad.xlsx", ändrad)
    assert [(f.rad, f.meddelande) for f in g.fel] == [
        (
            2,
            "Hemtjänst 2025: Året 2025 är stängt (2025-12 är stängd) och värdet kan inte ändras. "
            "Be en administratör öppna perioden igen.",
        )
    ]
    with pytest.raises(mallar.InteBekräftad):
        mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    assert poster(o["Hemtjänst"]) == {"Avgifter": Decimal(-240_000), "Personal": Decimal(1_300_500)}


def test_budgetmallen_vägrar_ett_belopp_där_budgeten_är_per_kostnadsslag(ängby):
    kommun, vo, o, ks, _ = ängby
    admin = factories.admin(kommun)
    g = granska(admin, vo, "budget.xlsx", exportfil())
    mallar.bekräfta(admin, g.imp, g.tolkat, g.plan.fingeravtryck)
    mall = xlsx(("Budget", [["Verksamhetsområde", "År", "Slag", "Belopp"], ["Hemtjänst", ÅR, "KF-budget", 5]]))
    g = mallar.förhandsgranska(admin, vo, "budget", "mall.xlsx", mall)
    assert [f.meddelande for f in g.fel] == [
        "Budgeten för Hemtjänst 2025 är fördelad per kostnadsslag. Ändra den med importen av ekonomisystemets "
        "budgetexport (ansvar och konto), så räknas ingen budget två gånger."
    ]


def test_budgetexporten_laddas_upp_på_importsidan(ängby, client):
    """The import kind is on the import page, with a template listing the kostnadsslag's konto ranges, and an upload
    through the page gives the same preview."""
    kommun, vo, o, ks, sommar = ängby
    client.force_login(factories.admin(kommun))
    sida = client.get(reverse("mallimport", args=[vo.pk])).content.decode()
    assert "Budget per ansvar och konto" in sida
    mall_url = reverse("importmall", args=["budgetkonto"]) + f"?namnd={vo.pk}"
    mall = openpyxl.load_workbook(io.BytesIO(client.get(mall_url).content))
    assert [c.value for c in mall.worksheets[0][1]] == ["Ansvar", "Konto", "År", "Årsbudget"]
    giltiga = [[c.value for c in r] for r in mall["Giltiga värden"].iter_rows()]
    assert ["Lokaler", "Kostnad", "6000-6999, 71*"] in [r[:3] for r in giltiga]
    svar = client.post(
        reverse("mallimport-ladda-upp", args=[vo.pk, "budgetkonto"]), {"fil": SimpleUploadedFile("b.xlsx", exportfil())}
    )
    assert svar.status_code == 302
    förhandsgranskning = client.get(svar["Location"]).content.decode()
    assert "Hemtjänst 2025 KF-budget, Personal" in förhandsgranskning

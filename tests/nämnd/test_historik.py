"""Audit history pages: per row (old → new per field, who, when) and per nämnd and year; scoped per kommun."""

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ekonomi.models import Budgetpost, Prognos, Utfall
from ekonomi.services import Gridrad, spara_månad
from nyckeltal.models import Indikatorvärde, Måluppfyllelse, Nyckeltalsvärde, Uppdragsstatus
from nämnd.models import Period, Verksamhetsområde
from nämnd.services import stäng, öppna
from rapporter.models import Textavsnitt
from tests import factories
from tests.conftest import skapa_användare
from uppfoljning.selectors import HISTORIKMODELLER

NBSP = "\u00a0"


@pytest.fixture
def nämnd(db):
    """A small factory kommun (figures for 2023 loaded with a "created" history record), with texts loaded
    without history (as texts written before history was kept) and one row of each other figure kind."""
    n = factories.liten_kommun(2023).nämnd
    Textavsnitt.objects.bulk_create(
        [
            Textavsnitt(
                nämnd=n,
                år=2023,
                rapporttyp="delårsrapport",
                rubrik="Nämndens uppdrag",
                text="Nämnden ansvarar för socialtjänsten.",
            ),
            Textavsnitt(
                nämnd=n,
                år=2023,
                rapporttyp="delårsrapport",
                rubrik="Omvärldsbevakning",
                text="Efterfrågan på hemtjänst ökar.",
            ),
            Textavsnitt(nämnd=n, år=2024, rapporttyp="verksamhetsplan", rubrik="Nämndens ansvar", text="Plan."),
        ]
    )
    factories.NyckeltalsvärdeFactory(nyckeltal=factories.NyckeltalFactory(grupp__nämnd=n), år=2022)
    mål = factories.MålFactory(nämnd=n, från_år=2023)
    factories.IndikatorvärdeFactory(indikator=factories.IndikatorFactory(mål=mål), år=2023)
    factories.MåluppfyllelseFactory(mål=mål, år=2023)
    factories.UppdragsstatusFactory(uppdrag=factories.UppdragFactory(mål=mål), år=2023)
    return n


@pytest.fixture
def läsare(nämnd):
    return factories.läsare(nämnd.kommun, "lasare-lillby")


@pytest.fixture
def controller(nämnd):
    user = skapa_användare("controller-lillby", nämnd.kommun, "controller")
    user.first_name, user.last_name = "Cecilia", "Controller"
    user.save()
    user.behörigheter.get().nämnder.set([nämnd])
    return user


@pytest.fixture
def hemtjänst(nämnd):
    return Verksamhetsområde.objects.get(nämnd=nämnd, namn="Hemtjänst")


def historik(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.status_code
    s = BeautifulSoup(response.content, "html.parser")
    tabell = s.find("table", id="historik")
    rubriker = [th.get_text(strip=True) for th in tabell.thead.find_all("th")]
    return [
        dict(
            zip(
                rubriker,
                (c.get_text(" ", strip=True).replace(NBSP, " ") for c in tr.find_all(["th", "td"])),
                strict=False,
            )
        )
        for tr in tabell.tbody.find_all("tr")
    ]


def ändra_utfall(user, nämnd, vo, belopp):
    u = Utfall.objects.get(verksamhetsområde=vo, år=2023, månad=8, kategori="")
    spara_månad(
        user,
        nämnd,
        2023,
        8,
        [Gridrad(vo.id, utfall=belopp, prognos=None, kommentar="", utfall_före=u.belopp, utfall_version=u.version)],
    )
    return u


def test_radhistorik_visar_vem_när_och_gammalt_och_nytt_värde(client, nämnd, controller, hemtjänst, läsare):
    u = ändra_utfall(controller, nämnd, hemtjänst, Decimal("2900000"))
    ändra_utfall(controller, nämnd, hemtjänst, Decimal("2950000.50"))
    client.force_login(läsare)  # reading the history is reading: läsare may
    rader = historik(client.get(reverse("historik-rad", args=["utfall", u.pk])))
    assert [r["Händelse"] for r in rader] == ["Ändrad", "Ändrad", "Skapad"]
    assert rader[0]["Vem"] == "Cecilia Controller"
    assert rader[0]["Ändringar (före → efter)"] == "belopp (kr): 2 900 000 → 2 950 000,50"
    gammalt = f"{u.belopp:,.0f}".replace(",", " ")
    assert rader[1]["Ändringar (före → efter)"] == f"belopp (kr): {gammalt} → 2 900 000"
    assert rader[2]["Orsak"] == "Testdata" and rader[2]["Vem"] == "(system)"
    assert "verksamhetsområde: – → Hemtjänst" in rader[2]["Ändringar (före → efter)"]
    # Time in Stockholm, to the minute.
    senaste = Utfall.history.filter(id=u.pk).latest().history_date
    assert rader[0]["Tid"] == senaste.astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%d %H:%M")


def test_radhistorik_för_text_sparad_med_save(client, nämnd, controller):
    t = Textavsnitt.objects.get(nämnd=nämnd, år=2023, rapporttyp="delårsrapport", rubrik="Nämndens uppdrag")
    gammal = t.text
    for text in ("Första versionen.", "Andra versionen."):
        t.text, t._history_user = text, controller
        t.save()
    client.force_login(controller)
    rader = historik(client.get(reverse("historik-rad", args=["textavsnitt", t.pk])))
    assert rader[0]["Ändringar (före → efter)"] == "text: Första versionen. → Andra versionen."
    # The text was loaded without history: the first recorded change cannot know the old value.
    assert "text: (okänt) → Första versionen." in rader[1]["Ändringar (före → efter)"]
    assert gammal not in rader[1]["Ändringar (före → efter)"]


def test_borttagen_rad_behåller_sin_historik(client, nämnd, controller, hemtjänst):
    p = Prognos.objects.get(verksamhetsområde=hemtjänst, år=2023, månad=8)
    spara_månad(
        controller,
        nämnd,
        2023,
        8,
        [
            Gridrad(
                hemtjänst.id,
                utfall=None,
                prognos=None,
                kommentar="",
                prognos_före=p.belopp,
                kommentar_före=p.kommentar,
                prognos_version=p.version,
                utfall_före=None,
            )
        ],
    )
    assert not Prognos.objects.filter(pk=p.pk).exists()
    client.force_login(controller)
    rader = historik(client.get(reverse("historik-rad", args=["prognos", p.pk])))
    assert rader[0]["Händelse"] == "Borttagen" and rader[0]["Vem"] == "Cecilia Controller"
    assert "prognos nettokostnad helår (kr):" in rader[0]["Ändringar (före → efter)"]


def test_annan_kommun_och_okänd_modell_ger_404(client, nämnd, controller, hemtjänst, läsare_annan):
    u = ändra_utfall(controller, nämnd, hemtjänst, Decimal("1"))
    client.force_login(läsare_annan)
    for modell, pk in (("utfall", u.pk), ("verksamhetsområde", hemtjänst.pk)):
        r = client.get(reverse("historik-rad", args=[modell, pk]))
        assert r.status_code == 404 and b"Lillby" not in r.content and b"hemtj" not in r.content
    r = client.get(reverse("historik-nämnd", args=[nämnd.id, 2023]))
    assert r.status_code == 404
    client.force_login(controller)
    assert client.get(reverse("historik-rad", args=["kommun", nämnd.kommun_id])).status_code == 404
    assert client.get(reverse("historik-rad", args=["utfall", 10**9])).status_code == 404


def test_varje_historikmodell_har_en_sida(client, nämnd, controller):
    stäng(controller, nämnd.kommun, 2023, [1])
    objekt = {
        "utfall": Utfall.objects.for_kommun(nämnd.kommun).first(),
        "prognos": Prognos.objects.for_kommun(nämnd.kommun).first(),
        "budgetpost": Budgetpost.objects.for_kommun(nämnd.kommun).first(),
        "nyckeltalsvärde": Nyckeltalsvärde.objects.for_kommun(nämnd.kommun).first(),
        "indikatorvärde": Indikatorvärde.objects.for_kommun(nämnd.kommun).first(),
        "måluppfyllelse": Måluppfyllelse.objects.for_kommun(nämnd.kommun).first(),
        "uppdragsstatus": Uppdragsstatus.objects.for_kommun(nämnd.kommun).first(),
        "textavsnitt": Textavsnitt.objects.for_kommun(nämnd.kommun).first(),
        "period": Period.objects.for_kommun(nämnd.kommun).first(),
        "verksamhetsområde": Verksamhetsområde.objects.for_kommun(nämnd.kommun).first(),
    }
    assert set(objekt) == set(HISTORIKMODELLER)
    client.force_login(controller)
    for modell, o in objekt.items():
        r = client.get(reverse("historik-rad", args=[modell, o.pk]))
        assert r.status_code == 200, modell
        assert "Ändringshistorik" in r.content.decode()


def test_nämndhistorik_nyast_först_med_alla_slag(client, nämnd, controller, hemtjänst):
    admin = skapa_användare("admin-lillby", nämnd.kommun, "admin")
    ändra_utfall(controller, nämnd, hemtjänst, Decimal("2900000"))
    t = Textavsnitt.objects.get(nämnd=nämnd, år=2023, rubrik="Omvärldsbevakning")
    t.text, t._history_user = "Ny omvärldsbevakning.", controller
    t.save()
    stäng(controller, nämnd.kommun, 2023, [8])
    öppna(admin, nämnd.kommun, 2023, [8], "Rättelse")
    # Another year's changes are not listed.
    t24 = Textavsnitt.objects.get(nämnd=nämnd, år=2024)
    t24.text, t24._history_user = "Plan 2024.", controller
    t24.save()

    client.force_login(controller)
    rader = historik(client.get(reverse("historik-nämnd", args=[nämnd.id, 2023])))
    assert rader[0]["Vad"] == "Period: 2023-08" and rader[0]["Orsak"] == "Rättelse"
    assert rader[0]["Ändringar (före → efter)"].startswith("stängd: Ja → Nej")
    assert rader[1]["Vad"] == "Period: 2023-08" and "stängd: Nej → Ja" in rader[1]["Ändringar (före → efter)"]
    text = next(r for r in rader if r["Vad"].startswith("Textavsnitt"))
    assert text["Vad"] == "Textavsnitt: Omvärldsbevakning (Delårsrapport 2023)"
    utfall = next(r for r in rader if r["Vad"].startswith("Utfall") and r["Händelse"] == "Ändrad")
    assert utfall["Vad"] == "Utfall: Hemtjänst 2023-08"
    assert "→ 2 900 000" in utfall["Ändringar (före → efter)"]
    assert not any("Plan 2024." in r["Ändringar (före → efter)"] for r in rader)
    tider = [r["Tid"] for r in rader]
    assert tider == sorted(tider, reverse=True)


def test_nämndhistorik_sidindelas(client, nämnd, controller):
    # Three more versions of each 2023 utfall (3 verksamheter × 8 months), so there are several pages.
    for u in Utfall.objects.filter(verksamhetsområde__nämnd=nämnd, år=2023):
        for _ in range(3):
            u.belopp += 1
            u.save()
    client.force_login(controller)
    r = client.get(reverse("historik-nämnd", args=[nämnd.id, 2023]))
    # The test data's 2023 figures loaded with history: budget, utfall, prognos, måluppfyllelse, indikatorvärde and
    # uppdragsstatus.
    totalt = (
        sum(m.history.filter(år=2023, verksamhetsområde__nämnd=nämnd).count() for m in (Utfall, Prognos, Budgetpost))
        + Måluppfyllelse.history.filter(år=2023, mål__nämnd=nämnd).count()
        + sum(
            m.history.filter(år=2023, **{f"{väg}__nämnd": nämnd}).count()
            for m, väg in ((Indikatorvärde, "indikator__mål"), (Uppdragsstatus, "uppdrag__mål"))
        )
    )
    stäng(controller, nämnd.kommun, 2023, [1])  # one more (the closing), so the last page is not full
    totalt += 1
    r = client.get(reverse("historik-nämnd", args=[nämnd.id, 2023]))
    assert totalt > 100
    assert len(historik(r)) == 50
    assert f"Sida 1 av {-(-totalt // 50)}" in r.content.decode()
    sista = client.get(reverse("historik-nämnd", args=[nämnd.id, 2023]) + f"?sida={-(-totalt // 50)}")
    assert len(historik(sista)) == totalt - 50 * (-(-totalt // 50) - 1)


def test_antal_frågor_i_nämndhistoriken_är_begränsat(client, nämnd, controller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(controller)
    with CaptureQueriesContext(connection) as frågor:
        assert client.get(reverse("historik-nämnd", args=[nämnd.id, 2023])).status_code == 200
    assert len(frågor) <= 30, len(frågor)

"""The month grid shows its state: locked months read-only from the start (closed, fastställd, a user who may only
read), deviations beyond the kommun's avvikelsegräns marked in words, and implausible values warned about before
saving ("Spara ändå"); the plausibility rules themselves (``ekonomi.rimlighet``) and the one month span.

Built on ``annan_form_kommun`` (2025, mnkr, costs shown negative): Omsorgsnämnden with Hemtjänst (budget 24 mnkr +
tillägg 1,2 mnkr, utfall 2 mnkr a month, prognos at 8 = 26 mnkr) and Särskilt boende (budget 36 mnkr, utfall
3,5 mnkr a month, prognos at 8 = 39,5 mnkr). The kommun's limit is set to 1 mnkr / 10 %: through August
Särskilt boende deviates −4 mnkr (over), Hemtjänst +0,8 mnkr (4,8 %, within)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from ekonomi import rimlighet
from ekonomi.models import Prognos, Utfall
from grund.manader import spann
from nämnd.models import Rapportlås
from nämnd.services import stäng
from tests import factories

ÅR = factories.ÅR
MNKR = D(1_000_000)


@pytest.fixture
def ekeby(db):
    b = factories.annan_form_kommun()
    b.kommun.avvikelsegräns_kr = D(1_000_000)
    b.kommun.avvikelsegräns_procent = D(10)
    b.kommun.save()
    return b


@pytest.fixture
def omsorg(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def admin_klient(client, ekeby):
    user = factories.admin(ekeby.kommun, "admin-ekeby")
    client.force_login(user)
    client.user = user
    return client


def url(nämnd, månad=8):
    return reverse("månadsuppföljning", args=[nämnd.id, ÅR, månad])


def sida(client, nämnd, månad=8) -> BeautifulSoup:
    r = client.get(url(nämnd, månad))
    assert r.status_code == 200
    return BeautifulSoup(r.content, "html.parser")


def aktiva_fält(soup) -> list:
    return [
        f
        for f in soup.select("#manadsgrid input, #manadsgrid textarea")
        if f.get("type") != "hidden" and not f.has_attr("disabled") and not f.has_attr("readonly")
    ]


def formulärdata(soup) -> dict[str, str]:
    form = soup.find("form", id="manadsgrid")
    data = {}
    for el in form.find_all(["input", "textarea", "select"]):
        if el.name == "input":
            data[el["name"]] = el.get("value", "")
        elif el.name == "textarea":
            data[el["name"]] = el.get_text()
        else:
            data[el["name"]] = (el.find("option", selected=True) or el.find("option"))["value"]
    return data


# --- read-only from the start --------------------------------------------------------------------------------


def test_öppen_månad_har_fält_och_spara(admin_klient, omsorg):
    s = sida(admin_klient, omsorg)
    # two leaf rows × (utfall, prognos, kommentar), plus the unit select which is not in #grid
    assert len([f for f in aktiva_fält(s) if f.get("data-kol")]) == 6
    assert [b.get_text() for b in s.select("button.spara")] == ["Spara"]
    assert s.find(id="skrivskydd") is None
    assert s.find("form", id="manadsgrid").has_attr("data-inmatning")


def test_till_raden_ankaret_finns_utan_javascript(admin_klient, ekeby, omsorg):
    """The status page links "#vo-<id>" (uppfoljning.selectors.månadsuppföljning_url); the row header has that id."""
    from uppfoljning.selectors import månadsuppföljning_url

    boende = ekeby.områden["Särskilt boende"]
    länk = månadsuppföljning_url(omsorg.id, ÅR, 8, boende.id)
    assert länk.endswith(f"#vo-{boende.id}")
    th = sida(admin_klient, omsorg).find(id=f"vo-{boende.id}")
    assert th.name == "th" and th.get_text(strip=True) == "Särskilt boende" and not th.has_attr("tabindex")


def test_stängd_månad_skrivskyddad_från_början(admin_klient, ekeby, omsorg):
    stäng(admin_klient.user, ekeby.kommun, ÅR, [8])
    s = sida(admin_klient, omsorg)
    assert aktiva_fält(s) == [] and s.select("button.spara") == []
    assert s.find(id="skrivskydd").get_text(" ", strip=True).startswith(f"Augusti {ÅR} är stängd.")
    assert not s.find("form", id="manadsgrid").has_attr("data-inmatning")  # no unsaved-changes warning
    # the figures are still there, as text: Särskilt boende's August utfall 3,5 mnkr in tkr
    rad = s.find("tr", id=f"rad-{ekeby.områden['Särskilt boende'].id}")
    assert rad.find(attrs={"data-visa": "utfall"}).get_text() == "3\u00a0500"
    assert len(aktiva_fält(sida(admin_klient, omsorg, 9))) == 6  # September stays open


def test_fastställd_rapport_skrivskyddar_sina_månader(admin_klient, omsorg):
    Rapportlås.objects.create(
        nämnd=omsorg,
        år=ÅR,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(ÅR, 9, 24),
        paragraf="§ 87",
        version=1,
    )
    for månad in (1, 8):
        s = sida(admin_klient, omsorg, månad)
        assert aktiva_fält(s) == [] and s.select("button.spara") == [], månad
        notis = s.find(id="skrivskydd").get_text(" ", strip=True)
        assert notis.startswith(f"Omfattas av fastställd delårsrapport {ÅR}.") and "§ 87" in notis
    assert len(aktiva_fält(sida(admin_klient, omsorg, 9))) == 6
    # and a save of a locked month is refused with nothing saved
    hemtjänst = Utfall.objects.get(verksamhetsområde__namn="Hemtjänst", år=ÅR, månad=8)
    r = admin_klient.post(
        url(omsorg), {"visad_enhet": "tkr", f"r{hemtjänst.verksamhetsområde_id}-fore": "||", "atgard": "spara"}
    )
    assert r.status_code == 200
    hemtjänst.refresh_from_db()
    assert hemtjänst.belopp == 2 * MNKR


def test_läsare_ser_skrivskyddat_och_får_inte_spara(client, ekeby, omsorg):
    client.force_login(factories.läsare(ekeby.kommun, "lasare-ekeby"))
    s = sida(client, omsorg)
    assert aktiva_fält(s) == [] and s.select("button.spara") == []
    assert "Du kan läsa men inte ändra" in s.find(id="skrivskydd").get_text()
    assert client.post(url(omsorg), {"visad_enhet": "tkr", "atgard": "spara"}).status_code == 403


# --- the kommun's avvikelsegräns -----------------------------------------------------------------------------


def markeringar(s, ekeby) -> dict[str, tuple[bool, bool]]:
    ut = {}
    for namn in ("Hemtjänst", "Särskilt boende"):
        rad = s.find("tr", id=f"rad-{ekeby.områden[namn].id}")
        period, helår = rad.find(attrs={"data-grans": "period"}), rad.find(attrs={"data-grans": "helar"})
        assert period.get_text(" ", strip=True) == "▲ Över gränsen"
        ut[namn] = (not period.has_attr("hidden"), not helår.has_attr("hidden"))
    return ut


def test_avvikelse_över_kommunens_gräns_markeras_med_text(admin_klient, ekeby, omsorg):
    s = sida(admin_klient, omsorg)
    # Särskilt boende: period −4 mnkr, prognos 39,5 against 36 (−3,5 mnkr); Hemtjänst: +0,8 and −0,8 mnkr
    assert markeringar(s, ekeby) == {"Hemtjänst": (False, False), "Särskilt boende": (True, True)}
    form = s.find("form", id="manadsgrid")
    assert (form["data-grans-kr"], form["data-grans-procent"]) == ("1000000", "10.0")

    ekeby.kommun.avvikelsegräns_kr = D(500_000)  # now Hemtjänst's 0,8 mnkr reaches the limit too
    ekeby.kommun.save()
    assert markeringar(sida(admin_klient, omsorg), ekeby)["Hemtjänst"] == (True, True)


def test_december_bedömer_inte_prognosen(admin_klient, ekeby, omsorg):
    Prognos.objects.create(verksamhetsområde=ekeby.områden["Särskilt boende"], år=ÅR, månad=12, belopp=60 * MNKR)
    assert markeringar(sida(admin_klient, omsorg, 12), ekeby)["Särskilt boende"] == (True, False)


# --- plausibility: warned before saving, saved with "Spara ändå" ----------------------------------------------


def test_orimligt_värde_varnas_och_sparas_först_med_spara_ändå(admin_klient, ekeby, omsorg):
    hemtjänst = ekeby.områden["Hemtjänst"]
    Utfall.objects.create(verksamhetsområde=hemtjänst, år=ÅR - 1, månad=8, belopp=D(300_000))
    data = formulärdata(sida(admin_klient, omsorg))
    data[f"r{hemtjänst.id}-utfall"] = "1 600"  # 1,6 mnkr: 5,3 × August last year (0,3 mnkr)
    r = admin_klient.post(url(omsorg), {**data, "atgard": "spara"})
    assert r.status_code == 200
    s = BeautifulSoup(r.content, "html.parser")
    summering = s.find(id="varningssummering")
    assert summering.find("a")["href"] == f"#r{hemtjänst.id}-utfall"
    assert summering.find("a").get_text() == (
        f"Hemtjänst: Utfall augusti är minst 5 gånger utfallet augusti {ÅR - 1}. Stämmer beloppet och enheten?"
    )
    assert [b["value"] for b in s.select("button.spara")] == ["spara_anda"]
    assert s.select("button.spara")[0].get_text() == "Spara ändå"
    rad = s.find("tr", id=f"rad-{hemtjänst.id}")
    assert not rad.find(attrs={"data-rimlighet": "utfall"}).has_attr("hidden")
    assert rad.find("input", id=f"r{hemtjänst.id}-utfall")["value"] == "1 600"  # kept as typed
    assert Utfall.objects.get(verksamhetsområde=hemtjänst, år=ÅR, månad=8).belopp == 2 * MNKR  # nothing saved

    r = admin_klient.post(url(omsorg), {**formulärdata(s), "atgard": "spara_anda"})
    assert r.status_code == 302
    assert Utfall.objects.get(verksamhetsområde=hemtjänst, år=ÅR, månad=8).belopp == D(1_600_000)


def test_rimligt_värde_sparas_direkt_och_oförändrade_varnas_inte(admin_klient, ekeby, omsorg):
    hemtjänst = ekeby.områden["Hemtjänst"]
    data = formulärdata(sida(admin_klient, omsorg))
    data[f"r{hemtjänst.id}-utfall"] = "2 100"
    assert admin_klient.post(url(omsorg), {**data, "atgard": "spara"}).status_code == 302
    assert Utfall.objects.get(verksamhetsområde=hemtjänst, år=ÅR, månad=8).belopp == D(2_100_000)


def test_prognos_över_dubbla_budgeten_varnas(admin_klient, ekeby, omsorg):
    boende = ekeby.områden["Särskilt boende"]
    data = formulärdata(sida(admin_klient, omsorg))
    data[f"r{boende.id}-prognos"] = "72 001"  # budget 36 mnkr
    r = admin_klient.post(url(omsorg), {**data, "atgard": "spara"})
    assert r.status_code == 200
    text = BeautifulSoup(r.content, "html.parser").find(id="varningssummering").get_text(" ", strip=True)
    assert "Särskilt boende: Helårsprognosen är mer än 2 gånger årets budget." in text
    data[f"r{boende.id}-prognos"] = "72 000"  # exactly twice: not "more than"
    assert admin_klient.post(url(omsorg), {**data, "atgard": "spara"}).status_code == 302


@pytest.mark.parametrize(
    ("utfall", "fg", "prognos", "budget", "koder"),
    [
        (D(500), D(100), None, D(100_000), [rimlighet.FÖREGÅENDE_ÅR]),  # exactly 5 ×
        (D("499.99"), D(100), None, D(100_000), []),
        (D(-500), D(100), None, D(100_000), [rimlighet.FÖREGÅENDE_ÅR]),  # sign does not matter
        (D(500), D(0), None, D(100_000), []),  # no comparison without last year
        (D(500), None, None, D(100_000), []),
        (D(100_001), None, None, D(-100_000), [rimlighet.ÖVER_ÅRSBUDGET]),  # income budget
        (D(100_000), None, None, D(100_000), []),
        (None, None, D(200_001), D(100_000), [rimlighet.PROGNOS_ÖVER_BUDGET]),
        (None, None, D(200_000), D(100_000), []),
        (D(10**9), None, D(10**9), D(0), []),  # no budget: not judged
        (D(10**9), None, D(10**9), None, []),
        (D(600_000), D(100), D(300_000), D(100_000), ["föregående_år", "över_årsbudget", "prognos_över_budget"]),
    ],
)
def test_rimlighetsreglerna(utfall, fg, prognos, budget, koder):
    v = rimlighet.varningar(
        utfall=utfall, utfall_fg=fg, prognos=prognos, helårsbudget=budget, månadsnamn="mars", år=2025
    )
    assert [x.kod for x in v] == koder
    assert all(x.fält == ("prognos" if x.kod == rimlighet.PROGNOS_ÖVER_BUDGET else "utfall") for x in v)


def test_rimlighetstexterna():
    v = rimlighet.varningar(
        utfall=D(600), utfall_fg=D(100), prognos=None, helårsbudget=None, månadsnamn="mars", år=2025
    )
    assert v[0].text == "Utfall mars är minst 5 gånger utfallet mars 2024. Stämmer beloppet och enheten?"


# --- the one month span ----------------------------------------------------------------------------------


def test_månadsspann_för_en_månad_är_månadens_namn(admin_klient, omsorg):
    assert [spann(m) for m in (0, 1, 2, 12)] == ["", "januari", "jan–feb", "jan–dec"]
    rubriker = [th.get_text(" ", strip=True) for th in sida(admin_klient, omsorg, 1).select("#grid thead th")]
    assert "Ackumulerat utfall januari" in rubriker and not any("jan–jan" in r for r in rubriker)
    rubriker = [th.get_text(" ", strip=True) for th in sida(admin_klient, omsorg, 3).select("#grid thead th")]
    assert "Periodbudget jan–mar" in rubriker

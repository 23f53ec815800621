"""Föregående år after a nämnd split (docs/beslut.md, "Föregående år efter en delning"): the new nämnd's områden
show their predecessors' last-year figures through ``Verksamhetsområde.föregångare``; imported jämförelsetal
stored on the new områden count only when there is no link; the old nämnd's reports never change; a new nämnd
without either gets the check ``jämförelsetal_saknas``.

The scenario (``delad_kommun``, invented): Åsby kommun (tkr). **Social- och omsorgsnämnden** (2019 – 30 June
2024) with Äldreomsorg (ansvar 5100; utfall 400 000 kr a month in 2023 and 420 000 kr in Jan–Jun 2024; KF-budget
2023 4 800 000 kr) and IFO (ansvar 6100; 150 000 kr a month in 2023, 160 000 kr in Jan–Jun 2024). On 1 July 2024
it is split into **Socialnämnden** (IFO, ansvar 6200) and **Äldrenämnden** (Äldreomsorg, ansvar 5200, and the
new Hälso- och sjukvård, ansvar 5300), both with the old nämnd as föregångare and new områden from 2024; utfall
Jul–Aug 2024: Äldreomsorg 430 000 kr, Hälso- och sjukvård 50 000 kr, IFO 170 000 kr a month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from ekonomi.models import Budgetpost, Utfall
from ekonomi.selectors import _jämförelseområden, ekonomiunderlag
from nämnd.models import Kommun, Nämnd, Rapportlås, Verksamhetsområde
from rapporter import kontroller
from rapporter.rapport import bygg_rapport
from tests.factories import KommunFactory, NämndFactory, VerksamhetsområdeFactory
from tests.rapporter.test_rapport import tabell, url


@dataclass
class Delning:
    kommun: Kommun
    gamla: Nämnd
    social: Nämnd
    äldre: Nämnd
    områden: dict[str, Verksamhetsområde] = field(default_factory=dict)

    def koppla(self) -> None:
        """The admin's explicit links: each taken-over område "jämförs med" its predecessor."""
        self.områden["Äldreomsorg"].föregångare.add(self.områden["Äldreomsorg (gamla)"])
        self.områden["IFO"].föregångare.add(self.områden["IFO (gamla)"])


def delad_kommun() -> Delning:
    kommun = KommunFactory(namn="Åsby kommun", kommunkod="9931")
    gamla = NämndFactory(
        kommun=kommun,
        namn="Social- och omsorgsnämnden",
        giltig_från=dt.date(2019, 1, 1),
        giltig_till=dt.date(2024, 6, 30),
    )
    social = NämndFactory(kommun=kommun, namn="Socialnämnden", giltig_från=dt.date(2024, 7, 1))
    äldre = NämndFactory(kommun=kommun, namn="Äldrenämnden", giltig_från=dt.date(2024, 7, 1))
    social.föregångare.add(gamla)
    äldre.föregångare.add(gamla)
    d = Delning(kommun, gamla, social, äldre)
    o = d.områden
    o["Äldreomsorg (gamla)"] = VerksamhetsområdeFactory(
        nämnd=gamla, namn="Äldreomsorg", ansvarskoder="5100", ordning=10
    )
    o["IFO (gamla)"] = VerksamhetsområdeFactory(nämnd=gamla, namn="IFO", ansvarskoder="6100", ordning=20)
    o["IFO"] = VerksamhetsområdeFactory(nämnd=social, namn="IFO", ansvarskoder="6200", från_år=2024, ordning=10)
    o["Äldreomsorg"] = VerksamhetsområdeFactory(
        nämnd=äldre, namn="Äldreomsorg", ansvarskoder="5200", från_år=2024, ordning=10
    )
    o["Hälso- och sjukvård"] = VerksamhetsområdeFactory(
        nämnd=äldre, namn="Hälso- och sjukvård", ansvarskoder="5300", från_år=2024, ordning=20
    )
    rader = []
    for namn, år, månader, belopp in (
        ("Äldreomsorg (gamla)", 2023, range(1, 13), 400_000),
        ("Äldreomsorg (gamla)", 2024, range(1, 7), 420_000),
        ("IFO (gamla)", 2023, range(1, 13), 150_000),
        ("IFO (gamla)", 2024, range(1, 7), 160_000),
        ("Äldreomsorg", 2024, range(7, 9), 430_000),
        ("Hälso- och sjukvård", 2024, range(7, 9), 50_000),
        ("IFO", 2024, range(7, 9), 170_000),
    ):
        rader += [Utfall(verksamhetsområde=o[namn], år=år, månad=m, belopp=Decimal(belopp)) for m in månader]
    Utfall.objects.bulk_create(rader)
    Budgetpost.objects.create(verksamhetsområde=o["Äldreomsorg (gamla)"], år=2023, slag="kf", belopp=4_800_000)
    return d


@pytest.fixture
def delning(db) -> Delning:
    return delad_kommun()


@pytest.fixture
def su(client, django_user_model):
    user = django_user_model.objects.create_superuser("su", password="x")
    client.force_login(user)
    return user


def drift(client, nämnd: Nämnd, år: int, del_: Nämnd | None = None) -> dict[str, list]:
    """The period drift table of ``del_`` (default: the nämnd itself) in the nämnd's delårsrapport."""
    r = client.get(url(nämnd, år, "delårsrapport"))
    assert r.status_code == 200
    return tabell(r.content, f"drift-{(del_ or nämnd).id}")


# --- the report: explicit links ---------------------------------------------------------------------------------


def test_utan_koppling_saknar_den_nya_nämnden_föregående_år(client, su, delning):
    tabell_ = drift(client, delning.äldre, 2024)
    assert tabell_["Äldreomsorg"][0] is None or tabell_["Äldreomsorg"][0] == 0
    assert tabell_["Äldreomsorg"][3] == 860  # Jul–Aug 2024, tkr


def test_kopplat_område_visar_föregångarens_föregående_år(client, su, delning):
    före_gamla = drift(client, delning.gamla, 2023)
    delning.koppla()
    äldre = drift(client, delning.äldre, 2024)
    assert äldre["Äldreomsorg"][0] == 3_200  # the old Äldreomsorg, Jan–Aug 2023: 8 × 400 tkr
    assert äldre["Hälso- och sjukvård"][0] in (None, 0)  # new, nothing to compare with
    social = drift(client, delning.social, 2024)
    assert social["IFO"][0] == 1_200
    # The old nämnd's own report of 2023 is unchanged by the links.
    assert drift(client, delning.gamla, 2023) == före_gamla
    assert före_gamla["Äldreomsorg"][3] == 3_200


def test_delningsåret_räknar_föregående_år_en_gång_när_delarna_läses_tillsammans(delning, su):
    """Read together (the report over predecessor + successor), the old område's last year is counted once: in the
    successor that took it over."""
    delning.koppla()
    vid_id = {o.id: o for o in ekonomiunderlag(su, [delning.gamla, delning.äldre], 2024, 8)}
    gamla, nya = (vid_id[delning.områden[n].id] for n in ("Äldreomsorg (gamla)", "Äldreomsorg"))
    assert (gamla.utfall_period_fg, nya.utfall_period_fg) == (0, 3_200_000)
    assert (gamla.utfall_helår_fg, nya.utfall_helår_fg) == (0, 4_800_000)


def test_året_efter_delningen_visar_egna_och_föregångarens_månader(delning):
    """2025: the new område existed Jul–Dec 2024 itself; its "föregående år" is those months plus the
    predecessor's Jan–Jun 2024 (year-aware rule: ``_jämförelseområden(ids, år)``)."""
    delning.koppla()
    nya, gamla = delning.områden["Äldreomsorg"], delning.områden["Äldreomsorg (gamla)"]
    assert sorted(_jämförelseområden([nya.id], 2025)[nya.id]) == sorted([nya.id, gamla.id])
    assert _jämförelseområden([nya.id], 2024)[nya.id] == [gamla.id]
    # Without a year the same answer is read from the data (no jämförelsetal on the new område).
    assert sorted(_jämförelseområden([nya.id])[nya.id]) == sorted([nya.id, gamla.id])


# --- imported jämförelsetal and the link: which wins ------------------------------------------------------------


def test_jämförelsetal_på_nya_området_visas_utan_koppling(client, su, delning):
    nya = delning.områden["Äldreomsorg"]
    Utfall.objects.bulk_create(
        Utfall(verksamhetsområde=nya, år=2023, månad=m, belopp=Decimal(410_000)) for m in range(1, 13)
    )
    äldre = drift(client, delning.äldre, 2024)
    assert äldre["Äldreomsorg"][0] == 3_280  # 8 × 410 tkr


def test_kopplingen_vinner_över_jämförelsetal_och_inget_räknas_två_gånger(client, su, delning):
    nya, gamla = delning.områden["Äldreomsorg"], delning.områden["Äldreomsorg (gamla)"]
    Utfall.objects.bulk_create(
        Utfall(verksamhetsområde=nya, år=2023, månad=m, belopp=Decimal(410_000)) for m in range(1, 13)
    )
    delning.koppla()
    nya.föregångare.add(nya)  # even listing itself does not add its jämförelsetal to the link's
    assert drift(client, delning.äldre, 2024)["Äldreomsorg"][0] == 3_200
    assert _jämförelseområden([nya.id])[nya.id] == [gamla.id]
    assert _jämförelseområden([nya.id], 2024)[nya.id] == [gamla.id]
    assert sorted(_jämförelseområden([nya.id], 2025)[nya.id]) == sorted([nya.id, gamla.id])


def test_gamla_nämndens_fastställda_rapport_ändras_inte(client, su, delning):
    Rapportlås.objects.create(
        nämnd=delning.gamla,
        år=2023,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(2023, 9, 20),
        paragraf="§ 80",
        version=1,
    )
    före = drift(client, delning.gamla, 2023)
    delning.koppla()
    Utfall.objects.bulk_create(
        Utfall(verksamhetsområde=delning.områden["Äldreomsorg"], år=2023, månad=m, belopp=Decimal(1)) for m in (1, 2)
    )
    assert drift(client, delning.gamla, 2023) == före


# --- the check -------------------------------------------------------------------------------------------------


def fynd(user, nämnd: Nämnd, år: int = 2024) -> list[kontroller.Fynd]:
    rapport = bygg_rapport(user, nämnd, år, "delårsrapport")
    return [f for f in kontroller.granska(rapport) if f.kod == "jämförelsetal_saknas"]


def test_kontroll_varnar_när_nya_nämnden_saknar_jämförelsetal(delning, su):
    (f,) = fynd(su, delning.äldre)
    assert f.nivå == kontroller.VARNING
    assert f.text.startswith("Äldrenämnden saknar jämförelsetal för föregående år: koppla Äldreomsorg")
    assert "Hälso- och sjukvård" in f.text
    assert f.länk


def test_kontroll_tyst_med_koppling_eller_jämförelsetal(delning, su):
    delning.koppla()
    Utfall.objects.create(verksamhetsområde=delning.områden["Hälso- och sjukvård"], år=2023, månad=1, belopp=1)
    assert fynd(su, delning.äldre) == []
    assert fynd(su, delning.social) == []
    # The old nämnd (not new) is never asked.
    assert fynd(su, delning.gamla, 2023) == []


def test_kontroll_året_efter_kräver_koppling(delning, su):
    """In 2025 the months Jan–Jun 2024 can only come through a link: jämförelsetal for 2023 do not help."""
    Utfall.objects.create(verksamhetsområde=delning.områden["Hälso- och sjukvård"], år=2023, månad=1, belopp=1)
    delning.koppla()
    assert "Hälso- och sjukvård" in fynd(su, delning.äldre, 2025)[0].text
    assert "Äldreomsorg" not in fynd(su, delning.äldre, 2025)[0].text.split(":", 1)[1]


def test_admin_visar_kopplingen_med_hjälptext(client, su, delning):
    nya = delning.områden["Äldreomsorg"]
    r = client.get(f"/admin/nämnd/verksamhetsområde/{nya.pk}/change/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="föregångare"' in html and "Vid en delning av en nämnd" in html

"""The bedömning scale per kommun: 2–4 levels in the kommun's own words, offered by the entry page, enforced by
the service, shown by the report (symbol by place), checked before publishing, edited in the Kommun admin.

Two invented kommuner: Tvåby with two levels ("Uppfyllt"/"Ej uppfyllt") and Fyrby with four in other words."""

from __future__ import annotations

import importlib

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from nyckeltal import services
from nyckeltal.bedomning import (
    STANDARDNIVÅER,
    STANDARDSKALA,
    Bedömningsskala,
    Indikatorbedömning,
    föreslå_nivå,
    skalfel,
)
from nyckeltal.models import Bedömningsnivå, Mål, Måluppfyllelse, bedömningsskala
from nämnd.models import Kommun
from publicering import services as publicering
from tests.conftest import skapa_användare
from tests.factories import (
    IndikatorFactory,
    IndikatorvärdeFactory,
    KommunFactory,
    MålFactory,
    MåluppfyllelseFactory,
    NämndFactory,
)
from tests.nyckeltal.test_inmatning import controller_för, felrutan, formulärdata, mål_url

ÅR = 2025
TVÅ = [("uppfyllt", "Uppfyllt"), ("ej_uppfyllt", "Ej uppfyllt")]
FYRA = [
    ("helt", "Helt uppfyllt"),
    ("stor_del", "Till stor del uppfyllt"),
    ("viss_del", "Till viss del uppfyllt"),
    ("inte", "Inte uppfyllt"),
]
U, E = Indikatorbedömning.UPPNÅTT, Indikatorbedömning.EJ_UPPNÅTT


def sätt_skala(kommun: Kommun, nivåer: list[tuple[str, str]]) -> None:
    Bedömningsnivå.objects.filter(kommun=kommun).delete()
    Bedömningsnivå.objects.bulk_create(
        Bedömningsnivå(kommun=kommun, kod=kod, text=text, ordning=i) for i, (kod, text) in enumerate(nivåer, 1)
    )


def bygg(namn: str, kommunkod: str, nivåer):
    """A kommun with the scale ``nivåer`` (and the standard report layout, which has a mål section), a nämnd with
    one KF-mål (an indikator that meets its målvärde); and a controller of the nämnd."""
    kommun = KommunFactory(namn=namn, kommunkod=kommunkod)
    sätt_skala(kommun, nivåer)
    nämnd = NämndFactory(kommun=kommun, namn="Vård- och omsorgsnämnden")
    mål = MålFactory(nämnd=nämnd, namn=f"Trygg vård i {namn}", från_år=ÅR)
    indikator = IndikatorFactory(mål=mål, namn="Nöjda brukare", jämförelse="minst", målvärde=80)
    IndikatorvärdeFactory(indikator=indikator, år=ÅR, totalt=85)
    return nämnd, mål, controller_för(kommun, nämnd, f"controller-{kommunkod}")


@pytest.fixture
def tvåby(db):
    return bygg("Tvåby kommun", "9971", TVÅ)


@pytest.fixture
def fyrby(db):
    return bygg("Fyrby kommun", "9972", FYRA)


def rapport(client, user, nämnd) -> BeautifulSoup:
    client.force_login(user)
    r = client.get(reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200
    return BeautifulSoup(r.content, "html.parser")


# --- the pure scale ---------------------------------------------------------------------------------------------


def test_symbol_och_klass_följer_platsen_på_skalan():
    fyra = Bedömningsskala.av(FYRA)
    assert [(n.symbol, n.klass) for n in fyra.nivåer] == [
        ("●", "uppnatt"),
        ("◐", "delvis"),
        ("◐", "delvis"),
        ("○", "ej"),
    ]
    assert [(n.symbol, n.text) for n in Bedömningsskala.av(TVÅ).nivåer] == [("●", "Uppfyllt"), ("○", "Ej uppfyllt")]
    assert fyra.nivå("viss_del").text == "Till viss del uppfyllt" and fyra.nivå("delvis") is None


def test_förslag_från_indikatorer_bäst_sämst_och_mitten():
    två, tre, fyra = Bedömningsskala.av(TVÅ), STANDARDSKALA, Bedömningsskala.av(FYRA)
    for skala in (två, tre, fyra):
        assert föreslå_nivå([U, U, None], skala) == skala.bäst
        assert föreslå_nivå([E, E], skala) == skala.sämst
        assert föreslå_nivå([None], skala) is None
    assert föreslå_nivå([U, E], två).kod == "ej_uppfyllt"  # nothing between: partly met is not met
    assert föreslå_nivå([U, E, E], tre).kod == "delvis"
    assert föreslå_nivå([U, E], fyra).kod == "stor_del"  # at least half met
    assert föreslå_nivå([U, E, E], fyra).kod == "viss_del"


def test_skalan_har_två_till_fyra_nivåer_med_egna_koder_och_ord():
    assert skalfel(TVÅ) == [] and skalfel(FYRA) == []
    assert skalfel(TVÅ[:1]) == ["En bedömningsskala har 2–4 nivåer, inte 1."]
    assert skalfel([*FYRA, ("x", "X")]) == ["En bedömningsskala har 2–4 nivåer, inte 5."]
    assert skalfel([("a", "Uppfyllt"), ("b", "uppfyllt")]) == ["Samma text används för flera nivåer: uppfyllt."]


# --- entry page and service ----------------------------------------------------------------------------------


def val(html: bytes, namn: str) -> list[str]:
    select = BeautifulSoup(html, "html.parser").find("select", attrs={"name": namn})
    return [o.get_text(strip=True) for o in select.find_all("option")]


def test_inmatningen_erbjuder_exakt_kommunens_ord_i_skalans_ordning(client, tvåby, fyrby):
    for (nämnd, mål, user), ord_ in ((tvåby, TVÅ), (fyrby, FYRA)):
        client.force_login(user)
        r = client.get(mål_url(nämnd, ÅR))
        assert val(r.content, f"m{mål.id}-bed") == ["Ej bedömd", *(t for _, t in ord_)]


def test_kod_från_annan_kommuns_skala_vägras(client, tvåby, fyrby):
    nämnd, mål, user = tvåby
    client.force_login(user)
    data = formulärdata(client.get(mål_url(nämnd, ÅR)).content)
    data[f"m{mål.id}-bed"] = "helt"  # Fyrby's best level
    r = client.post(mål_url(nämnd, ÅR), data)
    assert r.status_code == 200 and "helt" in felrutan(r.content)
    # The service refuses it too, whoever calls it, with the kommun's words in the message.
    with pytest.raises(ValidationError) as fel:
        services.spara_måluppfyllelse(user, nämnd, ÅR, "delårsrapport", [services.Målbedömning(mål.id, "helt")])
    assert fel.value.messages == [
        f"{mål.namn}: bedömningen ”helt” finns inte på kommunens bedömningsskala (”Uppfyllt”, ”Ej uppfyllt”)."
    ]
    assert not Måluppfyllelse.objects.exists()
    # Its own code is saved.
    data[f"m{mål.id}-bed"] = "ej_uppfyllt"
    assert client.post(mål_url(nämnd, ÅR), data).status_code == 302
    assert Måluppfyllelse.objects.get(mål=mål).bedömning == "ej_uppfyllt"


# --- the report --------------------------------------------------------------------------------------------------


def test_rapporten_visar_kommunens_ord_och_symbol_efter_plats(client, tvåby, fyrby):
    MåluppfyllelseFactory(mål=tvåby[1], år=ÅR, rapporttyp="delårsrapport", bedömning="ej_uppfyllt")
    MåluppfyllelseFactory(mål=fyrby[1], år=ÅR, rapporttyp="delårsrapport", bedömning="viss_del")
    for (nämnd, _mål, user), väntat, indikator in (
        (tvåby, ("ej", "○ Ej uppfyllt"), "● Uppfyllt"),
        (fyrby, ("delvis", "◐ Till viss del uppfyllt"), "● Helt uppfyllt"),
    ):
        soup = rapport(client, user, nämnd)
        etikett = soup.find(class_="bedomning").find(class_="bedomning-etikett")
        assert (etikett["class"][1], etikett.get_text(" ", strip=True)) == väntat
        # The indicator met its målvärde: the best level's word.
        rad = soup.find("th", string="Nöjda brukare").parent
        assert indikator in rad.get_text(" ", strip=True)
        assert "Uppnått" not in soup.get_text()


def test_rapportens_frågor_växer_inte_med_antalet_mål(client, tvåby):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nämnd, mål, user = tvåby
    client.force_login(user)
    antal = []
    for n in (1, 10):
        for i in range(n - Mål.objects.filter(nämnd=nämnd).count()):
            m = MålFactory(nämnd=nämnd, namn=f"Mål {i}", från_år=ÅR)
            MåluppfyllelseFactory(mål=m, år=ÅR, rapporttyp="delårsrapport", bedömning="uppfyllt")
        with CaptureQueriesContext(connection) as frågor:
            assert client.get(reverse("rapport", args=[nämnd.id, ÅR, "delårsrapport"])).status_code == 200
        antal.append(len(frågor))
    assert antal[0] == antal[1], antal


# --- checks ---------------------------------------------------------------------------------------------------------


def statusrad(client, nämnd, mål) -> tuple[str, str]:
    """The status page's Måluppfyllelse row of ``mål`` in the delårsrapport: (class, text)."""
    r = client.get(reverse("dashboard", args=[nämnd.id, ÅR]))
    assert r.status_code == 200
    avsnitt = BeautifulSoup(r.content, "html.parser").find(id="rapport-delarsrapport")
    td = avsnitt.find("th", string=mål.namn).find_next_sibling("td")
    return td["class"][0], td.get_text(" ", strip=True)


def test_kontrollen_flaggar_en_bedömning_som_inte_finns_på_skalan(client, tvåby):
    nämnd, mål, user = tvåby
    client.force_login(user)
    b = MåluppfyllelseFactory(mål=mål, år=ÅR, rapporttyp="delårsrapport", bedömning="delvis")  # not Tvåby's
    # Granskning of the built report: a "fel" that says why.
    fynd = publicering.granska(user, publicering.ärende_för(nämnd, ÅR, "delårsrapport"))
    assert [(f.nivå, f.text) for f in fynd if f.kod == "bedömning_saknas"] == [
        (
            "fel",
            f"Målet ”{mål.namn}” har bedömningen ”delvis”, som inte finns på kommunens bedömningsskala. "
            "Välj en av kommunens bedömningar.",
        )
    ]
    # The status page (the same check, without the figures) counts it as missing.
    assert statusrad(client, nämnd, mål) == ("status-saknas", "Saknas")
    # The report says so rather than showing a word the kommun doesn't use.
    assert "Okänd bedömning (”delvis” finns inte på kommunens skala)" in rapport(client, user, nämnd).get_text()
    # A level of the scale: no finding, and the status page shows the kommun's word.
    b.bedömning = "uppfyllt"
    b.save()
    fynd = publicering.granska(user, publicering.ärende_för(nämnd, ÅR, "delårsrapport"))
    assert not [f for f in fynd if f.kod == "bedömning_saknas"]
    assert statusrad(client, nämnd, mål)[0] == "status-ok" and "Uppfyllt" in statusrad(client, nämnd, mål)[1]


# --- new kommuner, the migration, the demo -------------------------------------------------------------------


def test_ny_kommun_får_standardskalan_och_en_kommun_utan_nivåer_använder_den(db):
    kommun = Kommun.objects.create(namn="Nyby kommun")
    assert bedömningsskala(kommun.pk) == STANDARDSKALA  # no rows yet: the standard scale
    assert len(services.standardskala(kommun)) == 3
    assert list(Bedömningsnivå.objects.filter(kommun=kommun).values_list("kod", "text", "ordning")) == [
        ("uppnått", "Uppnått", 1),
        ("delvis", "Delvis uppnått", 2),
        ("ej", "Ej uppnått", 3),
    ]
    assert services.standardskala(kommun) == []  # idempotent
    assert KommunFactory(namn="Fabriksby").bedömningsnivåer.count() == 3


def test_migrationen_ger_befintliga_kommuner_de_tre_nivåerna_med_dagens_koder_och_ord(db):
    migration = importlib.import_module("nyckeltal.migrations.0002_bedomningsskala")
    utan = Kommun.objects.create(namn="Gammelby kommun")
    med = KommunFactory(namn="Egenby kommun")
    sätt_skala(med, TVÅ)
    migration.standardskala_för_alla(apps, None)
    assert bedömningsskala(utan.pk) == STANDARDSKALA
    assert [(n.kod, n.text) for n in bedömningsskala(med.pk).nivåer] == TVÅ  # its own scale is left alone
    # The migration's frozen levels are today's standard (the demo's stored codes and its report's words).
    assert migration.STANDARDNIVÅER == STANDARDNIVÅER


@pytest.mark.slow
def test_demons_bedömningar_ligger_på_dess_skala_med_dagens_ord(knivsta):
    skala = bedömningsskala(knivsta.pk)
    assert [(n.kod, n.text) for n in skala.nivåer] == list(STANDARDNIVÅER)
    koder = set(Måluppfyllelse.objects.for_kommun(knivsta).values_list("bedömning", flat=True))
    assert koder and koder <= set(skala.koder)


# --- admin -----------------------------------------------------------------------------------------------------------


def inlinedata(kommun: Kommun, nivåer: list[tuple[int | None, str, str, int, bool]]) -> dict:
    """The Kommun change form with the scale inline: (id, kod, text, ordning, delete) per row."""
    data = {
        "namn": kommun.namn,
        "kommunkod": kommun.kommunkod,
        "organisationsnummer": "",
        "beloppsenhet": kommun.beloppsenhet,
        "avvikelsegräns_kr": "500000",
        "avvikelsegräns_procent": "5",
    }
    prefix = "bedömningsnivåer"
    nivåer = sorted(nivåer, key=lambda n: n[0] is None)  # stored rows first, as the admin sends them
    initial = sum(1 for n in nivåer if n[0])
    data |= {f"{prefix}-TOTAL_FORMS": len(nivåer), f"{prefix}-INITIAL_FORMS": initial, f"{prefix}-MIN_NUM_FORMS": 0}
    data[f"{prefix}-MAX_NUM_FORMS"] = 4
    for i, (pk, kod, text, ordning, bort) in enumerate(nivåer):
        data |= {f"{prefix}-{i}-id": pk or "", f"{prefix}-{i}-kommun": kommun.pk, f"{prefix}-{i}-kod": kod}
        data |= {f"{prefix}-{i}-text": text, f"{prefix}-{i}-ordning": ordning}
        if bort:
            data[f"{prefix}-{i}-DELETE"] = "on"
    return data


def test_admin_redigerar_skalan_som_inline_och_skyddar_använda_koder(client, django_user_model, tvåby):
    nämnd, mål, _ = tvåby
    kommun = nämnd.kommun
    MåluppfyllelseFactory(mål=mål, år=ÅR, rapporttyp="delårsrapport", bedömning="ej_uppfyllt")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "x-lösen-1"))
    url = reverse("admin:nämnd_kommun_change", args=[kommun.pk])
    assert "Uppfyllt" in client.get(url).content.decode()
    uppf, ej = Bedömningsnivå.objects.filter(kommun=kommun).order_by("ordning")

    # New words for both, a third level: saved.
    r = client.post(
        url,
        inlinedata(
            kommun,
            [
                (uppf.pk, "uppfyllt", "Målet uppfylls", 1, False),
                (None, "delvis", "Uppfylls delvis", 2, False),
                (ej.pk, "ej_uppfyllt", "Uppfylls inte", 3, False),
            ],
        ),
    )
    assert r.status_code == 302, [f.formset.errors for f in r.context["inline_admin_formsets"]]
    assert [n.text for n in bedömningsskala(kommun.pk).nivåer] == ["Målet uppfylls", "Uppfylls delvis", "Uppfylls inte"]

    # Removing a level in use, or leaving one level: refused with a Swedish message, nothing saved.
    delvis = Bedömningsnivå.objects.get(kommun=kommun, kod="delvis")
    r = client.post(
        url,
        inlinedata(
            kommun,
            [
                (uppf.pk, "uppfyllt", "Målet uppfylls", 1, False),
                (delvis.pk, "delvis", "Uppfylls delvis", 2, False),
                (ej.pk, "ej_uppfyllt", "Uppfylls inte", 3, True),
            ],
        ),
    )
    assert r.status_code == 200
    assert "Koden ”ej_uppfyllt” används av sparade bedömningar och kan inte tas bort eller bytas." in r.content.decode()
    r = client.post(
        url,
        inlinedata(
            kommun,
            [
                (uppf.pk, "uppfyllt", "Målet uppfylls", 1, False),
                (delvis.pk, "delvis", "Uppfylls delvis", 2, True),
                (ej.pk, "ej_uppfyllt", "Uppfylls inte", 3, True),
            ],
        ),
    )
    assert r.status_code == 200 and "En bedömningsskala har 2–4 nivåer, inte 1." in r.content.decode()
    assert Bedömningsnivå.objects.filter(kommun=kommun).count() == 3

    # A kommun added in the admin starts with the standard scale.
    r = client.post(
        reverse("admin:nämnd_kommun_add"),
        {
            "namn": "Adminby kommun",
            "kommunkod": "9979",
            "beloppsenhet": "tkr",
            "avvikelsegräns_kr": "1",
            "avvikelsegräns_procent": "5",
        },
    )
    assert r.status_code == 302
    assert bedömningsskala(Kommun.objects.get(namn="Adminby kommun").pk).koder == ["uppnått", "delvis", "ej"]
    assert Bedömningsnivå.objects.filter(kommun__namn="Adminby kommun").count() == 3


def test_bara_kommunens_admin_ändrar_skalan(client, tvåby, fyrby):
    from django.contrib.auth.models import Permission

    nämnd = tvåby[0]
    for roll, får in (("admin", True), ("controller", False)):
        user = skapa_användare(f"{roll}-skala", nämnd.kommun, roll)
        user.is_staff = True
        user.save()
        user.user_permissions.set(
            Permission.objects.filter(
                codename__in=[
                    "view_kommun",
                    "change_kommun",
                    "add_bedömningsnivå",
                    "change_bedömningsnivå",
                    "delete_bedömningsnivå",
                    "view_bedömningsnivå",
                ]
            )
        )
        client.force_login(user)
        r = client.get(reverse("admin:nämnd_kommun_change", args=[nämnd.kommun_id]))
        assert r.status_code == 200
        redigerbar = 'name="bedömningsnivåer-0-text"' in r.content.decode()
        assert redigerbar == får, roll
        # Another kommun's page (and so its scale) is not reachable.
        r = client.get(reverse("admin:nämnd_kommun_change", args=[fyrby[0].kommun_id]))
        assert r.status_code == 302

"""Tidplan per section (deadline, ansvarig, klar), reminders by e-mail under a frozen clock (locmem backend), the
overview of late sections per nämnd, and the edit guard — on an invented kommun (Ekeby, two nämnder, mnkr)."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jobb.tasks import skicka_påminnelser
from nämnd.vakt import Låst
from publicering import paminnelser, services, tidplan
from publicering.models import Publiceringsinställning, Påminnelse, Rapportärende, Sektionsplan
from tests.factories import ÅR, admin, annan_form_kommun, controller, liten_kommun, läsare

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(ÅR, 9, 15)


def klockan(dag: dt.date, timme: int = 7):
    """Freeze ``timezone.now`` (and so ``timezone.localdate``) at ``dag`` ``timme``:00 Stockholm time."""
    ögonblick = dt.datetime(dag.year, dag.month, dag.day, timme, tzinfo=ZoneInfo("Europe/Stockholm"))
    return mock.patch("django.utils.timezone.now", return_value=ögonblick)


@pytest.fixture
def ekeby():
    return annan_form_kommun()


@pytest.fixture
def nämnd(ekeby):
    return ekeby.nämnder["Omsorgsnämnden"]


@pytest.fixture
def ansvarig(ekeby, nämnd):
    u = controller(ekeby.kommun, "karin", nämnder=[nämnd])
    u.first_name, u.last_name, u.email = "Karin", "Ek", "karin@ekeby.example"
    u.save()
    return u


@pytest.fixture
def ekeby_admin(ekeby):
    u = admin(ekeby.kommun, "ekeby-admin")
    u.email = "admin@ekeby.example"
    u.save()
    return u


@pytest.fixture
def ärende(nämnd):
    return services.ärende_för(nämnd, ÅR, "delårsrapport")


@pytest.fixture
def rader(ärende):
    return tidplan.rader(ärende)


def planera(user, ärende, rubrik, deadline=DEADLINE, ansvarig=None, klar=False):
    return tidplan.spara(user, ärende, [tidplan.Ändrad(rubrik, deadline, ansvarig.pk if ansvarig else None, klar)])


def test_tidplanen_har_rapportens_sektioner_i_layoutens_ordning(rader):
    assert [r.nummer for r in rader] == list(range(1, len(rader) + 1))
    assert len(rader) >= 5
    assert all(r.plan is None and not r.klar for r in rader)
    assert rader[0].ankare.startswith("s1-")


def test_sen_sektion_ger_exakt_ett_mejl_även_om_jobbet_körs_två_gånger(ekeby_admin, ärende, rader, ansvarig):
    rubrik = rader[1].rubrik
    assert planera(ekeby_admin, ärende, rubrik, ansvarig=ansvarig) == 1
    with klockan(DEADLINE + dt.timedelta(days=2)):
        # The Celery task itself, run in this process (apply: whatever another test left in the Celery config).
        skicka_påminnelser.apply()
        skicka_påminnelser.apply()
    assert len(mail.outbox) == 1
    m = mail.outbox[0]
    assert m.to == ["karin@ekeby.example"]
    assert m.subject == f"Försenad: ”{rubrik}” i delårsrapport {ÅR} för Omsorgsnämnden skulle vara klar {DEADLINE}"
    assert "Hej Karin Ek," in m.body
    assert f"Deadline var {DEADLINE} (2 dagar sedan)." in m.body
    nämnd_id = ärende.nämnd_id
    rapport = reverse("rapport", args=[nämnd_id, ÅR, "delårsrapport"])
    assert f"Avsnittet i rapporten: http://localhost:8000{rapport}#{rader[1].ankare}\n" in m.body
    assert reverse("rapport-tidplan", args=[nämnd_id, ÅR, "delårsrapport"]) in m.body
    assert list(Påminnelse.objects.values_list("slag", "deadline", "epost")) == [
        ("sen", DEADLINE, "karin@ekeby.example")
    ]
    # The management command (installations without beat) sends nothing more either.
    with klockan(DEADLINE + dt.timedelta(days=3)):
        call_command("skicka_paminnelser", stdout=mock.MagicMock())
    assert len(mail.outbox) == 1


def test_sektion_markerad_klar_ger_inget_mejl(ekeby_admin, ansvarig, ärende, rader):
    with klockan(dt.date(ÅR, 9, 1)):
        planera(ansvarig, ärende, rader[0].rubrik, ansvarig=ansvarig, klar=True)
    plan = Sektionsplan.objects.get()
    assert plan.klar_av == ansvarig and plan.klar_tid is not None and plan.klar_tid.date() == dt.date(ÅR, 9, 1)
    for dag in (DEADLINE - dt.timedelta(days=3), DEADLINE, DEADLINE + dt.timedelta(days=10)):
        with klockan(dag):
            assert paminnelser.skicka() == 0
    assert mail.outbox == []
    # Unmarking forgets who and when.
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig, klar=False)
    plan.refresh_from_db()
    assert (plan.klar_av, plan.klar_tid) == (None, None)


def test_påminnelse_n_dagar_före_enligt_kommunens_inställning(ekeby, ekeby_admin, ansvarig, ärende, rader):
    Publiceringsinställning.objects.create(kommun=ekeby.kommun, påminnelse_dagar_före=5)
    planera(ekeby_admin, ärende, rader[2].rubrik, ansvarig=ansvarig)
    skickade = []
    for dagar_före in (7, 6, 5, 4, 1, 0, -1, -2):
        with klockan(DEADLINE - dt.timedelta(days=dagar_före)):
            skickade.append(paminnelser.skicka())
    assert skickade == [0, 0, 1, 0, 0, 0, 1, 0]
    före, sen = mail.outbox
    assert före.subject.startswith(f"Påminnelse: ”{rader[2].rubrik}”")
    assert f"Deadline är {DEADLINE} (om 5 dagar)." in före.body
    assert sen.subject.startswith("Försenad:") and "(1 dag sedan)" in sen.body


def test_standard_är_tre_dagar_före(ekeby_admin, ansvarig, ärende, rader):
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    with klockan(DEADLINE - dt.timedelta(days=4)):
        assert paminnelser.skicka() == 0
    with klockan(DEADLINE - dt.timedelta(days=3)):
        assert paminnelser.skicka() == 1
    assert "(om 3 dagar)" in mail.outbox[0].body


def test_flyttad_deadline_påminns_igen(ekeby_admin, ansvarig, ärende, rader):
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    with klockan(DEADLINE + dt.timedelta(days=1)):
        assert paminnelser.skicka() == 1
        planera(ekeby_admin, ärende, rader[0].rubrik, deadline=DEADLINE + dt.timedelta(days=2), ansvarig=ansvarig)
        assert paminnelser.skicka() == 1  # före the new deadline
        assert paminnelser.skicka() == 0
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Försenad", "Påminnelse"]


def test_samtidig_körning_skickar_inte_två_gånger(ekeby_admin, ansvarig, ärende, rader):
    """Another run recorded the reminder between this run's check and its insert: the unique constraint refuses
    the insert, nothing is sent."""
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    plan = Sektionsplan.objects.get()
    Påminnelse.objects.create(sektion=plan, mottagare=ansvarig, slag="sen", deadline=DEADLINE, epost="x@y.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        Påminnelse.objects.create(sektion=plan, mottagare=ansvarig, slag="sen", deadline=DEADLINE, epost="x@y.example")
    tom = mock.MagicMock()
    tom.exists.return_value = False
    with klockan(DEADLINE + dt.timedelta(days=1)), mock.patch.object(Påminnelse.objects, "filter", return_value=tom):
        assert paminnelser.skicka() == 0
    assert mail.outbox == [] and Påminnelse.objects.count() == 1


def test_misslyckat_utskick_sparas_inte_och_försöks_igen(ekeby_admin, ansvarig, ärende, rader):
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    with klockan(DEADLINE + dt.timedelta(days=1)):
        with mock.patch.object(paminnelser, "send_mail", side_effect=smtplib.SMTPServerDisconnected("borta")):
            assert paminnelser.skicka() == 0
        assert Påminnelse.objects.count() == 0
        assert paminnelser.skicka() == 1
    assert len(mail.outbox) == 1


def test_ingen_påminnelse_utan_epostadress(ekeby_admin, ekeby, nämnd, ärende, rader):
    utan = controller(ekeby.kommun, "utan-epost", nämnder=[nämnd])
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=utan)
    with klockan(DEADLINE + dt.timedelta(days=1)):
        assert paminnelser.skicka() == 0
    assert Påminnelse.objects.count() == 0


def test_ansvarig_måste_få_redigera_nämnden(ekeby, ekeby_admin, nämnd, ärende, rader):
    andra = ekeby.nämnder["Socialnämnden"]
    for fel in (
        läsare(ekeby.kommun, "ledamot"),
        controller(ekeby.kommun, "annan-namnd", nämnder=[andra]),
        admin(liten_kommun().kommun, "lillby-admin"),
    ):
        with pytest.raises(ValidationError, match="controller för nämnden"):
            planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=fel)
    assert Sektionsplan.objects.count() == 0
    assert set(tidplan.ansvariga(nämnd).values_list("username", flat=True)) == {"ekeby-admin"}


def test_bara_redigerare_får_spara_och_okänd_sektion_avvisas(ekeby, ekeby_admin, ärende, rader):
    with pytest.raises(PermissionDenied):
        planera(läsare(ekeby.kommun, "ledamot"), ärende, rader[0].rubrik)
    with pytest.raises(ValidationError, match="finns inte i rapporten"):
        planera(ekeby_admin, ärende, "Ingen sådan sektion")
    assert Sektionsplan.objects.count() == 0


def test_vakten_vägrar_ändra_tidplanen_för_en_fastställd_rapport(client, ekeby_admin, ansvarig, ärende, rader):
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    services.lås(ärende, dt.date(ÅR, 9, 20), "§ 12", 1)
    Rapportärende.objects.filter(pk=ärende.pk).update(status=Rapportärende.Status.FASTSTÄLLD)
    ärende.refresh_from_db()
    with pytest.raises(Låst, match="fastställd"):
        planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig, klar=True)
    client.force_login(ekeby_admin)
    url = reverse("rapport-tidplan", args=[ärende.nämnd_id, ÅR, "delårsrapport"])
    sida = client.get(url).content.decode()
    assert "är fastställd" in sida and "Spara tidplanen" not in sida
    client.post(url, {"klar_1": "on", "deadline_1": "2025-09-30"})
    plan = Sektionsplan.objects.get()
    assert (plan.deadline, plan.klar) == (DEADLINE, False)
    # Nor is a fastställd report reminded of, nor listed as late.
    with klockan(DEADLINE + dt.timedelta(days=1)):
        assert paminnelser.skicka() == 0
    assert tidplan.sena(ärende.nämnd.kommun, DEADLINE + dt.timedelta(days=1)) == []


def test_rapporten_kan_inte_markeras_klar_medan_en_sektion_inte_är_klar(ekeby_admin, ansvarig, ärende, rader):
    tidplan.kräv_sektioner_klara(ärende)  # no tidplan in use: no requirement
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig, klar=True)
    planera(ekeby_admin, ärende, rader[1].rubrik, ansvarig=ansvarig)
    with pytest.raises(ValidationError) as e:
        services.markera_klar(ekeby_admin, ärende)
    assert e.value.messages[0].startswith("Rapporten kan inte markeras som klar för granskning förrän")
    assert e.value.messages[1:] == [f"{r.nummer}. {r.rubrik}" for r in rader[1:]]
    ärende.refresh_from_db()
    assert ärende.status == Rapportärende.Status.UTKAST
    tidplan.spara(ekeby_admin, ärende, [tidplan.Ändrad(r.rubrik, None, None, True) for r in rader])
    tidplan.kräv_sektioner_klara(ärende)  # all klar: passes


def test_tidplansidan_sparar_och_visar_fel_på_svenska(client, ekeby, nämnd, ansvarig, ärende, rader):
    client.force_login(ansvarig)
    url = reverse("rapport-tidplan", args=[nämnd.id, ÅR, "delårsrapport"])
    sida = client.get(url)
    assert sida.status_code == 200
    text = sida.content.decode()
    assert all(r.rubrik in text for r in rader) and "Karin Ek" in text
    svar = client.post(url, {"deadline_1": "2025-13-45", "ansvarig_1": ansvarig.pk}, follow=True)
    assert "Tidplanen sparades inte" in svar.content.decode() and "giltigt datum" in svar.content.decode()
    assert Sektionsplan.objects.count() == 0
    svar = client.post(url, {"deadline_1": "2025-09-15", "ansvarig_1": ansvarig.pk, "klar_2": "on"}, follow=True)
    assert "Tidplanen är sparad (2 sektioner ändrade)." in svar.content.decode()
    planer = {p.rubrik: p for p in Sektionsplan.objects.all()}
    assert planer[rader[0].rubrik].deadline == DEADLINE and planer[rader[0].rubrik].ansvarig == ansvarig
    assert planer[rader[1].rubrik].klar_av == ansvarig
    # A controller of another nämnd may not open it; another kommun's admin gets 404.
    client.force_login(controller(ekeby.kommun, "annan", nämnder=[ekeby.nämnder["Socialnämnden"]]))
    assert client.get(url).status_code == 403
    client.force_login(admin(liten_kommun().kommun, "lillby-admin"))
    assert client.get(url).status_code == 404


def test_översikten_visar_sena_sektioner_per_nämnd_och_bara_för_kommunen(
    client, ekeby, ekeby_admin, nämnd, ansvarig, ärende, rader
):
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    planera(ekeby_admin, ärende, rader[1].rubrik, deadline=DEADLINE + dt.timedelta(days=5))  # not late yet
    planera(ekeby_admin, ärende, rader[2].rubrik, ansvarig=ansvarig, klar=True)  # klar
    soc = services.ärende_för(ekeby.nämnder["Socialnämnden"], ÅR, "delårsrapport")
    planera(ekeby_admin, soc, tidplan.rader(soc)[0].rubrik, deadline=DEADLINE - dt.timedelta(days=4))
    dag = DEADLINE + dt.timedelta(days=3)
    per_nämnd = tidplan.sena(ekeby.kommun, dag)
    assert [(n.namn, [(s.rad.rubrik, s.dagar) for s in sena]) for n, sena in per_nämnd] == [
        ("Omsorgsnämnden", [(rader[0].rubrik, 3)]),
        ("Socialnämnden", [(tidplan.rader(soc)[0].rubrik, 7)]),
    ]
    url = reverse("sena-sektioner", args=[ekeby.kommun.id])
    client.force_login(läsare(ekeby.kommun, "ledamot"))
    with klockan(dag):
        text = client.get(url).content.decode()
    assert "Karin Ek" in text and "Ingen ansvarig" in text and rader[0].rubrik in text
    assert '<td class="tal">3</td>' in text and '<td class="tal">7</td>' in text
    client.force_login(admin(liten_kommun().kommun, "lillby-admin"))
    assert client.get(url).status_code == 404


def test_kommunens_admin_ställer_in_dagar_före_på_inställningssidan(client, ekeby, ekeby_admin):
    client.force_login(ekeby_admin)
    url = reverse("kommun-installningar", args=[ekeby.kommun.id])
    assert "påminnelse dagar före deadline" in client.get(url).content.decode().lower()
    k = ekeby.kommun
    data = {
        "beloppsenhet": k.beloppsenhet,
        "kostnader_negativa": "on" if k.kostnader_negativa else "",
        "avvikelsegräns_kr": str(k.avvikelsegräns_kr),
        "avvikelsegräns_procent": str(k.avvikelsegräns_procent),
        "checklista_delår": "Prognos redovisas",
        "påminnelse_dagar_före": "7",
    }
    svar = client.post(url, {k_: v for k_, v in data.items() if v != ""})
    assert svar.status_code == 302, svar.content.decode()[:2000]
    assert services.inställning(k).dagar_före == 7


def test_granskningssidan_sammanfattar_tidplanen(client, ekeby_admin, ansvarig, ärende, rader):
    client.force_login(ekeby_admin)
    url = reverse("rapportärende", args=[ärende.nämnd_id, ÅR, "delårsrapport"])
    assert "sektioner klara" not in client.get(url).content.decode()  # no tidplan in use
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig, klar=True)
    planera(ekeby_admin, ärende, rader[1].rubrik, deadline=dt.date(ÅR, 1, 10), ansvarig=ansvarig)
    with klockan(dt.date(ÅR, 2, 1)):
        text = client.get(url).content.decode()
    assert f"(1 av {len(rader)} sektioner klara, <strong>1 sen</strong>)" in text


def test_kommandot_säger_hur_datum_skrivs_och_räknar_med_angivet_datum(ekeby_admin, ansvarig, ärende, rader):
    with pytest.raises(CommandError, match="ÅÅÅÅ-MM-DD"):
        call_command("skicka_paminnelser", "--datum", "2025-13-01")
    planera(ekeby_admin, ärende, rader[0].rubrik, ansvarig=ansvarig)
    ut = io.StringIO()
    call_command("skicka_paminnelser", "--datum", (DEADLINE - dt.timedelta(days=1)).isoformat(), stdout=ut)
    assert ut.getvalue().strip() == "1 påminnelse skickade."
    assert mail.outbox[0].subject.startswith("Påminnelse:") and "(om 1 dag)" in mail.outbox[0].body

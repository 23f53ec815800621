"""Öppna nytt år: the Knivsta 2024 move, mergers, splits, renames, validation, mål, permissions and the page."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from ekonomi import berakning
from ekonomi.models import Budgetpost, Utfall
from ekonomi.selectors import ekonomiunderlag
from nyckeltal.models import Mål
from nämnd.models import Period, Verksamhetsområde
from nämnd.services import stäng
from tests.conftest import skapa_användare
from uppfoljning.nytt_ar import (
    AVSLUTA,
    BYT_NAMN,
    FLYTTA,
    SLÅ_IHOP,
    NyttOmråde,
    Åtgärd,
    förhandsgranska,
    öppna_nytt_år,
)

FÖREBYGGANDE = "Förebyggande verksamhet SoL"
ORDINÄRT = "Vård & omsorg i ordinärt boende övrigt"
TKR = Decimal(1000)


@pytest.fixture
def admin(socialnämnden):
    return skapa_användare("admin-knivsta", socialnämnden.kommun, "admin")


@pytest.fixture
def vo(socialnämnden):
    def hämta(namn):
        return Verksamhetsområde.objects.get(nämnd=socialnämnden, namn=namn)

    return hämta


def per_namn(underlag):
    return {o.namn: o for o in underlag}


def utfall(vo_, år, t_o_m=12):
    return Utfall.objects.filter(verksamhetsområde=vo_, år=år, månad__lte=t_o_m).aggregate(s=Sum("belopp"))["s"] or 0


# --- the Knivsta 2024 case ----------------------------------------------------------------------------------------


def test_knivsta_2024_förebyggande_flyttas_in_i_ordinärt_boende_övrigt(socialnämnden, admin, vo):
    förebyggande, ordinärt = vo(FÖREBYGGANDE), vo(ORDINÄRT)
    före = per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 8))

    resultat = öppna_nytt_år(admin, socialnämnden, 2023, {förebyggande.id: Åtgärd(FLYTTA, ordinärt.id)})

    underlag = per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 8))
    # Vård & omsorg i ordinärt boende övrigt: "föregående år" = its own 2023 + Förebyggande's 2023.
    own, moved = utfall(ordinärt, 2023, 8), utfall(förebyggande, 2023, 8)
    assert underlag[ORDINÄRT].utfall_period_fg == own + moved == (18447 + 2043) * TKR
    assert underlag[ORDINÄRT].utfall_helår_fg == utfall(ordinärt, 2023) + utfall(förebyggande, 2023)
    # Förebyggande is still shown in 2024 (budget 0), and its own "föregående år" is now 0: it is counted above.
    assert underlag[FÖREBYGGANDE].utfall_period_fg == 0 and underlag[FÖREBYGGANDE].utfall_helår_fg == 0
    rad = berakning.driftrad_period(underlag[FÖREBYGGANDE], 2024, 8)
    assert rad.budget == 0 and rad.jämförelse == 0
    # Every other row is unchanged.
    for namn, o in underlag.items():
        if namn not in (FÖREBYGGANDE, ORDINÄRT):
            assert (o.utfall_period_fg, o.utfall_helår_fg) == (före[namn].utfall_period_fg, före[namn].utfall_helår_fg)
    # The total "föregående år" of the nämnd is the same: nothing is lost or counted twice.
    assert sum(o.utfall_helår_fg for o in underlag.values()) == sum(o.utfall_helår_fg for o in före.values())

    # The verksamhetsplan 2024 still shows KF-budget 2023 per row as published (Förebyggande 4 007 → 0).
    plan = per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 1))
    assert berakning.budgetrad(plan[FÖREBYGGANDE], 2024).föregående == 4007 * TKR
    assert berakning.budgetrad(plan[FÖREBYGGANDE], 2024).kf == 0
    assert berakning.budgetrad(plan[ORDINÄRT], 2024).föregående == 26917 * TKR

    förebyggande.refresh_from_db()
    assert förebyggande.till_år == 2024 and förebyggande.gäller(2024) and not förebyggande.gäller(2025)
    assert set(ordinärt.föregångare.all()) == {förebyggande, ordinärt}
    assert any("flyttas till" in h for h in resultat.händelser)
    jämf = {j.namn: j for j in resultat.jämförelser}
    assert jämf[ORDINÄRT].jämförs_med == (ORDINÄRT, FÖREBYGGANDE) and jämf[ORDINÄRT].ändrad
    assert jämf[FÖREBYGGANDE].jämförs_med == () and jämf[FÖREBYGGANDE].fg_helår == 0


def test_flytt_skapar_budget_0_och_för_över_koder(socialnämnden, admin, vo):
    förebyggande, ordinärt = vo(FÖREBYGGANDE), vo(ORDINÄRT)
    Budgetpost.objects.filter(verksamhetsområde=förebyggande, år=2024).delete()
    Verksamhetsområde.objects.filter(pk=förebyggande.pk).update(
        till_år=None, ansvarskoder="7410, 7411", verksamhetskoder="5*"
    )
    Verksamhetsområde.objects.filter(pk=ordinärt.pk).update(ansvarskoder="7420, 7410")

    öppna_nytt_år(admin, socialnämnden, 2023, {förebyggande.id: (FLYTTA, ordinärt.id)})

    budget = Budgetpost.objects.get(verksamhetsområde=förebyggande, år=2024)
    assert (budget.slag, budget.belopp) == ("kf", 0)
    assert budget.history.get().history_user == admin
    ordinärt.refresh_from_db()
    förebyggande.refresh_from_db()
    assert ordinärt.ansvarskoder == "7420, 7410, 7411" and ordinärt.verksamhetskoder == "5*"
    # The moved area keeps its codes: rows of its last year may still be imported.
    assert förebyggande.ansvarskoder == "7410, 7411"
    assert förebyggande.history.latest().history_change_reason == "Öppna nytt år 2024"
    assert förebyggande.history.latest().history_user == admin


def test_öppna_nytt_år_två_gånger_ger_samma_resultat(socialnämnden, admin, vo):
    förebyggande, ordinärt = vo(FÖREBYGGANDE), vo(ORDINÄRT)
    for _ in range(2):
        öppna_nytt_år(admin, socialnämnden, 2023, {förebyggande.id: Åtgärd(FLYTTA, ordinärt.id)})
    assert Budgetpost.objects.filter(verksamhetsområde=förebyggande, år=2024, slag="kf").count() == 1
    assert ordinärt.föregångare.count() == 2


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Verksamhetsområde.föregångare is not year-bound: linking an area that already existed in från_år also "
        "changes the 'föregående år' columns of från_år's own reports. Needs a year on the link (model change) or a "
        "rule in ekonomi.selectors._jämförelseområden; see docs/nytt-ar.md, 'Känd brist'."
    ),
)
def test_att_öppna_2024_ändrar_inte_2023_års_rapporter(socialnämnden, admin, vo):
    före = per_namn(ekonomiunderlag(admin, [socialnämnden], 2023, 8))
    öppna_nytt_år(admin, socialnämnden, 2023, {vo(FÖREBYGGANDE).id: Åtgärd(FLYTTA, vo(ORDINÄRT).id)})
    efter = per_namn(ekonomiunderlag(admin, [socialnämnden], 2023, 8))
    assert efter[FÖREBYGGANDE].utfall_period_fg == före[FÖREBYGGANDE].utfall_period_fg
    assert efter[ORDINÄRT].utfall_period_fg == före[ORDINÄRT].utfall_period_fg


# --- other changes ------------------------------------------------------------------------------------------------


def test_sammanslagning_till_nytt_område(socialnämnden, admin, vo):
    öppen, institution = vo("Ifo öppenvård och stöd"), vo("Ifo vård och stöd institution/annat boende")
    block = öppen.förälder
    öppna_nytt_år(
        admin,
        socialnämnden,
        2023,
        {öppen.id: Åtgärd(SLÅ_IHOP, "ny-1"), institution.id: Åtgärd(SLÅ_IHOP, "ny-1")},
        nya=[NyttOmråde("ny-1", "Ifo vård och stöd", förälder=block.id)],
    )
    ny = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn="Ifo vård och stöd")
    assert (ny.från_år, ny.till_år, ny.förälder) == (2024, None, block)
    assert set(ny.föregångare.all()) == {öppen, institution}  # a new area has no history of its own
    öppen.refresh_from_db()
    assert öppen.till_år == 2023
    u = per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 8))
    assert "Ifo öppenvård och stöd" not in u
    assert u["Ifo vård och stöd"].utfall_helår_fg == utfall(öppen, 2023) + utfall(institution, 2023)
    # The 2023 reports are untouched: the new area does not exist then.
    u23 = per_namn(ekonomiunderlag(admin, [socialnämnden], 2023, 8))
    assert u23["Ifo öppenvård och stöd"].utfall_period_fg == utfall(öppen, 2022, 8)


def test_delning_med_huvudsaklig_efterträdare(socialnämnden, admin, vo):
    """A split: the old area's figures follow the main successor; the other new part starts without."""
    lss = vo("Insatser LSS i ordinärt boende")
    öppna_nytt_år(
        admin,
        socialnämnden,
        2023,
        {lss.id: Åtgärd(SLÅ_IHOP, "ny-1")},
        nya=[
            NyttOmråde("ny-1", "Personlig assistans", förälder=lss.förälder_id),
            NyttOmråde("ny-2", "Daglig verksamhet LSS", förälder=lss.förälder_id),
        ],
    )
    u = per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 8))
    assert u["Personlig assistans"].utfall_helår_fg == utfall(lss, 2023)
    assert u["Daglig verksamhet LSS"].utfall_helår_fg == 0


def test_namnbyte_ger_nytt_område_med_föregångare(socialnämnden, admin, vo):
    färdtjänst = vo("Färdtjänst och riksfärdtjänst")
    Verksamhetsområde.objects.filter(pk=färdtjänst.pk).update(ansvarskoder="7600")
    öppna_nytt_år(admin, socialnämnden, 2023, {färdtjänst.id: Åtgärd(BYT_NAMN, namn="Färdtjänst")})
    ny = Verksamhetsområde.objects.get(nämnd=socialnämnden, namn="Färdtjänst")
    assert (ny.från_år, ny.ordning, ny.ansvarskoder) == (2024, färdtjänst.ordning, "7600")
    assert list(ny.föregångare.all()) == [färdtjänst]
    u = per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 8))
    assert "Färdtjänst och riksfärdtjänst" not in u
    assert u["Färdtjänst"].utfall_period_fg == utfall(färdtjänst, 2023, 8)
    assert "Färdtjänst och riksfärdtjänst" in per_namn(ekonomiunderlag(admin, [socialnämnden], 2023, 8))


def test_avsluta_och_behåll(socialnämnden, admin, vo):
    flykting, arbetsmarknad = vo("Flyktingmottagande"), vo("Arbetsmarknadsåtgärder")
    Verksamhetsområde.objects.filter(pk=arbetsmarknad.pk).update(till_år=2023)  # planned to end
    öppna_nytt_år(admin, socialnämnden, 2023, {flykting.id: AVSLUTA})
    flykting.refresh_from_db()
    arbetsmarknad.refresh_from_db()
    assert flykting.till_år == 2023 and arbetsmarknad.till_år is None
    namn = set(per_namn(ekonomiunderlag(admin, [socialnämnden], 2024, 8)))
    assert "Flyktingmottagande" not in namn and "Arbetsmarknadsåtgärder" in namn


def test_mål_som_slutar_förlängs(socialnämnden, admin):
    mål = list(Mål.objects.filter(nämnd=socialnämnden).order_by("id"))
    Mål.objects.filter(pk__in=[m.pk for m in mål]).update(till_år=2023)
    resultat = öppna_nytt_år(admin, socialnämnden, 2023, {}, förläng_mål=[mål[0].pk, mål[1].pk])
    assert dict(Mål.objects.filter(nämnd=socialnämnden).values_list("pk", "till_år")) == {
        mål[0].pk: 2024,
        mål[1].pk: 2024,
        mål[2].pk: 2023,
    }
    assert resultat.förlängda_mål == [mål[0].namn, mål[1].namn]
    # Indikatorer stay with their mål.
    assert mål[0].indikatorer.count() == Mål.objects.get(pk=mål[0].pk).indikatorer.count()
    öppna_nytt_år(admin, socialnämnden, 2023, {})  # None = all that end in från_år
    assert Mål.objects.get(pk=mål[2].pk).till_år == 2024


# --- refusals -----------------------------------------------------------------------------------------------------


def fel(socialnämnden, admin, mappning, **kw) -> list[str]:
    with pytest.raises(ValidationError) as e:
        öppna_nytt_år(admin, socialnämnden, 2023, mappning, **kw)
    return e.value.messages


def test_ogiltiga_mappningar_vägras_med_tydliga_meddelanden(socialnämnden, admin, vo):
    förebyggande, ordinärt, flykting = vo(FÖREBYGGANDE), vo(ORDINÄRT), vo("Flyktingmottagande")
    block = ordinärt.förälder
    assert fel(socialnämnden, admin, {förebyggande.id: Åtgärd(FLYTTA)}) == [
        f"{FÖREBYGGANDE}: välj vilket verksamhetsområde det ska flyttas till."
    ]
    assert fel(socialnämnden, admin, {förebyggande.id: (FLYTTA, ordinärt.id), ordinärt.id: AVSLUTA}) == [
        f"{FÖREBYGGANDE}: {ORDINÄRT} finns inte kvar 2024 (avsluta)."
    ]
    assert fel(socialnämnden, admin, {flykting.id: (SLÅ_IHOP, block.id)}) == [
        f"Flyktingmottagande: {block.namn} är ett block; välj en verksamhet eller enhet."
    ]
    meddelanden = fel(socialnämnden, admin, {block.id: AVSLUTA})
    assert len(meddelanden) == 4 and all(
        f"men {block.namn}, som det ligger under, gör det inte" in m for m in meddelanden
    )
    assert fel(socialnämnden, admin, {flykting.id: (BYT_NAMN, None, "")}) == [
        "Flyktingmottagande: ange det nya namnet."
    ]
    assert fel(socialnämnden, admin, {10**9: AVSLUTA}) == [
        f"Verksamhetsområde {10**9} finns inte i Socialnämnden 2023."
    ]
    assert fel(socialnämnden, admin, {flykting.id: (SLÅ_IHOP, flykting.id)}) == [
        "Flyktingmottagande: kan inte flyttas till eller slås ihop med sig självt."
    ]
    # Nothing was written by any refused call.
    förebyggande.refresh_from_db()
    assert förebyggande.till_år == 2024 and not ordinärt.föregångare.exists()


def test_stängd_period_nästa_år_och_fel_roll_vägras(socialnämnden, admin, vo):
    controller = skapa_användare("controller-knivsta", socialnämnden.kommun, "controller")
    controller.behörigheter.get().nämnder.set([socialnämnden])
    with pytest.raises(PermissionDenied):
        öppna_nytt_år(controller, socialnämnden, 2023, {})
    stäng(admin, socialnämnden.kommun, 2024, [1])
    with pytest.raises(ValidationError, match="2024-01 är stängd"):
        öppna_nytt_år(admin, socialnämnden, 2023, {})


def test_förhandsgranskning_sparar_inget(socialnämnden, admin, vo):
    förebyggande, ordinärt = vo(FÖREBYGGANDE), vo(ORDINÄRT)
    resultat = förhandsgranska(
        admin, socialnämnden, 2023, {förebyggande.id: (FLYTTA, ordinärt.id)}, nya=[NyttOmråde("ny-1", "Mottagning")]
    )
    assert resultat.förhandsgranskning
    assert {j.namn: j.fg_helår for j in resultat.jämförelser}[ORDINÄRT] == utfall(ordinärt, 2023) + utfall(
        förebyggande, 2023
    )
    assert not ordinärt.föregångare.exists()
    assert not Verksamhetsområde.objects.filter(namn="Mottagning").exists()


# --- the page -----------------------------------------------------------------------------------------------------


def sidan(nämnd, år=2023):
    return reverse("nytt-år", args=[nämnd.id, år])


def formdata(client, url) -> dict:
    s = BeautifulSoup(client.get(url).content, "html.parser")
    data = {}
    for f in s.find("table", id="omraden").find_parent("form").find_all(["input", "select"]):
        if f.get("type") == "checkbox":
            if f.has_attr("checked"):
                data[f["name"]] = "on"
        elif f.name == "select":
            vald = f.find("option", selected=True) or f.find("option")
            data[f["name"]] = vald["value"] if vald else ""
        elif f.get("name"):
            data[f["name"]] = f.get("value", "")
    return data


def test_sidan_förhandsgranskar_och_bekräftar(client, socialnämnden, admin, vo):
    förebyggande, ordinärt = vo(FÖREBYGGANDE), vo(ORDINÄRT)
    client.force_login(admin)
    url = sidan(socialnämnden)
    r = client.get(url)
    assert r.status_code == 200 and "Öppna 2024 för Socialnämnden" in r.content.decode()
    data = formdata(client, url)
    assert data[f"atgard_{förebyggande.id}"] == "behåll"
    data.update(
        {f"atgard_{förebyggande.id}": FLYTTA, f"till_{förebyggande.id}": str(ordinärt.id), "forhandsgranska": ""}
    )

    r = client.post(url, data)
    s = BeautifulSoup(r.content, "html.parser")
    assert "Förhandsgranskning (inget är sparat ännu)" in s.get_text()
    jämf = {
        tr.th.get_text(" ", strip=True): tr.find_all("td")[0].get_text(strip=True)
        for tr in s.find("table", id="jamforelser").tbody.find_all("tr")
    }
    assert jämf[f"{ORDINÄRT} ändrad"] == f"{ORDINÄRT} + {FÖREBYGGANDE}"
    assert not ordinärt.föregångare.exists()

    granskad = s.find("input", attrs={"name": "granskad"})["value"]
    assert granskad
    # Confirming something else than what was previewed only previews again.
    ändrat = {**data, "granskad": granskad, "bekrafta": "", f"atgard_{vo('Flyktingmottagande').id}": AVSLUTA}
    ändrat.pop("forhandsgranska")
    r = client.post(url, ändrat)
    assert r.status_code == 200 and "Valen har ändrats sedan förhandsgranskningen" in r.content.decode()
    assert not ordinärt.föregångare.exists()

    bekräfta = {**data, "granskad": granskad, "bekrafta": ""}
    bekräfta.pop("forhandsgranska")
    r = client.post(url, bekräfta)
    assert r.status_code == 302 and r["Location"] == reverse("dashboard", args=[socialnämnden.id, 2024])
    assert set(ordinärt.föregångare.all()) == {ordinärt, förebyggande}


def test_sidan_visar_fel_och_sparar_inget(client, socialnämnden, admin, vo):
    client.force_login(admin)
    url = sidan(socialnämnden)
    data = formdata(client, url)
    data.update({f"atgard_{vo(FÖREBYGGANDE).id}": FLYTTA, "forhandsgranska": ""})
    r = client.post(url, data)
    assert "välj vilket verksamhetsområde det ska flyttas till" in r.content.decode()
    assert "Förhandsgranskning" not in r.content.decode()


def test_sidan_kräver_admin_och_egen_kommun(client, socialnämnden, läsare, annan_kommun):
    controller = skapa_användare("controller-knivsta", socialnämnden.kommun, "controller")
    controller.behörigheter.get().nämnder.set([socialnämnden])
    for user, status in ((läsare, 403), (controller, 403), (skapa_användare("admin-taby", annan_kommun, "admin"), 404)):
        client.force_login(user)
        assert client.get(sidan(socialnämnden)).status_code == status
        assert client.post(sidan(socialnämnden), {"bekrafta": ""}).status_code == status
    assert not Period.objects.exists()


def test_adminåtgärden_leder_till_sidan(client, socialnämnden, admin):
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    admin.is_staff = True
    admin.save()
    admin.user_permissions.set(Permission.objects.filter(codename__in=["view_nämnd", "change_nämnd"]))
    client.force_login(admin)
    r = client.post(
        reverse("admin:nämnd_nämnd_changelist"), {"action": "öppna_nytt_år", "_selected_action": [socialnämnden.id]}
    )
    assert r.status_code == 302
    assert r["Location"] == reverse("nytt-år", args=[socialnämnden.id, timezone.localdate().year])

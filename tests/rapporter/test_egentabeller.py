"""A kommun's own tables (issue 14, item 6): the definition form on the layout page, the entry page of the rows
(Swedish numbers and ISO dates, status from the column's list, ansvarig a user of the kommun), the edit guard, the
section kind ``egentabell`` in the report's HTML and Excel, the status follow-up on the status page and isolation
between kommuner. On an invented kommun of another shape than the demo (tests.factories.annan_form_kommun)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from nämnd.models import Period, Rapportlås
from rapporter import egentabeller as et
from rapporter.models import Egenkolumn, Egenrad, Egentabell, Layoutsektion, Rapportlayout
from tests.factories import ÅR, admin, annan_form_kommun, controller, liten_kommun

pytestmark = pytest.mark.django_db


@pytest.fixture
def värld():
    b = annan_form_kommun()
    a = admin(b.kommun, "admin-ekeby")
    a.first_name, a.last_name = "Åsa", "Ek"
    a.save()
    return b, a


def skapa(client, kommun, förval: str, namn: str = "") -> Egentabell:
    r = client.post(reverse("egentabeller", args=[kommun.id]), {"förval": förval, "namn": namn})
    assert r.status_code == 302, r.content.decode()[:2000]
    return Egentabell.objects.get(kommun=kommun, namn=namn or et.FÖRVAL[förval].namn)


def definitionsdata(tabell: Egentabell) -> dict:
    data = {"namn": tabell.namn, "beskrivning": tabell.beskrivning, "kolumn": []}
    for i, k in enumerate(tabell.kolumner.all()):
        data["kolumn"].append(f"k{i}")
        data |= {f"k{i}-id": k.pk, f"k{i}-namn": k.namn, f"k{i}-typ": k.typ, f"k{i}-statusval": "\n".join(k.statusval)}
    return data


def radurl(nämnd, tabell, år=ÅR) -> str:
    return reverse("egentabell-rader", args=[nämnd.id, år, tabell.id])


def postdata(client, url: str, rader: list[dict[str, str]]) -> dict:
    """The page's hidden fields and ``rader`` typed into its rows (by column name) in order."""
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    form = soup.find("form", id="egenrader")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    rubriker = [th.get_text() for th in soup.find("table", id="egentabell-rader").find("thead").find_all("th")][1:-1]
    tabell = Egentabell.objects.get(pk=int(url.rstrip("/").rsplit("/", 1)[1]))
    id_per_namn = {k.namn: k.pk for k in tabell.kolumner.all()}
    assert len(rader) <= int(data["antal"])
    for i, rad in enumerate(rader):
        for namn, värde in rad.items():
            assert namn in rubriker
            data[f"r{i}-k{id_per_namn[namn]}"] = värde
    return data


# --- the definition ---------------------------------------------------------------------------------------------


def test_förvalen_ger_sina_kolumner_och_admin_kan_byta_namn_ordning_typ_och_statusvärden(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    assert [(k.namn, k.typ) for k in ik.kolumner.all()] == [
        ("Process/rutin", "text"),
        ("Risk", "text"),
        ("Kontrollmoment", "text"),
        ("Ansvarig", "ansvarig"),
        ("Frekvens", "text"),
        ("Resultat", "text"),
        ("Åtgärd", "text"),
        ("Status", "status"),
    ]
    assert ik.kolumner.get(namn="Status").statusval == ["Ej påbörjad", "Pågår", "Klar"]
    attest = skapa(client, b.kommun, "attestforteckning")
    assert {k.typ for k in attest.kolumner.all()} == {"text", "ansvarig", "tal", "datum"}
    skapa(client, b.kommun, "privata_utforare", "Privata utförare")

    url = reverse("egentabell", args=[b.kommun.id, ik.id])
    data = definitionsdata(ik)
    # Add a column (the button posts the whole draft; nothing is saved yet).
    r = client.post(url, {**data, "åtgärd": "ny"})
    assert r.status_code == 200 and ik.kolumner.count() == 8
    soup = BeautifulSoup(r.content, "html.parser")
    assert soup.find("input", {"name": "k8-namn"}) is not None
    # Move "Risk" up, rename it, make a new number column, change the status values; then save.
    data = {**data, "kolumn": ["k1", "k0", *data["kolumn"][2:], "k8"], "k1-namn": "Riskbedömning"}
    data |= {"k8-id": "", "k8-namn": "Kostnad (kr)", "k8-typ": "tal", "k8-statusval": ""}
    data["k7-statusval"] = "Ej påbörjad\nPågår\nKlar\n"
    r = client.post(url, {**data, "namn": "Internkontroll", "åtgärd": "spara"})
    assert r.status_code == 302
    ik.refresh_from_db()
    assert ik.namn == "Internkontroll"
    assert [k.namn for k in ik.kolumner.all()][:2] == ["Riskbedömning", "Process/rutin"]
    assert ik.kolumner.last().namn == "Kostnad (kr)" and ik.kolumner.last().typ == "tal"
    assert ik.history.count() >= 2 and Egenkolumn.history.filter(namn="Riskbedömning").exists()


@pytest.mark.parametrize(
    ("ändring", "fel"),
    [
        ({"k7-statusval": "  \n"}, "Kolumn 8 (Status): en statuskolumn behöver minst ett värde (ett per rad)."),
        ({"k7-statusval": "Klar\nklar"}, "Kolumn 8 (Status): samma statusvärde står två gånger."),
        ({"k1-namn": "process/rutin"}, "Kolumn 2 (process/rutin): det finns redan en kolumn med det namnet."),
        ({"k2-namn": ""}, "Kolumn 3: ange ett namn."),
        ({"k3-typ": "json"}, "Kolumn 4 (Ansvarig): välj en typ."),
        ({"namn": ""}, "Ange tabellens namn."),
        ({"kolumn": []}, "En tabell behöver minst en kolumn."),
    ],
)
def test_ogiltig_definition_ger_svenska_fel_och_sparar_inget(client, värld, ändring, fel):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    före = [(k.namn, k.typ, k.statusval) for k in ik.kolumner.all()]
    r = client.post(reverse("egentabell", args=[b.kommun.id, ik.id]), {**definitionsdata(ik), **ändring})
    assert r.status_code == 400
    assert fel in r.content.decode()
    assert [(k.namn, k.typ, k.statusval) for k in ik.kolumner.all()] == före


def test_typ_och_statusvärde_i_bruk_kan_inte_ändras(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    status = ik.kolumner.get(namn="Status")
    risk = ik.kolumner.get(namn="Risk")
    Egenrad.objects.create(tabell=ik, nämnd=b.nämnd, år=ÅR, värden={str(status.pk): "Pågår", str(risk.pk): "Hög"})
    data = definitionsdata(ik) | {"k1-typ": "tal", "k7-statusval": "Ej påbörjad\nKlar"}
    r = client.post(reverse("egentabell", args=[b.kommun.id, ik.id]), data)
    assert r.status_code == 400
    text = r.content.decode()
    assert "Kolumn 2 (Risk): typen kan inte ändras när rader har värden i kolumnen" in text
    assert "Kolumn 8 (Status): statusvärdet ”Pågår” används i rader och kan inte tas bort." in text
    assert ik.kolumner.get(namn="Risk").typ == "text"


def test_bara_kommunens_admin_ändrar_definitionen_och_annan_kommun_får_404(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    client.force_login(controller(b.kommun, "controller-ekeby", nämnder=[b.nämnd]))
    assert client.get(reverse("egentabeller", args=[b.kommun.id])).status_code == 403
    lillby = liten_kommun()
    admin_b = admin(lillby.kommun, "admin-lillby")
    client.force_login(admin_b)
    assert client.get(reverse("egentabeller", args=[b.kommun.id])).status_code == 404
    assert client.get(reverse("egentabell", args=[b.kommun.id, ik.id])).status_code == 404
    assert client.get(reverse("egentabell", args=[lillby.kommun.id, ik.id])).status_code == 404
    r = client.post(reverse("egentabell", args=[lillby.kommun.id, ik.id]), definitionsdata(ik) | {"namn": "Stulen"})
    assert r.status_code == 404
    # Kommun B's entry page cannot show or write A's table through its own nämnd.
    url = radurl(lillby.nämnd, ik)
    assert client.get(url).status_code == 404
    assert client.post(url, {"antal": "1", "laddat": "", "r0-id": ""}).status_code == 404
    ik.refresh_from_db()
    assert ik.namn == "Internkontrollplan" and not Egenrad.objects.exists()


# --- the rows ---------------------------------------------------------------------------------------------------


def test_rader_matas_in_med_svenska_tal_datum_status_och_ansvarig(client, värld):
    b, a = värld
    client.force_login(a)
    attest = skapa(client, b.kommun, "attestforteckning")
    ik = skapa(client, b.kommun, "internkontrollplan")
    n = b.nämnder["Omsorgsnämnden"]
    url = radurl(n, attest)
    data = postdata(
        client,
        url,
        [
            {
                "Ansvar/verksamhet": "Hemtjänst",
                "Ansvarskod": "61",
                "Beslutsattestant": str(a.pk),
                "Beloppsgräns (kr)": "1 234 567,5",
                "Gäller från": "2025-01-01",
                "Gäller till": " 2025-12-31 ",
            },
            {"Ansvar/verksamhet": "Särskilt boende", "Beloppsgräns (kr)": "−500"},
        ],
    )
    r = client.post(url, data)
    assert r.status_code == 302
    kol = {k.namn: str(k.pk) for k in attest.kolumner.all()}
    rader = list(Egenrad.objects.filter(tabell=attest, nämnd=n, år=ÅR).order_by("ordning"))
    assert [r.värden for r in rader] == [
        {
            kol["Ansvar/verksamhet"]: "Hemtjänst",
            kol["Ansvarskod"]: "61",
            kol["Beslutsattestant"]: str(a.pk),
            kol["Beloppsgräns (kr)"]: "1234567.5",
            kol["Gäller från"]: "2025-01-01",
            kol["Gäller till"]: "2025-12-31",
        },
        {kol["Ansvar/verksamhet"]: "Särskilt boende", kol["Beloppsgräns (kr)"]: "-500"},
    ]
    assert [r.ordning for r in rader] == [1, 2]
    assert rader[0].history.count() == 1
    # The page shows them back (a decimal comma, the user chosen), with empty rows to add more.
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    assert soup.find("input", {"name": f"r0-k{kol['Beloppsgräns (kr)']}"})["value"] == "1234567,5"
    vald = soup.find("select", {"name": f"r0-k{kol['Beslutsattestant']}"}).find("option", selected=True)
    assert vald.get_text() == "Åsa Ek"

    # Remove the second row, change the first: one changed, one removed.
    data = postdata(client, url, [{"Ansvarskod": "6110"}])
    data["r1-bort"] = "1"
    assert client.post(url, data).status_code == 302
    rader = list(Egenrad.objects.filter(tabell=attest, nämnd=n, år=ÅR))
    assert len(rader) == 1 and rader[0].värden[kol["Ansvarskod"]] == "6110"
    assert Egenrad.history.filter(history_type="-", tabell_id=attest.id).count() == 1

    # Status by its list, ansvarig by name in the service.
    ikol = {k.namn: k for k in ik.kolumner.all()}
    sparat = et.spara_rader(
        a, n, ik, ÅR, [et.Radutkast(None, {ikol["Risk"].pk: "Hög", ikol["Status"].pk: "pågår"})], et.avtryck([])
    )
    assert sparat.skapade == 1
    assert Egenrad.objects.get(tabell=ik).värden[str(ikol["Status"].pk)] == "Pågår"


@pytest.mark.parametrize(
    ("kolumn", "värde", "fel"),
    [
        ("Beloppsgräns (kr)", "12,3,4", "Rad 1, Beloppsgräns (kr): ”12,3,4” är inte ett tal."),
        ("Gäller från", "31/8 2025", "Rad 1, Gäller från: ”31/8 2025” är inget datum; skriv som 2024-08-31."),
        ("Gäller till", "2025-02-30", "Rad 1, Gäller till: ”2025-02-30” är inget datum; skriv som 2024-08-31."),
        ("Beslutsattestant", "999999", "Rad 1, Beslutsattestant: ”999999” är ingen användare i kommunen."),
    ],
)
def test_ogiltiga_värden_ger_svenska_fel_och_inget_sparas(client, värld, kolumn, värde, fel):
    b, a = värld
    client.force_login(a)
    attest = skapa(client, b.kommun, "attestforteckning")
    url = radurl(b.nämnd, attest)
    data = postdata(client, url, [{"Ansvar/verksamhet": "Hemtjänst"}, {"Ansvarskod": "62", kolumn: värde}][::-1])
    r = client.post(url, data)
    assert r.status_code == 400
    assert fel in r.content.decode()
    assert not Egenrad.objects.exists()


def test_användare_i_annan_kommun_är_ingen_ansvarig(värld):
    b, a = värld
    lillby = liten_kommun()
    främling = admin(lillby.kommun, "admin-lillby")
    ik = et.spara_definition(a, b.kommun, None, "IK", "", et.kolumnutkast_från_förval("internkontrollplan"))
    ansvarig = ik.kolumner.get(namn="Ansvarig")
    with pytest.raises(Exception, match="ingen användare i kommunen"):
        et.spara_rader(a, b.nämnd, ik, ÅR, [et.Radutkast(None, {ansvarig.pk: str(främling.pk)})], et.avtryck([]))


def test_samtidig_ändring_ger_fel_och_inget_sparas(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    url = radurl(b.nämnd, ik)
    min_sida = postdata(client, url, [{"Risk": "Min risk"}])
    annans = postdata(client, url, [{"Risk": "Annans risk"}])
    assert client.post(url, annans).status_code == 302
    r = client.post(url, min_sida)
    assert r.status_code == 400
    assert "Tabellen har ändrats av någon annan sedan du öppnade sidan. Inget sparades." in r.content.decode()
    assert [list(r.värden.values()) for r in Egenrad.objects.all()] == [["Annans risk"]]


def test_fastställd_rapport_låser_årets_rader(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    n = b.nämnder["Omsorgsnämnden"]
    url = radurl(n, ik)
    data = postdata(client, url, [{"Risk": "Före låset"}])
    assert client.post(url, data).status_code == 302
    Rapportlås.objects.create(
        nämnd=n,
        år=ÅR,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(ÅR, 9, 24),
        paragraf="§ 7",
        version=1,
    )
    sida = client.get(url).content.decode()
    assert "Låst:" in sida and "är fastställd" in sida and "Tabellen är låst." in sida
    data = postdata(client, url, [{"Risk": "Efter låset"}])
    r = client.post(url, data)
    assert r.status_code == 400 and "är fastställd" in r.content.decode()
    assert [list(r.värden.values()) for r in Egenrad.objects.all()] == [["Före låset"]]
    # Another year is open; removing the table is refused while the locked year has rows.
    assert (
        client.post(radurl(n, ik, ÅR + 1), postdata(client, radurl(n, ik, ÅR + 1), [{"Risk": "Nästa år"}])).status_code
        == 302
    )
    r = client.post(reverse("egentabell", args=[b.kommun.id, ik.id]), {**definitionsdata(ik), "åtgärd": "ta_bort"})
    assert r.status_code == 400 and Egentabell.objects.filter(pk=ik.pk).exists()


def test_stängt_december_låser_årets_rader(värld):
    b, a = värld
    ik = et.spara_definition(a, b.kommun, None, "IK", "", et.kolumnutkast_från_förval("internkontrollplan"))
    Period.objects.create(kommun=b.kommun, år=ÅR, månad=12, stängd=True)
    risk = ik.kolumner.get(namn="Risk")
    with pytest.raises(Exception, match="stängt"):
        et.spara_rader(a, b.nämnd, ik, ÅR, [et.Radutkast(None, {risk.pk: "x"})], et.avtryck([]))
    assert not Egenrad.objects.exists()


# --- the report section -----------------------------------------------------------------------------------------


def lägg_i_layout(kommun, tabell, rubrik: str = "Internkontroll") -> Layoutsektion:
    layout = Rapportlayout.objects.get(kommun=kommun, rapporttyp="delårsrapport", från_år=0)
    return Layoutsektion.objects.create(
        layout=layout, ordning=99, typ="egentabell", rubrik=rubrik, parametrar={"tabell": tabell.id}
    )


def test_avsnittet_visar_raderna_i_rapportens_html_och_excel(client, värld, django_assert_max_num_queries):
    b, a = värld
    client.force_login(a)
    attest = skapa(client, b.kommun, "attestforteckning")
    n = b.nämnder["Omsorgsnämnden"]
    kol = {k.namn: k.pk for k in attest.kolumner.all()}
    et.spara_rader(
        a,
        n,
        attest,
        ÅR,
        [
            et.Radutkast(
                None,
                {
                    kol["Ansvar/verksamhet"]: "Hemtjänst",
                    kol["Beslutsattestant"]: str(a.pk),
                    kol["Beloppsgräns (kr)"]: "1 500 000",
                    kol["Gäller från"]: "2025-01-01",
                },
            ),
            et.Radutkast(
                None, {kol["Ansvar/verksamhet"]: "Särskilt boende\nmed korttid", kol["Beloppsgräns (kr)"]: "250,5"}
            ),
        ],
        et.avtryck([]),
    )
    Egenrad.objects.create(tabell=attest, nämnd=n, år=ÅR - 1, värden={str(kol["Ansvarskod"]): "Fjolår"})
    s = lägg_i_layout(b.kommun, attest, "Attestförteckning")
    r = client.get(reverse("rapport", args=[n.id, ÅR, "delårsrapport"]))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content, "html.parser")
    nummer = 1 + list(s.layout.sektioner.order_by("ordning", "id")).index(s)
    tabell = soup.find("table", id=f"egen{nummer}")
    assert tabell is not None
    assert [th.get_text() for th in tabell.find("thead").find_all("th")] == [k.namn for k in attest.kolumner.all()]
    rader = [[td.get_text() for td in tr.find_all("td")] for tr in tabell.find("tbody").find_all("tr")]
    assert rader == [
        ["Hemtjänst", "", "Åsa Ek", "", "1\u00a0500\u00a0000", "2025-01-01", ""],
        ["Särskilt boendemed korttid", "", "", "", "250,5", "", ""],
    ]
    assert "Fjolår" not in r.content.decode()

    r = client.get(reverse("export-tabell", args=[n.id, ÅR, "delårsrapport", f"egen{nummer}"]))
    assert r.status_code == 200, r.content[:300]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert ws.title == "Attestförteckning" and wb.worksheets[-1].title == "Om tabellen"
    celler = [[c.value for c in rad] for rad in ws.iter_rows()]
    assert celler[0] == [k.namn for k in attest.kolumner.all()]
    assert celler[1] == ["Hemtjänst", None, "Åsa Ek", None, 1500000, "2025-01-01", None]
    assert celler[2][0] == "Särskilt boende\nmed korttid" and Decimal(str(celler[2][4])) == Decimal("250.5")

    # Every egentabell section of a report is read together: columns, rows and (an ansvarig column) the users —
    # a second table adds no query, and the report stays within its budget of 20.
    from rapporter.rapport import bygg_rapport

    with django_assert_max_num_queries(20) as en:
        bygg_rapport(a, n, ÅR, "delårsrapport")
    ik = et.spara_definition(a, b.kommun, None, "IK", "", et.kolumnutkast_från_förval("internkontrollplan"))
    Egenrad.objects.create(tabell=ik, nämnd=n, år=ÅR, värden={str(ik.kolumner.first().pk): "Rutin"})
    lägg_i_layout(b.kommun, ik, "IK")
    with django_assert_max_num_queries(20) as två:
        bygg_rapport(a, n, ÅR, "delårsrapport")
    assert len(två.captured_queries) == len(en.captured_queries)


def test_avsnittets_tabell_måste_vara_kommunens(värld):
    from rapporter import layouter

    b, a = värld
    lillby = liten_kommun()
    ik_b = et.spara_definition(
        admin(lillby.kommun, "admin-lillby"),
        lillby.kommun,
        None,
        "IK",
        "",
        et.kolumnutkast_från_förval("internkontrollplan"),
    )
    org = layouter.Organisation.för(b.kommun)
    s = {"typ": "egentabell", "rubrik": "Internkontroll", "parametrar": {"tabell": ik_b.id}}
    with pytest.raises(Exception, match="tabellen finns inte i kommunen"):
        layouter.validera([s], org)
    with pytest.raises(Exception, match="välj vilken av kommunens egna tabeller"):
        layouter.validera([{**s, "parametrar": {}}], org)
    egen = et.spara_definition(a, b.kommun, None, "IK", "", et.kolumnutkast_från_förval("internkontrollplan"))
    org = layouter.Organisation.för(b.kommun)
    assert layouter.validera([{**s, "parametrar": {"tabell": str(egen.id)}}], org)[0]["parametrar"] == {
        "tabell": egen.id
    }


def test_layoutsidan_har_fältet_för_tabellen(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    url = reverse("layout-avsnitt", args=[b.kommun.id, "delårsrapport"])
    r = client.get(url, {"typ": "egentabell", "nyckel": "n9"})
    assert r.status_code == 200, r.content[:500]
    soup = BeautifulSoup(r.content, "html.parser")
    val = soup.find("select", attrs={"name": lambda v: bool(v) and v.endswith("-tabell")})
    assert [(o["value"], o.get_text()) for o in val.find_all("option")] == [("", "Välj tabell"), (str(ik.id), ik.namn)]


# --- the status page --------------------------------------------------------------------------------------------


def test_statussidan_räknar_status_och_visar_rader_som_inte_är_klara(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    n = b.nämnder["Omsorgsnämnden"]
    kol = {k.namn: k.pk for k in ik.kolumner.all()}
    et.spara_rader(
        a,
        n,
        ik,
        ÅR,
        [
            et.Radutkast(None, {kol["Process/rutin"]: "Attest", kol["Status"]: "Klar"}),
            et.Radutkast(None, {kol["Process/rutin"]: "Delegation", kol["Status"]: "Pågår"}),
            et.Radutkast(None, {kol["Process/rutin"]: "Avtal", kol["Status"]: "Klar"}),
            et.Radutkast(None, {kol["Process/rutin"]: "Lex Sarah"}),
        ],
        et.avtryck([]),
    )
    r = client.get(reverse("dashboard", args=[n.id, ÅR]))
    assert r.status_code == 200
    soup = BeautifulSoup(r.content, "html.parser")
    status = soup.find("table", id=f"tabellstatus-{ik.id}")
    assert [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in status.find("tbody").find_all("tr")] == [
        ["Ej påbörjad", "0"],
        ["Pågår", "1"],
        ["Klar", "2"],
        ["Ingen status", "1"],
    ]
    ej = soup.find("table", id=f"ej-klara-{ik.id}")
    assert ej.find("caption").get_text() == "2 rader är inte klar"
    assert [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in ej.find("tbody").find_all("tr")] == [
        ["Delegation", "Pågår"],
        ["Lex Sarah", "Ingen status"],
    ]
    assert soup.find("a", href=radurl(n, ik)) is not None


# --- the Excel import -------------------------------------------------------------------------------------------


def xlsx(rader: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    for r in rader:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ladda_upp(client, nämnd, tabell, innehåll: bytes, år=ÅR):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("egentabell-import", args=[nämnd.id, tabell.id, år])
    return client.post(url, {"fil": SimpleUploadedFile("tabell.xlsx", innehåll)})


def test_import_från_excel_med_förhandsgranskning_och_bekräftelse(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    n = b.nämnder["Omsorgsnämnden"]
    kol = {k.namn: k.pk for k in ik.kolumner.all()}
    et.spara_rader(
        a, n, ik, ÅR, [et.Radutkast(None, {kol["Process/rutin"]: "Attest", kol["Risk"]: "Låg"})], et.avtryck([])
    )
    fil = xlsx(
        [
            ["Internkontrollplan 2025"],
            ["Process/rutin", "Risk", "Ansvarig", "Status", "Okänd kolumn"],
            ["Attest", "Hög", "Åsa Ek", "Pågår", "x"],
            ["Delegation", "Medel", None, "klar", None],
            [None, None, None, None, None],
        ]
    )
    r = ladda_upp(client, n, ik, fil)
    assert r.status_code == 302, r.content.decode()[:1000]
    granska = r["Location"]
    sida = BeautifulSoup(client.get(granska).content, "html.parser")
    rader = [
        [td.get_text() for td in tr.find_all(["td", "th"])] for tr in sida.find("table", id="andringar").tbody("tr")
    ]
    assert ["Ändrad", "Attest: Risk", "Låg", "Hög"] in rader
    assert ["Ändrad", "Attest: Ansvarig", "–", "Åsa Ek"] in rader
    assert ["Ny", "Delegation: Status", "–", "Klar"] in rader
    assert Egenrad.objects.count() == 1  # nothing saved before the confirm
    fingeravtryck = sida.find("input", {"name": "fingeravtryck"})["value"]
    r = client.post(granska, {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck})
    assert r.status_code == 302 and r["Location"] == radurl(n, ik)
    sparade = list(Egenrad.objects.filter(tabell=ik, nämnd=n, år=ÅR).order_by("ordning"))
    assert [s.värden for s in sparade] == [
        {
            str(kol["Process/rutin"]): "Attest",
            str(kol["Risk"]): "Hög",
            str(kol["Ansvarig"]): str(a.pk),
            str(kol["Status"]): "Pågår",
        },
        {str(kol["Process/rutin"]): "Delegation", str(kol["Risk"]): "Medel", str(kol["Status"]): "Klar"},
    ]
    assert Egenrad.history.filter(history_change_reason__startswith="Import").count() == 2

    # The same file again changes nothing; the template has the columns and the stored rows.
    r = ladda_upp(client, n, ik, fil)
    sida = BeautifulSoup(client.get(r["Location"]).content, "html.parser")
    assert sida.find("dd", id="antal-oforandrade").get_text() == "2"
    r = client.get(reverse("egentabell-mall", args=[n.id, ik.id, ÅR]))
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    celler = [[c.value for c in rad] for rad in ws.iter_rows()]
    assert celler[0] == [k.namn for k in ik.kolumner.all()]
    assert celler[1][:4] == ["Attest", "Hög", None, "Åsa Ek"]


def test_import_med_fel_visar_rad_och_kolumn_och_sparar_inget(client, värld):
    b, a = värld
    client.force_login(a)
    attest = skapa(client, b.kommun, "attestforteckning")
    fil = xlsx(
        [
            ["Ansvar/verksamhet", "Beloppsgräns (kr)", "Gäller från"],
            ["Hemtjänst", "12 000", dt.date(2025, 1, 1)],
            ["Boende", "tolv", "2025-13-01"],
            ["Hemtjänst", 5, None],
        ]
    )
    r = ladda_upp(client, b.nämnd, attest, fil)
    sida = BeautifulSoup(client.get(r["Location"]).content, "html.parser")
    fel = [[td.get_text() for td in tr.find_all("td")] for tr in sida.find("table", id="fel").tbody.find_all("tr")]
    assert ["Sheet", "3", "B (Beloppsgräns (kr))", "”tolv” är inte ett tal."] in fel
    assert any(f[1] == "3" and "är inget datum; skriv som 2024-08-31." in f[3] for f in fel)
    assert any(f[1] == "4" and "”Hemtjänst” i kolumnen Ansvar/verksamhet står redan på rad 2." in f[3] for f in fel)
    assert sida.find("button", value="bekräfta") is None
    fingeravtryck = sida.find("input", {"name": "fingeravtryck"})["value"]
    r = client.post(r["Location"], {"åtgärd": "bekräfta", "fingeravtryck": fingeravtryck})
    assert r.status_code == 409 and not Egenrad.objects.exists()

    # A file without any of the table's columns.
    r = ladda_upp(client, b.nämnd, attest, xlsx([["Konto", "Belopp"], ["4010", 1]]))
    text = client.get(r["Location"]).content.decode()
    assert "Hittade ingen rubrikrad med någon av tabellens kolumner" in text


def test_import_i_låst_år_nekas_och_annan_kommun_får_404(client, värld):
    b, a = värld
    client.force_login(a)
    ik = skapa(client, b.kommun, "internkontrollplan")
    n = b.nämnder["Omsorgsnämnden"]
    Rapportlås.objects.create(
        nämnd=n,
        år=ÅR,
        rapporttyp="delårsrapport",
        slutmånad=8,
        fastställd_datum=dt.date(ÅR, 9, 24),
        paragraf="§ 7",
        version=1,
    )
    r = ladda_upp(client, n, ik, xlsx([["Process/rutin", "Risk"], ["Attest", "Hög"]]))
    sida = client.get(r["Location"]).content.decode()
    assert "är fastställd" in sida and "Bekräfta importen" not in sida
    assert not Egenrad.objects.exists()

    lillby = liten_kommun()
    client.force_login(admin(lillby.kommun, "admin-lillby"))
    assert ladda_upp(client, lillby.nämnd, ik, xlsx([["Risk"], ["x"]])).status_code == 404
    assert client.get(reverse("egentabell-mall", args=[n.id, ik.id, ÅR])).status_code == 404

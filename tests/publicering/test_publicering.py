"""Pre-publish checks, fastställande with archived PDF/A and versions, public pages, locking."""

import datetime as dt
import hashlib
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pikepdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ekonomi.models import Prognos
from nyckeltal.models import Måluppfyllelse, Nyckeltalsvärde
from nämnd.models import Rapportlås
from nämnd.vakt import Låst, Slag, Vakt, Ändring
from publicering import services
from publicering.models import Publiceringsinställning, Rapportärende
from rapporter import kontroller
from rapporter.models import Layoutsektion
from rapporter.rapport import bygg_rapport
from tests.conftest import skapa_användare

ROT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fastställare(knivsta, socialnämnden):
    user = skapa_användare("ordforande", knivsta, roll="controller", får_fastställa=True)
    user.behörigheter.get().nämnder.add(socialnämnden)
    return user


@pytest.fixture
def ärende(socialnämnden, fastställare):
    ä = services.ärende_för(socialnämnden, 2023, "delårsrapport")
    services.bocka_av(fastställare, ä, dict.fromkeys(services.inställning(socialnämnden.kommun).checklistpunkter, True))
    return ä


def bygg_rapport_sektioner(user, nämnd) -> list[tuple[str, str]]:
    return [(s.sektion, s.rubrik) for s in bygg_rapport(user, nämnd, 2023, "delårsrapport").sektioner]


def felkoder(fynd):
    return sorted(f.kod for f in fynd if f.nivå == kontroller.FEL)


def test_demorapporten_har_inga_fel(ärende, fastställare):
    fynd = services.granska(fastställare, ärende)
    assert felkoder(fynd) == []
    # Indicators without a value for the year are listed (warnings), with a link to fix them.
    saknas = [f for f in fynd if f.kod == "indikatorvärde_saknas"]
    assert len(saknas) == 7 and all(f.länk for f in saknas)


def test_fel_delsumma_saknad_kommentar_och_saknad_bedömning_ger_exakt_de_fynden(ärende, fastställare, socialnämnden):
    Prognos.objects.filter(verksamhetsområde__namn="LOV - hemtjänst och delegerad HSL", år=2023, månad=8).update(
        kommentar=""
    )
    Måluppfyllelse.objects.filter(mål__namn="Möta omvärldsförändringar").delete()
    rapport = bygg_rapport(fastställare, socialnämnden, 2023, "delårsrapport")
    t = drift_tabell(rapport, "drift")
    i = next(i for i, r in enumerate(t.rader) if r.namn == "Summa Individ och familjeomsorg")
    j = next(j for j, k in enumerate(t.kolumner) if k.mått == "utfall")
    t.värden[i][j] += 1000  # a subtotal that does not equal its rows
    fynd = kontroller.granska(rapport, services.inställning(socialnämnden.kommun).checklistpunkter, ärende.checklista)
    fel = [f for f in fynd if f.nivå == kontroller.FEL]
    # The wrong subtotal also makes the table total disagree with the subtotals: both are reported.
    assert felkoder(fynd) == ["bedömning_saknas", "delsumma", "delsumma", "kommentar_saknas"]
    texter = " | ".join(f.text for f in fel)
    assert "summa individ och familjeomsorg (nettokostnad jan–aug 2023)" in texter
    assert "LOV - hemtjänst och delegerad HSL" in texter and "Möta omvärldsförändringar" in texter
    kommentar = next(f for f in fel if f.kod == "kommentar_saknas")
    assert kommentar.länk.endswith(f"#vo-{rapport.delar[0].helår.rader[2].id}") or "#vo-" in kommentar.länk


def test_fel_tecken_upptäcks(fastställare, socialnämnden):
    rapport = bygg_rapport(fastställare, socialnämnden, 2023, "delårsrapport")
    t = drift_tabell(rapport, "drift")
    i = next(i for i, r in enumerate(t.rader) if r.namn == "Nämnd- och styrelseverksamhet")
    j = next(j for j, k in enumerate(t.kolumner) if k.mått == "avvikelse")
    t.värden[i][j] = -t.värden[i][j]  # the deviation printed with the wrong sign
    fynd = [f for f in kontroller.granska(rapport) if f.kod == "tecken"]
    assert len(fynd) == 1 and "Nämnd- och styrelseverksamhet" in fynd[0].text


def drift_tabell(rapport, id_):
    return next(t for s in rapport.sektioner for t in s.tabeller if t.id.startswith(f"{id_}-"))


def test_markera_klar_vägras_vid_fel_och_checklista_krävs(socialnämnden, fastställare):
    ä = services.ärende_för(socialnämnden, 2023, "delårsrapport")
    with pytest.raises(ValidationError, match="Checklistan"):
        services.markera_klar(fastställare, ä)
    ä.refresh_from_db()
    assert ä.status == Rapportärende.Status.UTKAST


def _fastställ(ärende, user, paragraf="§ 87"):
    services.markera_klar(user, ärende)
    return services.fastställ(user, ärende, dt.date(2023, 9, 20), paragraf)


def test_fastställd_pdf_är_byteidentisk_och_checksumman_stämmer(client, ärende, fastställare, socialnämnden):
    version = _fastställ(ärende, fastställare)
    client.force_login(fastställare)
    a = client.get(reverse("rapportversion-pdf", args=[version.pk]))
    b = client.get(reverse("rapportversion-pdf", args=[version.pk]))
    # The report's own PDF link serves the archived file too (it wins over the render cache).
    c = client.get(reverse("rapport-pdf", args=[socialnämnden.id, 2023, "delårsrapport"]))
    assert a.content == b.content == c.content == bytes(version.pdf)
    assert hashlib.sha256(a.content).hexdigest() == version.sha256 == a["X-Checksum-SHA256"]


def test_pdf_a_och_taggar(ärende, fastställare):
    pdf = pikepdf.open(io.BytesIO(bytes(_fastställ(ärende, fastställare).pdf)))
    with pdf.open_metadata() as xmp:
        assert xmp.get("pdfaid:part") == "3" and xmp.get("pdfaid:conformance") == "A"
        assert xmp.get("dc:title") == "Socialnämnden – Delårsrapport 2023"
    root = pdf.Root
    assert "/OutputIntents" in root and len(root.OutputIntents) >= 1
    assert root.MarkInfo.Marked is True and str(root.Lang) == "sv"
    assert "/Outlines" in root and int(root.Outlines.Count) != 0  # bookmarks from the headings
    taggar = set()

    def gå(e, djup=0):
        if djup > 80 or not isinstance(e, pikepdf.Dictionary):
            return
        if "/S" in e:
            taggar.add(str(e.S))
        k = e.get("/K")
        for barn in k if isinstance(k, pikepdf.Array) else [k]:
            gå(barn, djup + 1)

    gå(root.StructTreeRoot)
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Caption", "/Figure"} <= taggar
    fonter = [f for sida in pdf.pages for f in sida.Resources.Font.values()]
    assert fonter
    for f in fonter:
        beskrivning = f.get("/FontDescriptor") or f.DescendantFonts[0].FontDescriptor
        assert any(k in beskrivning for k in ("/FontFile", "/FontFile2", "/FontFile3")), f.BaseFont


def test_ändring_efter_fastställande_vägras_och_ny_version_behåller_den_gamla(
    client, ärende, fastställare, socialnämnden
):
    from ekonomi.models import Utfall
    from ekonomi.services import Gridrad, spara_månad

    v1 = _fastställ(ärende, fastställare)
    lås = Rapportlås.objects.get(nämnd=socialnämnden, år=2023, rapporttyp="delårsrapport")
    assert (lås.slutmånad, lås.paragraf, lås.version) == (8, v1.paragraf, 1)
    # The layout is snapshotted: removing sections afterwards does not change the adopted report.
    rubriker = [r for _, r in bygg_rapport_sektioner(fastställare, socialnämnden)]
    assert lås.layout and [s["rubrik"] for s in lås.layout] == rubriker
    sparade = list(
        Layoutsektion.objects.filter(layout__kommun=socialnämnden.kommun, layout__rapporttyp="delårsrapport")
    )
    Layoutsektion.objects.filter(id__in=[s.id for s in sparade[1:]]).delete()
    assert [r for _, r in bygg_rapport_sektioner(fastställare, socialnämnden)] == rubriker
    u = Utfall.objects.filter(verksamhetsområde__nämnd=socialnämnden, år=2023, månad=8).first()
    rad = Gridrad(u.verksamhetsområde_id, u.belopp + 1, None, "", utfall_före=u.belopp, utfall_version=u.version)
    with pytest.raises(Låst, match=r"Delårsrapport 2023 för .* är fastställd \(\d{4}-\d\d-\d\d, § \d+\)"):
        spara_månad(fastställare, socialnämnden, 2023, 8, [rad])
    with pytest.raises(Låst, match="öppna rapporten för rättelse"):
        Vakt.för(fastställare, socialnämnden, 2023).kräv([Ändring(Slag.TEXT, 2023, rapporttyp="delårsrapport")])
    with pytest.raises(ValidationError, match="skälet"):
        services.återöppna(fastställare, ärende, "  ")
    services.återöppna(fastställare, ärende, "Fel belopp för hemtjänsten i augusti")
    assert not Rapportlås.objects.filter(nämnd=socialnämnden, år=2023).exists()
    assert [r for _, r in bygg_rapport_sektioner(fastställare, socialnämnden)] == rubriker[:1]  # the current layout
    Layoutsektion.objects.bulk_create(sparade[1:])
    spara_månad(fastställare, socialnämnden, 2023, 8, [rad])  # open again
    v2 = _fastställ(ärende, fastställare, "§ 102")
    assert (v1.nummer, v2.nummer) == (1, 2) and v1.sha256 != v2.sha256
    v1.refresh_from_db()
    assert v1.återöppnad_orsak == "Fel belopp för hemtjänsten i augusti"
    client.force_login(fastställare)
    sida = client.get(reverse("rapportärende", args=[socialnämnden.id, 2023, "delårsrapport"])).content.decode()
    assert "2 (senaste)" in sida and "§ 102" in sida and "§ 87" in sida
    assert client.get(reverse("rapportversion-pdf", args=[v1.pk])).content == bytes(v1.pdf)


def test_bara_den_som_får_fastställa_kan_fastställa(ärende, socialnämnden, knivsta, fastställare):
    controller = skapa_användare("controller-utan", knivsta, roll="controller")
    controller.behörigheter.get().nämnder.add(socialnämnden)
    services.markera_klar(controller, ärende)
    with pytest.raises(PermissionDenied):
        services.fastställ(controller, ärende, dt.date(2023, 9, 20), "§ 1")


def test_publika_sidor_visar_bara_det_publicerade(client, ärende, fastställare, socialnämnden, läsare_annan):
    version = _fastställ(ärende, fastställare)
    index = reverse("publikt-index", args=["0330"])
    sida = reverse("publikt-rapport", args=["0330", version.pk])
    pdf = reverse("publikt-pdf", args=["0330", version.pk])
    assert client.get(index).status_code == 404  # the kommun has not turned publishing on
    Publiceringsinställning.objects.filter(kommun=socialnämnden.kommun).update(publicera=True)
    assert client.get(sida).status_code == 404  # fastställd but not published
    services.publicera(fastställare, ärende, True)
    for användare in (None, läsare_annan):
        if användare:
            client.force_login(användare)
        assert "Version 1" in client.get(index).content.decode()
        html = client.get(sida).content.decode()
        assert "219\u00a0654" in html and "Fastställd av socialnämnden 2023-09-20, § 87" in html
        assert client.get(pdf).content == bytes(version.pdf)
        # Nothing else is public: the internal report and the adoption page stay closed.
        r = client.get(reverse("rapport", args=[socialnämnden.id, 2023, "delårsrapport"]))
        assert r.status_code in (302, 404)
    client.logout()
    assert client.get(reverse("tillgänglighet")).status_code == 200
    services.publicera(fastställare, ärende, False)
    assert client.get(sida).status_code == 404


def test_små_antal_maskeras_i_publicerad_version(client_läsare, ärende, fastställare, socialnämnden):
    Publiceringsinställning.objects.update_or_create(kommun=socialnämnden.kommun, defaults={"maska_under": 5})
    Nyckeltalsvärde.objects.filter(
        nyckeltal__namn="Korttidsvistelse LSS, antal brukare totalt", år=2022, typ="utfall_helår"
    ).update(värde=Decimal(3))
    version = _fastställ(ärende, fastställare)
    assert "färre än 5, visas inte" in version.html and "Antal färre än 5 visas inte" in version.html
    intern = client_läsare.get(reverse("rapport", args=[socialnämnden.id, 2023, "delårsrapport"])).content.decode()
    assert "visas inte" not in intern


@pytest.mark.postgres
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils saknas")
def test_fastställd_pdf_som_bild(ärende, fastställare, tmp_path):
    """Render the adopted PDF/A to PNG; page 5 is kept for the README."""
    (tmp_path / "v.pdf").write_bytes(bytes(_fastställ(ärende, fastställare).pdf))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "v.pdf"), str(tmp_path / "s")], check=True)
    sidor = sorted(tmp_path.glob("s-*.png"))
    assert len(sidor) >= 5
    mål = ROT / "docs" / "bilder" / "delarsrapport-sida.png"
    mål.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(sidor[4], mål)

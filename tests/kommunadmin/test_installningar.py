"""The kommun settings page (kommunadmin.installningar): roles, saving, refused input, publication, the logo, and
dropdowns that name their kommun (admin and app forms). On invented kommuner (tests/factories.py)."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from PIL import Image

from importer.models import Importprofil
from kommunadmin import installningar
from nämnd import dataversion
from nämnd.admin_scoping import namnge_kommun
from nämnd.models import Kommun, Kommunlogotyp, Nämnd, Verksamhetsområde
from publicering.models import Publiceringsinställning
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def ekeby():
    return factories.annan_form_kommun(2023)  # mnkr, costs negative, Socialnämnden and Omsorgsnämnden


@pytest.fixture
def lillby():
    return factories.liten_kommun(2023)  # tkr, one "Socialnämnden"


def url(kommun) -> str:
    return reverse("kommun-installningar", args=[kommun.id])


def bild(format_: str = "PNG", storlek=(160, 60), **spara) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", storlek, (0, 90, 160)).save(buf, format=format_, **spara)
    return buf.getvalue()


def giltig_post(kommun, **ändrat) -> dict:
    data = {
        "beloppsenhet": kommun.beloppsenhet,
        "kostnader_negativa": "on" if kommun.kostnader_negativa else "",
        "avvikelsegräns_kr": str(kommun.avvikelsegräns_kr),
        "avvikelsegräns_procent": str(kommun.avvikelsegräns_procent),
        "maska_under": "",
        "kontaktuppgift": "",
        "checklista_delår": "Prognos redovisas",
    }
    data.update(ändrat)
    return {k: v for k, v in data.items() if v != ""}


# --- roles ------------------------------------------------------------------------------------------------------


def test_roller(client, ekeby, lillby):
    k = ekeby.kommun
    anon = client.get(url(k))
    assert anon.status_code == 302 and "/logga-in/" in anon["Location"]

    client.force_login(factories.admin(k))
    r = client.get(url(k))
    assert r.status_code == 200
    html = r.content.decode()
    assert "Inställningar för Ekeby kommun" in html
    assert 'value="mnkr"' in html and reverse("layout", args=[k.id, "delårsrapport"]) in html
    assert reverse("layout-tillfällen", args=[k.id]) in html
    assert client.get(url(lillby.kommun)).status_code == 404  # another kommun's admin

    client.force_login(factories.controller(k, nämnder=[ekeby.nämnder["Omsorgsnämnden"]]))
    assert client.get(url(k)).status_code == 403
    assert client.post(url(k), giltig_post(k, beloppsenhet="tkr")).status_code == 403
    client.force_login(factories.läsare(k))
    assert client.get(url(k)).status_code == 403
    k.refresh_from_db()
    assert k.beloppsenhet == "mnkr"

    su = get_user_model().objects.create_superuser("su", password="x")
    client.force_login(su)
    assert client.get(url(k)).status_code == 200 and client.get(url(lillby.kommun)).status_code == 200


def test_start_och_meny_länkar(client, ekeby, lillby):
    k = ekeby.kommun
    a = factories.admin(k)
    a.is_staff = True
    a.save()
    client.force_login(a)
    start = client.get(reverse("start")).content.decode()
    assert url(k) in start
    r = client.get(reverse("kommun-installningar-start"))
    assert r.status_code == 302 and r["Location"] == url(k)
    client.force_login(factories.controller(k))
    assert url(k) not in client.get(reverse("start")).content.decode()
    assert client.get(reverse("kommun-installningar-start")).status_code == 403


def test_tjänsten_kräver_admin(ekeby):
    with pytest.raises(PermissionDenied):
        installningar.spara_inställningar(factories.controller(ekeby.kommun), ekeby.kommun, {"beloppsenhet": "tkr"}, {})


# --- saving -----------------------------------------------------------------------------------------------------


def test_spara_giltigt(client, ekeby):
    k = ekeby.kommun
    client.force_login(admin := factories.admin(k))
    före = dataversion.version(k.id)
    r = client.post(
        url(k),
        giltig_post(
            k,
            beloppsenhet="tkr",
            kostnader_negativa="",
            avvikelsegräns_kr="250000",
            avvikelsegräns_procent="2.5",
            publicera="on",
            maska_under="5",
            kontaktuppgift="tillganglighet@ekeby.invalid",
        ),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    k.refresh_from_db()
    assert (k.beloppsenhet, k.kostnader_negativa) == ("tkr", False)
    assert k.avvikelsegräns_kr == Decimal(250000) and k.avvikelsegräns_procent == Decimal("2.5")
    pub = Publiceringsinställning.objects.get(kommun=k)
    assert pub.publicera and pub.maska_under == 5 and pub.kontaktuppgift == "tillganglighet@ekeby.invalid"
    assert dataversion.version(k.id) > före
    meddelanden = LogEntry.objects.filter(user=admin).values_list("change_message", flat=True)
    assert any("belopp visas i" in m for m in meddelanden) and any("publicera" in m for m in meddelanden)
    sida = client.get(url(k)).content.decode()
    assert "Inställningarna är sparade" in sida


@pytest.mark.parametrize(
    "ändrat, fel",
    [
        ({"avvikelsegräns_kr": "-1"}, "Avvikelsegränsen kan inte vara negativ."),
        ({"avvikelsegräns_procent": "150"}, "ska vara 0–100"),
        ({"avvikelsegräns_kr": "mycket"}, "Fyll i ett tal."),
        ({"beloppsenhet": "kkr"}, "Välj ett giltigt alternativ"),
        ({"maska_under": "-3"}, "0"),
    ],
)
def test_ogiltigt_sparar_inget(client, ekeby, ändrat, fel):
    k = ekeby.kommun
    client.force_login(factories.admin(k))
    före = dataversion.version(k.id)
    # A valid change of unit and a valid logo alongside the error: neither may be saved.
    data = giltig_post(k, **{"beloppsenhet": "tkr", "publicera": "on", **ändrat})
    data["logotyp"] = SimpleUploadedFile("logo.png", bild(), "image/png")
    r = client.post(url(k), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "Inget sparades" in html and fel in html
    k.refresh_from_db()
    assert k.beloppsenhet == "mnkr" and k.avvikelsegräns_kr == Decimal(500000)
    assert not Publiceringsinställning.objects.filter(kommun=k, publicera=True).exists()
    assert not Kommunlogotyp.objects.filter(kommun=k).exists()
    assert dataversion.version(k.id) == före


def gif_som_jpg() -> SimpleUploadedFile:
    return SimpleUploadedFile("logo.jpg", bild("GIF"), "image/jpeg")


@pytest.mark.parametrize(
    "fil, fel",
    [
        (
            lambda: SimpleUploadedFile("logo.png", b"inte en bild alls", "image/png"),
            "ingen läsbar PNG- eller JPEG-bild",
        ),
        (lambda: SimpleUploadedFile("logo.pdf", b"%PDF-1.4 text", "application/pdf"), "ingen läsbar"),
        (gif_som_jpg, "Filen är en GIF-bild"),
        (lambda: SimpleUploadedFile("logo.png", bild(storlek=(2400, 20)), "image/png"), "2400 × 20 px"),
        (
            lambda: SimpleUploadedFile("logo.png", bild("BMP", (600, 400)) + b"\0" * 10, "image/png"),
            "för stor",
        ),
    ],
)
def test_felaktig_logotyp(client, ekeby, fil, fel):
    k = ekeby.kommun
    client.force_login(factories.admin(k))
    data = giltig_post(k, avvikelsegräns_kr="1000")
    data["logotyp"] = fil()
    r = client.post(url(k), data)
    assert r.status_code == 400
    assert fel in r.content.decode()
    k.refresh_from_db()
    assert k.avvikelsegräns_kr == Decimal(500000)
    assert not Kommunlogotyp.objects.exists()


def test_bmp_är_för_stor_för_gränsen():
    # The oversized case above is over the byte limit (not refused for being a BMP first).
    assert len(bild("BMP", (600, 400))) > installningar.LOGOTYP_MAX_BYTE


# --- the logo ---------------------------------------------------------------------------------------------------


def test_logotyp_laddas_upp_visas_och_tas_bort(client, ekeby, lillby):
    k = ekeby.kommun
    client.force_login(factories.admin(k))
    exif = Image.Exif()
    exif[0x010E] = "Hemlig kamerainfo"  # ImageDescription
    jpeg = bild("JPEG", (1200, 400), exif=exif.tobytes())
    assert b"Hemlig kamerainfo" in jpeg
    data = giltig_post(k)
    data["logotyp"] = SimpleUploadedFile("ekeby.jpg", jpeg, "image/jpeg")
    före = dataversion.version(k.id)
    assert client.post(url(k), data).status_code == 302
    assert dataversion.version(k.id) > före  # cached report bodies with the old (no) logo are not reused

    logo = Kommunlogotyp.objects.get(kommun=k)
    png = bytes(logo.png)
    assert png.startswith(b"\x89PNG") and b"Hemlig" not in png
    with Image.open(io.BytesIO(png)) as b:
        assert b.format == "PNG" and b.size == (600, 200) == (logo.bredd, logo.höjd)

    r = client.get(reverse("kommun-logotyp", args=[k.id]))
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r.content == png
    assert reverse("kommun-logotyp", args=[k.id]) in client.get(url(k)).content.decode()  # preview

    client.force_login(factories.läsare(k))  # the kommun's users see it
    assert client.get(reverse("kommun-logotyp", args=[k.id])).status_code == 200
    client.force_login(factories.admin(lillby.kommun))  # another kommun's do not
    assert client.get(reverse("kommun-logotyp", args=[k.id])).status_code == 404
    assert client.get(reverse("kommun-logotyp", args=[lillby.kommun.id])).status_code == 404  # none

    k = Kommun.objects.get(pk=k.pk)
    uri = installningar.kommun_logotyp_data_uri(k)
    assert uri is not None and uri.startswith("data:image/png;base64,iVBOR")
    html = render_to_string("rapporter/delar/logotyp.html", {"kommun": k})
    assert '<img class="kommun-logotyp"' in html and 'alt="Ekeby kommun logotyp"' in html and uri in html
    assert render_to_string("rapporter/delar/logotyp.html", {"kommun": lillby.kommun}).strip() == ""

    client.force_login(factories.admin(k))
    data = giltig_post(k, ta_bort="on")
    före = dataversion.version(k.id)
    assert client.post(url(k), data).status_code == 302
    assert dataversion.version(k.id) > före
    assert not Kommunlogotyp.objects.filter(kommun=k).exists()
    assert installningar.kommun_logotyp_data_uri(Kommun.objects.get(pk=k.pk)) is None


# --- publication and presentation -------------------------------------------------------------------------------


def test_publicering_växlar_den_publika_sidan(client, ekeby):
    k = ekeby.kommun
    publik = reverse("publikt-index", args=[k.kommunkod])
    assert client.get(publik).status_code == 404
    client.force_login(factories.admin(k))
    assert client.post(url(k), giltig_post(k, publicera="on")).status_code == 302
    client.logout()
    r = client.get(publik)
    assert r.status_code == 200 and "Ekeby kommun" in r.content.decode()
    client.force_login(factories.admin(k, "admin2"))
    assert client.post(url(k), giltig_post(k)).status_code == 302  # unchecked = off
    client.logout()
    assert client.get(publik).status_code == 404


def _särskilt_boende(client, nämnd) -> list[str]:
    html = client.get(reverse("rapport", args=[nämnd.id, 2023, "delårsrapport"])).content.decode()
    i = html.index("Särskilt boende</th>")
    # A figure may be a drill-down link to its months.
    return re.findall(r'<td class="tal">(?:<a [^>]*>)?([^<]*)', html[i : html.index("</tr>", i)])


def test_beloppsenheten_syns_i_nästa_rapport(client, ekeby):
    k, omsorg = ekeby.kommun, ekeby.nämnder["Omsorgsnämnden"]
    client.force_login(factories.admin(k))
    # Särskilt boende: budget jan–aug 24 mnkr, utfall 28 mnkr (3,5 mnkr a month), costs shown negative.
    assert _särskilt_boende(client, omsorg)[1:5] == ["−24,0", "–", "−28,0", "−4,0"]
    assert client.post(url(k), giltig_post(k, beloppsenhet="tkr")).status_code == 302
    assert _särskilt_boende(client, omsorg)[1:5] == ["−24\xa0000", "–", "−28\xa0000", "−4\xa0000"]
    assert client.post(url(k), giltig_post(Kommun.objects.get(pk=k.pk), kostnader_negativa="")).status_code == 302
    assert _särskilt_boende(client, omsorg)[1] == "24\xa0000"


# --- import profiles --------------------------------------------------------------------------------------------


def test_importprofil_tas_bort(client, ekeby, lillby):
    k = ekeby.kommun
    egen = Importprofil.objects.create(kommun=k, namn="Ekonomisystemet Ekeby")
    annan = Importprofil.objects.create(kommun=lillby.kommun, namn="Lillbys system")
    client.force_login(factories.controller(k))
    ta_bort = reverse("kommun-importprofil-ta-bort", args=[k.id, egen.id])
    assert client.post(ta_bort).status_code == 403
    client.force_login(factories.admin(k))
    assert "Ekonomisystemet Ekeby" in client.get(url(k)).content.decode()
    assert client.get(ta_bort).status_code == 405
    assert client.post(reverse("kommun-importprofil-ta-bort", args=[k.id, annan.id])).status_code == 404
    assert client.post(reverse("kommun-importprofil-ta-bort", args=[lillby.kommun.id, annan.id])).status_code == 404
    assert client.post(ta_bort).status_code == 302
    assert list(Importprofil.objects.values_list("namn", flat=True)) == ["Lillbys system"]


# --- dropdowns that name their kommun ---------------------------------------------------------------------------


class Val(HTMLParser):
    """The options of every <select>, by the select's name."""

    def __init__(self):
        super().__init__()
        self.val: dict[str, list[tuple[str, str]]] = {}
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name", "")
            self.val.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self._option = a.get("value", "")
            self.val[self._select].append((self._option, ""))

    def handle_data(self, data):
        if self._option is not None and self._select is not None:
            värde, text = self.val[self._select][-1]
            self.val[self._select][-1] = (värde, text + data)

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select":
            self._select = None


def _val(html: str) -> dict[str, list[tuple[str, str]]]:
    p = Val()
    p.feed(html)
    return p.val


def _nämnd_område_fält(context) -> list[str]:
    """HTML names of the form fields (main form, inline forms and their empty form) over Nämnd/Verksamhetsområde."""
    formulär = [context["adminform"].form]
    for inline in context.get("inline_admin_formsets", []):
        formulär += [*inline.formset.forms, inline.formset.empty_form]
    namn = []
    for f in formulär:
        for fältnamn, fält in f.fields.items():
            if isinstance(fält, forms.ModelChoiceField) and fält.queryset.model in (Nämnd, Verksamhetsområde):
                namn.append(f.add_prefix(fältnamn))
    return namn


def test_alla_adminval_av_nämnd_och_område_namnger_kommunen(client, ekeby, lillby):
    assert "Socialnämnden" in ekeby.nämnder and "Socialnämnden" in lillby.nämnder
    su = get_user_model().objects.create_superuser("su", password="x")
    client.force_login(su)
    kommuner = ("Ekeby kommun", "Lillby kommun")
    granskade, val = [], 0
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        sidor = [reverse(f"{info}_add")]
        if (obj := model._default_manager.order_by("pk").first()) is not None:
            sidor.append(reverse(f"{info}_change", args=[obj.pk]))
        for sida in sidor:
            r = client.get(sida)
            if r.status_code != 200 or "adminform" not in (r.context or {}):
                continue
            granskade.append(sida)
            alla_val = _val(r.content.decode())
            for namn in _nämnd_område_fält(r.context):
                for värde, text in alla_val.get(namn, []):
                    if värde:
                        val += 1
                        assert any(f"{k}" in text for k in kommuner), (sida, namn, text)
    assert len(granskade) > 40, granskade
    assert val > 50
    # The example from the issue: the verksamhetsområde form's nämnd dropdown.
    r = client.get(reverse("admin:nämnd_verksamhetsområde_add"))
    texter = [t for _, t in _val(r.content.decode())["nämnd"]]
    assert "Socialnämnden (Ekeby kommun, 2023-07-01–)" in texter
    assert any(t.startswith("Socialnämnden (Lillby kommun, ") for t in texter)


def test_autocomplete_namnger_kommunen(client, ekeby, lillby):
    su = get_user_model().objects.create_superuser("su", password="x")
    client.force_login(su)
    r = client.get(
        "/admin/autocomplete/",
        {"app_label": "nämnd", "model_name": "verksamhetsområde", "field_name": "förälder", "term": "Hemtjänst"},
    )
    assert r.status_code == 200
    texter = sorted(x["text"] for x in r.json()["results"])
    assert texter == ["Hemtjänst (Omsorgsnämnden, Ekeby kommun)", "Hemtjänst (Socialnämnden, Lillby kommun)"]


def test_en_kommuns_admin_ser_inga_kommunnamn(client, ekeby):
    a = factories.admin(ekeby.kommun)
    a.is_staff = True
    a.save()
    a.user_permissions.add(Permission.objects.get(codename="add_verksamhetsområde"))
    client.force_login(a)
    r = client.get(reverse("admin:nämnd_verksamhetsområde_add"))
    texter = [t for v, t in _val(r.content.decode())["nämnd"] if v]
    assert texter and all("kommun" not in t for t in texter), texter


def test_appformulär_med_behörighet_i_två_kommuner(client, ekeby, lillby):
    """A user with Behörighet in two kommuner: a choice field over what they can see names the kommun; the app's
    own pages list one kommun's nämnder and areas (their querysets are per kommun or per nämnd)."""
    user = factories.admin(ekeby.kommun)
    factories.BehörighetFactory(user=user, kommun=lillby.kommun, roll="admin")

    fält = namnge_kommun(forms.ModelChoiceField(queryset=Nämnd.objects.for_user(user)))
    texter = [t for v, t in fält.choices if v]
    assert "Socialnämnden (Ekeby kommun, 2023-07-01–)" in texter
    assert "Socialnämnden (Lillby kommun, 2019-01-01–)" in texter
    områden = namnge_kommun(forms.ModelMultipleChoiceField(queryset=Verksamhetsområde.objects.for_user(user)))
    assert "Boende (Socialnämnden, Lillby kommun)" in [t for _, t in områden.choices]
    en_kommun = namnge_kommun(forms.ModelChoiceField(queryset=Nämnd.objects.for_kommun(lillby.kommun)))
    assert [t for v, t in en_kommun.choices if v] == ["Socialnämnden (2019-01-01–)"]

    # The importer's "add a code to an area" form (areas of one nämnd) and the layout page's preview nämnd.
    from importer.views_utfall import Kod

    kod = Kod(områden=Verksamhetsområde.objects.filter(nämnd=lillby.nämnd))
    assert [t for v, t in kod.fields["område"].choices if v] == ["Vård och omsorg", "Hemtjänst", "Boende", "Bistånd"]
    client.force_login(user)
    html = client.get(reverse("layout", args=[lillby.kommun.id, "delårsrapport"])).content.decode()
    texter = [t.strip() for v, t in _val(html).get("nämnd", []) if v]
    assert texter and all("Omsorgsnämnden" not in t and "Social- och" not in t for t in texter), texter

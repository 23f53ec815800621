"""Forms of the entry pages: Swedish number input, one hidden "laddat" field per row (what the user loaded:
versions and fingerprints, see ``services.avtryck``), and errors that name row and field.

The forms only parse and validate what was typed; they turn it into the service's row objects. Whether
a row changed, conflicts and closed periods are the service's business (one atomic call per save)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from grund import manader
from grund.format import MINUS, NBSP, värde
from grund.tal import NYCKELTAL, Talfel, tolka
from nämnd.vakt import Spärr, Vakt

from . import services
from .bedomning import Bedömningsskala, Indikatorvärden
from .models import Nyckeltalsvärde, Uppdragsstatus

INAKTUELL = (
    "Sidan har ändrats sedan du öppnade den (rader har lagts till eller tagits bort). "
    "Inget sparades. Ladda om sidan och gör dina ändringar igen."
)


# --- fields ---------------------------------------------------------------------------------------


class TalFält(forms.CharField):
    """A number typed the Swedish way: "1 234,5", "−1 022", "-1022", "1234". Empty = None (delete)."""

    def __init__(self, *, får_vara_negativ: bool = True, låst: bool = False, storlek: int = 9, **kwargs):
        self.får_vara_negativ = får_vara_negativ
        attrs = {
            "inputmode": "decimal",
            "size": storlek,
            "autocomplete": "off",
            "class": "tal",
            "aria-label": kwargs.get("label", ""),
        }
        if låst:
            attrs["readonly"] = True
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value):
        """The number, within what a Värde field stores (``grund.tal.NYCKELTAL``: the range is in the message)."""
        text = super().to_python(value)
        if not text:
            return None
        try:
            return tolka(text, NYCKELTAL)
        except Talfel as e:
            if e.slag == "inget tal":
                raise ValidationError(f"”{text}” är inte ett tal.", code="tal") from None
            raise ValidationError(f"Talet {e.orsak}.", code="tal") from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < 0 and not self.får_vara_negativ:
            raise ValidationError("Får inte vara negativt.", code="negativt")


def visa_tal(v: Decimal | None) -> str:
    """A stored number as the input shows it: "55 341", "26,5", "-3" (plain space and hyphen, easy to edit);
    empty for None."""
    return "" if v is None else värde(v).replace(NBSP, " ").replace(MINUS, "-")


def koda_läst(enheter: dict[str, tuple[int | None, str]]) -> str:
    """{"mal": (3, "ab12…"), "prognos": (None, "e3b0…")} → "mal=3:ab12…;prognos=:e3b0…"."""
    return ";".join(f"{k}={'' if version is None else version}:{a}" for k, (version, a) in enheter.items())


def avkoda_läst(text: str) -> dict[str, tuple[int | None, str]]:
    result = {}
    for del_ in text.split(";"):
        m = re.fullmatch(r"([\w-]+)=(\d*):([0-9a-f]{16})", del_)
        if not m:
            raise ValueError(text)
        result[m[1]] = (int(m[2]) if m[2] else None, m[3])
    return result


# --- base form ------------------------------------------------------------------------------------


@dataclass
class Fel:
    text: str
    ankare: str | None = None


LADDAT = "laddat"  # suffix of a row's hidden field: what the page showed when it was loaded


class Inmatningsformulär(forms.Form):
    """Fields are added per row by subclasses, named ``<row prefix>-<field>``, plus one hidden field
    ``<row prefix>-laddat`` per row. A row with nothing posted (added after the user loaded the page) is
    skipped; posted values without their row's hidden field, or a hidden field of a row that no longer
    exists, make the form invalid (nothing is saved) rather than being silently ignored."""

    def __init__(self, data=None):
        super().__init__(data=data)
        self.låst_allt = False

    def lägg_till_läst(self, prefix: str, enheter: dict[str, tuple[int | None, str]]) -> str:
        namn = f"{prefix}-{LADDAT}"
        self.fields[namn] = forms.CharField(required=False, widget=forms.HiddenInput, initial=koda_läst(enheter))
        return namn

    def läst(self, prefix: str) -> dict[str, tuple[int | None, str]] | None:
        """What the user's page had loaded for a row (valid forms only); None if the row wasn't on it."""
        text = self.cleaned_data.get(f"{prefix}-{LADDAT}")
        return avkoda_läst(text) if text else None

    def clean(self):
        inaktuell = False
        for namn in self.fields:
            prefix, _, del_ = namn.rpartition("-")
            laddat = self.data.get(f"{prefix}-{LADDAT}")
            if del_ == LADDAT and laddat:
                try:
                    avkoda_läst(laddat)
                except ValueError:
                    inaktuell = True
            elif del_ != LADDAT and namn in self.data and not laddat:
                inaktuell = True
        if inaktuell or any(k.endswith(f"-{LADDAT}") and k not in self.fields for k in self.data):
            raise ValidationError(INAKTUELL, code="inaktuell")
        return self.cleaned_data

    def lägg_till_tjänstefel(self, fel: ValidationError) -> None:
        """Errors from the service (closed period, conflict, …) are shown above the form."""
        self.add_error(None, fel)

    @property
    def felsammanfattning(self) -> list[Fel]:
        """Every error as one line naming row and field, linking to the field."""
        if not self.is_bound:
            return []
        rader = [Fel(str(e)) for e in self.non_field_errors()]
        for namn, fält in self.fields.items():
            if namn in self.errors:
                bf = self[namn]
                rader += [Fel(f"{fält.label}: {e}", bf.auto_id) for e in bf.errors]
        return rader


def sätt_låst(fält: forms.Field) -> None:
    """Show a field as locked. Its posted value is still read: the service refuses a change to a closed
    period with a message, rather than the form silently ignoring it."""
    if isinstance(fält.widget, forms.Select):
        fält.widget.attrs["disabled"] = True
    else:
        fält.widget.attrs["readonly"] = True


# --- volymer och nyckeltal ------------------------------------------------------------------------


@dataclass(frozen=True)
class Volymkolumn:
    nyckel: str  # field name part: "mal", "delar", "prognos", "helar", "m1"…"m12"
    typ: str
    månad: int | None
    rubrik: str
    etikett: str  # for labels and messages: "Prognos helår 2023"
    spärr: Spärr | None  # why the column is read-only (closed period, fastställd report), or None

    @property
    def låst(self) -> bool:
        return self.spärr is not None


ÅRSNYCKLAR = {
    Nyckeltalsvärde.Typ.MÅL: "mal",
    Nyckeltalsvärde.Typ.UTFALL_DELÅR: "delar",
    Nyckeltalsvärde.Typ.PROGNOS: "prognos",
    Nyckeltalsvärde.Typ.UTFALL_HELÅR: "helar",
}
KORTA_MÅNADER = list(manader.KORTA)


def volymkolumner(år: int, vy: str, vakt: Vakt) -> list[Volymkolumn]:
    """The editable columns: the four yearly kinds, or the twelve months; each asks the edit guard."""
    if vy == "månad":
        typ = Nyckeltalsvärde.Typ.UTFALL_MÅNAD
        return [
            Volymkolumn(
                f"m{m}",
                typ,
                m,
                KORTA_MÅNADER[m - 1].capitalize(),
                services.kolumnnamn(typ, år, m),
                vakt.spärr(services.ändring_för_värde(typ, år, m)),
            )
            for m in range(1, 13)
        ]
    return [
        Volymkolumn(
            ÅRSNYCKLAR[typ],
            typ,
            None,
            services.kolumnnamn(typ, år),
            services.kolumnnamn(typ, år),
            vakt.spärr(services.ändring_för_värde(typ, år, None)),
        )
        for typ in services.ÅRSTYPER
    ]


@dataclass
class Volymrad:
    id: int
    namn: str
    enhet: str
    grupp: str
    delserie: bool
    får_vara_negativ: bool
    värden: dict[tuple[str, int | None], tuple[int, Decimal]] = field(
        default_factory=dict
    )  # (typ, månad) → (version, värde)
    kontext: Decimal | None = None  # utfall helår the year before (read-only)
    fält: list = field(default_factory=list)  # bound fields, in column order (set by the form)
    läst_fält: object = None


class Volymformulär(Inmatningsformulär):
    def __init__(self, rader: list[Volymrad], kolumner: list[Volymkolumn], data=None):
        super().__init__(data=data)
        self.rader, self.kolumner = rader, kolumner
        self.låst_allt = all(k.låst for k in kolumner)
        namn_per_rad = []
        for r in rader:
            namn = []
            läst = {}
            for k in kolumner:
                version, v = r.värden.get((k.typ, k.månad), (None, None))
                f = f"n{r.id}-{k.nyckel}"
                self.fields[f] = TalFält(
                    label=f"{r.namn} – {k.etikett}",
                    får_vara_negativ=r.får_vara_negativ,
                    låst=k.låst,
                    initial=visa_tal(v),
                    storlek=7 if k.månad else 9,
                )
                läst[k.nyckel] = (version, services.avtryck(v))
                namn.append(f)
            namn_per_rad.append((namn, self.lägg_till_läst(f"n{r.id}", läst)))
        for r, (namn, läst_namn) in zip(rader, namn_per_rad, strict=True):
            if self.is_bound:
                self._lås_upp_ändrade(r, namn, läst_namn)
            r.fält = [self[n] for n in namn]
            r.läst_fält = self[läst_namn]

    def _lås_upp_ändrade(self, rad: Volymrad, namn: list[str], läst_namn: str) -> None:
        """A locked cell that was changed anyway (the period was closed while the page was open) stays
        editable on the re-rendered page, so that the user can undo it and save the rest."""
        try:
            läst = avkoda_läst(self.data.get(läst_namn) or "")
        except ValueError:
            return
        for f, k in zip(namn, self.kolumner, strict=True):
            fält = self.fields[f]
            if not k.låst or k.nyckel not in läst:
                continue
            try:
                värde = fält.clean(self.data.get(f, ""))
            except ValidationError:
                värde = self.data.get(f)
            if services.avtryck(värde) != läst[k.nyckel][1]:
                fält.widget.attrs.pop("readonly", None)

    @property
    def grupper(self) -> list[tuple[str, list[Volymrad]]]:
        result: dict[str, list[Volymrad]] = {}
        for r in self.rader:
            result.setdefault(r.grupp, []).append(r)
        return list(result.items())

    def celler(self) -> list[services.Nyckeltalscell]:
        celler = []
        for r in self.rader:
            läst = self.läst(f"n{r.id}")
            if läst is None:
                continue
            for k in self.kolumner:
                if k.nyckel not in läst:
                    raise ValidationError(INAKTUELL)
                version, före = läst[k.nyckel]
                celler.append(
                    services.Nyckeltalscell(
                        nyckeltal_id=r.id,
                        typ=k.typ,
                        månad=k.månad,
                        värde=self.cleaned_data[f"n{r.id}-{k.nyckel}"],
                        version=version,
                        avtryck_före=före,
                    )
                )
        return celler


# --- indikatorer ----------------------------------------------------------------------------------

INDIKATORFÄLT = [("totalt", "Totalt"), ("kvinnor", "Kvinnor"), ("man", "Män"), ("prognos", "Prognos")]


@dataclass
class Indikatorrad:
    id: int
    namn: str
    kolada_id: str
    enhet: str
    utfall: tuple[int, Decimal | None, Decimal | None, Decimal | None] | None = None  # (version, totalt, kvinnor, män)
    prognos: tuple[int, Decimal | None] | None = None  # (version, totalt)
    historik: list[Indikatorvärden | None] = field(default_factory=list)  # earlier years' utfall, oldest first
    fält: list = field(default_factory=list)
    läst_fält: object = None


@dataclass
class Målgrupp:
    namn: str
    nivå: str
    rader: list


class Indikatorformulär(Inmatningsformulär):
    def __init__(self, grupper: list[Målgrupp], år: int, låst: bool, data=None):
        super().__init__(data=data)
        self.grupper, self.år, self.låst_allt = grupper, år, låst
        bundna = []
        for g in grupper:
            for r in g.rader:
                _, totalt, kvinnor, män = r.utfall or (None, None, None, None)
                _, prognos = r.prognos or (None, None)
                namn = []
                for (nyckel, rubrik), v in zip(INDIKATORFÄLT, (totalt, kvinnor, män, prognos), strict=True):
                    f = f"i{r.id}-{nyckel}"
                    self.fields[f] = TalFält(label=f"{r.namn} – {rubrik} {år}", låst=låst, initial=visa_tal(v))
                    namn.append(f)
                läst = self.lägg_till_läst(
                    f"i{r.id}",
                    {
                        "u": (r.utfall[0] if r.utfall else None, services.avtryck(totalt, kvinnor, män)),
                        "p": (r.prognos[0] if r.prognos else None, services.avtryck(prognos)),
                    },
                )
                bundna.append((r, namn, läst))
        for r, namn, läst in bundna:
            r.fält, r.läst_fält = [self[n] for n in namn], self[läst]

    def inmatningar(self) -> list[services.Indikatorinmatning]:
        result = []
        for g in self.grupper:
            for r in g.rader:
                läst = self.läst(f"i{r.id}")
                if läst is None:
                    continue
                if not {"u", "p"} <= set(läst):
                    raise ValidationError(INAKTUELL)
                v = {nyckel: self.cleaned_data[f"i{r.id}-{nyckel}"] for nyckel, _ in INDIKATORFÄLT}
                result.append(
                    services.Indikatorinmatning(
                        indikator_id=r.id,
                        totalt=v["totalt"],
                        kvinnor=v["kvinnor"],
                        män=v["man"],
                        prognos=v["prognos"],
                        utfall_version=läst["u"][0],
                        utfall_avtryck=läst["u"][1],
                        prognos_version=läst["p"][0],
                        prognos_avtryck=läst["p"][1],
                    )
                )
        return result


# --- måluppfyllelse och uppdrag -------------------------------------------------------------------


@dataclass
class Uppdragsrad:
    id: int
    text: str
    tidsperiod: str
    nivå: str
    sparad: tuple[int, str, str] | None = None  # (version, status, kommentar)
    status_fält: object = None
    kommentar_fält: object = None
    läst_fält: object = None


@dataclass
class Indikatorkommentarrad:
    id: int
    namn: str
    sparad: tuple[int, str] | None = None  # (version, kommentar)
    kommentar_fält: object = None
    läst_fält: object = None


@dataclass
class Målrad:
    id: int
    namn: str
    nivå: str
    nämndmål: bool
    förälder: str = ""
    sparad: tuple[int, str, str] | None = None  # (version, bedömning, kommentar)
    uppdrag: list[Uppdragsrad] = field(default_factory=list)
    indikatorer: list[Indikatorkommentarrad] = field(default_factory=list)
    bedömning_fält: object = None
    kommentar_fält: object = None
    läst_fält: object = None


def _kort(text: str, längd: int = 60) -> str:
    return text if len(text) <= längd else text[: längd - 1] + "…"


def bedömningsval(skala: Bedömningsskala, sparad: str) -> list[tuple[str, str]]:
    """The kommun's words in scale order. A stored code no longer on the scale stays selectable as it is (named
    so), so that saving the page without touching it changes nothing; the service refuses it if it is edited."""
    val = [("", "Ej bedömd"), *((n.kod, n.text) for n in skala.nivåer)]
    if sparad and skala.nivå(sparad) is None:
        val.append((sparad, f"”{sparad}” (finns inte längre på skalan)"))
    return val


class Målformulär(Inmatningsformulär):
    def __init__(
        self, mål: list[Målrad], bedömningsord: str, låst: bool, skala: Bedömningsskala, data=None, plan: bool = False
    ):
        super().__init__(data=data)
        # A plan has no bedömning: its mål get a comment only (the bedömning stays empty).
        self.mål, self.låst_allt, self.skala, self.plan = mål, låst, skala, plan
        bindningar: list[tuple[Målrad | Uppdragsrad | Indikatorkommentarrad, str]] = []
        for m in mål:
            _, bedömning, kommentar = m.sparad or (None, "", "")
            if not plan:
                self.fields[f"m{m.id}-bed"] = forms.ChoiceField(
                    label=f"{m.namn} – {bedömningsord.lower()}",
                    required=False,
                    initial=bedömning,
                    choices=bedömningsval(skala, bedömning),
                )
            self.fields[f"m{m.id}-kom"] = forms.CharField(
                label=f"{m.namn} – kommentar",
                required=False,
                initial=kommentar,
                widget=forms.Textarea(attrs={"rows": 3, "cols": 70}),
            )
            bindningar.append(
                (
                    m,
                    self.lägg_till_läst(
                        f"m{m.id}", {"b": (m.sparad[0] if m.sparad else None, services.avtryck(bedömning, kommentar))}
                    ),
                )
            )
            for u in m.uppdrag:
                _, status, ukommentar = u.sparad or (None, "", "")
                kort = _kort(u.text)
                self.fields[f"u{u.id}-status"] = forms.ChoiceField(
                    label=f"Uppdraget ”{kort}” – status",
                    required=False,
                    initial=status,
                    choices=[("", "Ej angiven"), *Uppdragsstatus.Status.choices],
                    widget=forms.Select(attrs={"aria-label": f"Status för uppdraget ”{u.text}”"}),
                )
                self.fields[f"u{u.id}-kom"] = forms.CharField(
                    label=f"Uppdraget ”{kort}” – kommentar",
                    required=False,
                    initial=ukommentar,
                    widget=forms.Textarea(
                        attrs={"rows": 2, "cols": 40, "aria-label": f"Kommentar till uppdraget ”{u.text}”"}
                    ),
                )
                bindningar.append(
                    (
                        u,
                        self.lägg_till_läst(
                            f"u{u.id}", {"s": (u.sparad[0] if u.sparad else None, services.avtryck(status, ukommentar))}
                        ),
                    )
                )
            for i in m.indikatorer:
                _, ikommentar = i.sparad or (None, "")
                self.fields[f"i{i.id}-kom"] = forms.CharField(
                    label=f"Kommentar till indikatorn ”{i.namn}”",
                    required=False,
                    initial=ikommentar,
                    widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                )
                bindningar.append(
                    (
                        i,
                        self.lägg_till_läst(
                            f"i{i.id}", {"k": (i.sparad[0] if i.sparad else None, services.avtryck(ikommentar))}
                        ),
                    )
                )
        if låst:
            for f in self.fields.values():
                if not isinstance(f.widget, forms.HiddenInput):
                    sätt_låst(f)
        for rad, läst in bindningar:
            if isinstance(rad, Målrad):
                rad.bedömning_fält = None if plan else self[f"m{rad.id}-bed"]
                rad.kommentar_fält = self[f"m{rad.id}-kom"]
            elif isinstance(rad, Indikatorkommentarrad):
                rad.kommentar_fält = self[f"i{rad.id}-kom"]
            else:
                rad.status_fält, rad.kommentar_fält = self[f"u{rad.id}-status"], self[f"u{rad.id}-kom"]
            rad.läst_fält = self[läst]

    def clean(self):
        super().clean()
        for m in self.mål:
            if (
                not self.plan
                and self.cleaned_data.get(f"m{m.id}-kom", "").strip()
                and not self.cleaned_data.get(f"m{m.id}-bed")
            ):
                self.add_error(f"m{m.id}-bed", "Välj en bedömning, eller töm kommentaren.")
            for u in m.uppdrag:
                if self.cleaned_data.get(f"u{u.id}-kom", "").strip() and not self.cleaned_data.get(f"u{u.id}-status"):
                    self.add_error(f"u{u.id}-status", "Välj en status, eller töm kommentaren.")
        return self.cleaned_data

    def bedömningar(
        self,
    ) -> tuple[list[services.Målbedömning], list[services.Uppdragsbedömning], list[services.Indikatorkommentering]]:
        mål: list[services.Målbedömning] = []
        uppdrag: list[services.Uppdragsbedömning] = []
        indikatorer: list[services.Indikatorkommentering] = []
        for m in self.mål:
            if (läst := self._läst_enhet(f"m{m.id}", "b")) is not None:
                mål.append(
                    services.Målbedömning(
                        m.id, self.cleaned_data.get(f"m{m.id}-bed", ""), self.cleaned_data[f"m{m.id}-kom"], *läst
                    )
                )
            uppdrag.extend(
                services.Uppdragsbedömning(
                    u.id, self.cleaned_data[f"u{u.id}-status"], self.cleaned_data[f"u{u.id}-kom"], *läst
                )
                for u in m.uppdrag
                if (läst := self._läst_enhet(f"u{u.id}", "s")) is not None
            )
            indikatorer.extend(
                services.Indikatorkommentering(i.id, self.cleaned_data[f"i{i.id}-kom"], *läst)
                for i in m.indikatorer
                if (läst := self._läst_enhet(f"i{i.id}", "k")) is not None
            )
        return mål, uppdrag, indikatorer

    def _läst_enhet(self, prefix: str, nyckel: str) -> tuple[int | None, str] | None:
        läst = self.läst(prefix)
        if läst is None:
            return None
        if nyckel not in läst:
            raise ValidationError(INAKTUELL)
        return läst[nyckel]

"""From claims to Behörigheter: which rules match, what they grant per kommun, and bringing a user's rule-managed
Behörigheter in line with that. Pure database logic, no HTTP: the backend calls it, tests can too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from nämnd.models import Behörighet

from .models import Inloggningsregel, RegelstyrdBehörighet

Roll = Behörighet.Roll
# Highest role wins when several rules of one kommun match.
RANG = {Roll.LÄSARE: 0, Roll.CONTROLLER: 1, Roll.ADMIN: 2}


def claimvärden(claims: Mapping, namn: str) -> set[str]:
    """The values of claim ``namn`` as strings. A list claim gives its items, a scalar itself. A name that is not a
    key of its own (claim names may contain dots, e.g. URLs) is followed as a path: ``realm_access.roles``."""
    if namn in claims:
        värde = claims[namn]
    else:
        värde = claims
        for del_ in namn.split("."):
            if not isinstance(värde, Mapping) or del_ not in värde:
                return set()
            värde = värde[del_]
    if isinstance(värde, list | tuple | set):
        return {_text(v) for v in värde if _skalär(v)}
    return {_text(värde)} if _skalär(värde) else set()


def _skalär(v) -> bool:
    return isinstance(v, str | int | float | bool)


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).strip()


def matchande_regler(claims: Mapping) -> list[Inloggningsregel]:
    """The rules whose claim contains their value. One query for the claim names in use, one for the rules."""
    villkor = Q()
    for namn in Inloggningsregel.objects.order_by().values_list("claim", flat=True).distinct():
        värden = claimvärden(claims, namn)
        if värden:
            villkor |= Q(claim=namn, värde__in=värden)
    if not villkor:
        return []
    return list(Inloggningsregel.objects.filter(villkor).prefetch_related("nämnder"))


@dataclass
class Tilldelning:
    """What the matching rules of one kommun grant together."""

    roll: str = Roll.LÄSARE
    nämnd_ids: set[int] = field(default_factory=set)
    får_importera: bool = False
    får_fastställa: bool = False


def tilldelningar(regler: Iterable[Inloggningsregel]) -> dict[int, Tilldelning]:
    """Per kommun id: the highest role of the matching rules, their nämnder together, the rights OR-ed."""
    result: dict[int, Tilldelning] = {}
    for regel in regler:
        t = result.get(regel.kommun_id)
        if t is None:
            t = result[regel.kommun_id] = Tilldelning(roll=regel.roll)
        elif RANG[Roll(regel.roll)] > RANG[Roll(t.roll)]:
            t.roll = regel.roll
        # A nämnd of another kommun can't reach a Behörighet, whatever was saved in the rule.
        t.nämnd_ids |= {n.pk for n in regel.nämnder.all() if n.kommun_id == regel.kommun_id}
        t.får_importera |= regel.får_importera
        t.får_fastställa |= regel.får_fastställa
    return result


def tillämpa(user, önskat: Mapping[int, Tilldelning]) -> list[str]:
    """Bring ``user``'s rule-managed Behörigheter in line with ``önskat``; returns what changed (for the log).

    * kommun in ``önskat``, no Behörighet → created and marked as rule-managed;
    * rule-managed Behörighet → role, rights and nämnder set to ``önskat`` (written only if different: every
      write bumps the kommun's data version and with it the report cache);
    * rule-managed Behörighet in a kommun no longer in ``önskat`` → removed;
    * a Behörighet without the mark (made by hand in the admin) → left exactly as it is.
    """
    befintliga = {b.kommun_id: b for b in Behörighet.objects.filter(user=user).prefetch_related("nämnder")}
    styrda = set(RegelstyrdBehörighet.objects.filter(behörighet__user=user).values_list("pk", flat=True))
    ändringar: list[str] = []
    for kommun_id, t in önskat.items():
        b = befintliga.get(kommun_id)
        if b is None:
            b = Behörighet.objects.create(
                user=user,
                kommun_id=kommun_id,
                roll=t.roll,
                får_importera=t.får_importera,
                får_fastställa=t.får_fastställa,
            )
            if t.nämnd_ids:
                b.nämnder.set(t.nämnd_ids)
            RegelstyrdBehörighet.objects.create(behörighet=b)
            ändringar.append(f"ny behörighet i kommun {kommun_id}: {t.roll}")
        elif b.pk in styrda:
            fält = {"roll": t.roll, "får_importera": t.får_importera, "får_fastställa": t.får_fastställa}
            ändrade = [namn for namn, värde in fält.items() if getattr(b, namn) != värde]
            if ändrade:
                for namn in ändrade:
                    setattr(b, namn, fält[namn])
                b.save(update_fields=ändrade)
            if {n.pk for n in b.nämnder.all()} != t.nämnd_ids:
                b.nämnder.set(t.nämnd_ids)
                ändrade.append("nämnder")
            if ändrade:
                RegelstyrdBehörighet.objects.filter(pk=b.pk).update(uppdaterad=timezone.now())
                ändringar.append(f"kommun {kommun_id}: {', '.join(ändrade)}")
    for kommun_id, b in befintliga.items():
        if kommun_id not in önskat and b.pk in styrda:
            b.delete()
            ändringar.append(f"behörighet i kommun {kommun_id} borttagen")
    return ändringar

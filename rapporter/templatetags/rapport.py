from django import template
from django.utils.html import format_html

from rapporter import format as fmt

register = template.Library()


@register.filter
def kostnad(kr, presentation):
    """{{ rad.nettokostnad|kostnad:pres }}: a cost figure in the kommun's unit and sign convention."""
    return fmt.Presentation.kostnad(presentation, kr)


@register.filter
def avvikelse(kr, presentation):
    return fmt.Presentation.avvikelse(presentation, kr)


@register.filter
def värde(v):
    return fmt.värde(v)


@register.filter
def procent(v, decimaler=1):
    return fmt.procent(v, decimaler)


@register.filter
def minustecken(text):
    """Replace a hyphen-minus at the start of a number with a true minus sign."""
    return str(text).replace("-", fmt.MINUS, 1) if str(text).startswith("-") else text


@register.filter
def celler(rad, kolumner):
    return rad.celler(kolumner)


@register.filter
def indikatorvärde(indikator, år):
    return indikator.värde(år)


@register.filter
def källor(indikatorer):
    return sorted({k for i in indikatorer for k in i.källor})


RÄKNEENHETER = {"antal", "antal brukare", "ärenden"}


@register.simple_tag
def volymvärde(v, enhet, maska_under):
    """A volume value; in published output counts of individuals below ``maska_under`` are masked."""
    if maska_under and v is not None and enhet in RÄKNEENHETER and 0 < v < maska_under:
        return format_html('<abbr title="färre än {0}, visas inte">&lt;{0}</abbr>', maska_under)
    return fmt.värde(v)

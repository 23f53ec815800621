from django import template

register = template.Library()


@register.filter
def jämförelser_för(jämförelser, mål_id):
    """The Kolada comparisons of one mål in the mål section's data (``{mål id: [Jämförelsevy]}``)."""
    return (jämförelser or {}).get(mål_id, [])

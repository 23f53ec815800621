"""The start page's links to the checklists of kommuner its user administers that are not complete yet."""

from django import template

from kommunadmin.start import Checklista, ofullständiga_kommuner

register = template.Library()


@register.simple_tag
def ofärdiga_kommuner(user) -> list[Checklista]:
    return ofullständiga_kommuner(user)

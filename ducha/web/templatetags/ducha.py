import json

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value):
    """How a table cell shows a value: yes/no for booleans, nothing for None."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return "" if value is None else value


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value is not None else ""

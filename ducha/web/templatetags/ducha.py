import json
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def cell(value):
    """How a table cell shows a value: yes/no for booleans, nothing for None, numbers
    with thousands separators (1,250,000.00)."""
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, int | float | Decimal):
        return f"{value:,}"
    return "" if value is None else value


@register.filter
def pretty_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) if value is not None else ""


@register.filter
def percent(rate) -> str:
    """A rate from the statistics (0.9531) as a percentage: 95.3%."""
    return "" if rate is None else f"{rate * 100:.1f}%"

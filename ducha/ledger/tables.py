"""The columns of each ledger list (and of its .xlsx export)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column
from ducha.ledger.as_of import shown_state
from ducha.ledger.choices import ProblemStatus


def _name(obj):
    return obj.name if obj else ""


def wan_yuan(amount) -> str:
    """Yuan as officials read them in a list: 万元 with two decimals and thousands
    separators (1250000 → "125.00", 123456789.5 → "12,345.68")."""
    return f"{(Decimal(amount) / 10000).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _category(problem) -> str:
    category = problem.category
    return f"{category.code} {category.name}" if category else ""


UNIT = Column(_("unit"), lambda o: o.unit.name, "unit__order")
DOMAIN = Column(_("domain"), lambda o: o.domain.short_name if o.domain else "", "domain__order", nowrap=True)

PROJECT_COLUMNS = (
    Column(_("project number"), lambda o: o.number, "number", link=True, nowrap=True),
    Column(_("project name"), lambda o: o.name, "name", link=True),
    DOMAIN,
    UNIT,
    Column(_("county"), lambda o: _name(o.county)),
    Column(
        _("amount (10,000 yuan)"),
        lambda o: o.amount,
        "amount",
        display=wan_yuan,
        export_label=_("amount (yuan)"),  # the export keeps the exact yuan
        total="amount",
    ),
    Column(_("trade date"), lambda o: o.trade_date, "trade_date"),
    # A list as of a past day (?as_of=) shows that day's state (ledger/as_of.py).
    Column(_("self-inspected"), lambda o: shown_state(o, "self_inspected")),
    Column(_("sampled"), lambda o: shown_state(o, "sampled")),
    Column(_("verified"), lambda o: shown_state(o, "verified")),
)

PROBLEM_COLUMNS = (
    Column(_("problem number"), lambda o: o.number, "number", link=True, nowrap=True),
    Column(_("description"), lambda o: o.description, link=True),
    DOMAIN,
    UNIT,
    Column(_("category"), _category),
    Column(_("market-entity type"), lambda o: _name(o.entity_type)),
    Column(_("discovery method"), lambda o: o.get_discovery_method_display()),
    Column(_("found on"), lambda o: o.found_on, "found_on"),
    Column(_("deadline"), lambda o: shown_state(o, "deadline"), "deadline"),
    Column(_("status"), lambda o: ProblemStatus(shown_state(o, "status")).label, "status", nowrap=True),
)

CLUE_COLUMNS = (
    Column(_("summary"), lambda o: o.summary, link=True),
    UNIT,
    DOMAIN,
    Column(_("receiving authority"), lambda o: o.get_authority_display(), "authority"),
    Column(_("transferred on"), lambda o: o.transferred_on, "transferred_on"),
    Column(_("feedback"), lambda o: o.feedback),
)

FILED_COLUMNS = (
    Column(_("case number"), lambda o: o.case_number, "case_number", link=True, nowrap=True),
    Column(_("summary"), lambda o: o.summary, link=True),
    UNIT,
    DOMAIN,
    Column(_("filing authority"), lambda o: o.filed_by),
    Column(_("filed on"), lambda o: o.filed_on, "filed_on"),
)

EXPOSED_COLUMNS = (
    Column(_("title"), lambda o: o.title, "title", link=True),
    UNIT,
    DOMAIN,
    Column(_("channel"), lambda o: o.channel),
    Column(_("exposed on"), lambda o: o.exposed_on, "exposed_on"),
)

DOCUMENT_COLUMNS = (
    Column(_("title"), lambda o: o.title, "title", link=True),
    Column(_("document number"), lambda o: o.doc_number, nowrap=True),
    UNIT,
    DOMAIN,
    Column(_("action"), lambda o: o.get_action_display(), "action"),
    Column(_("issued on"), lambda o: o.issued_on, "issued_on"),
)

TRAINING_COLUMNS = (
    Column(_("title"), lambda o: o.title, "title", link=True),
    UNIT,
    DOMAIN,
    Column(_("held on"), lambda o: o.held_on, "held_on"),
    Column(_("attendees"), lambda o: o.attendees, "attendees", total="attendees"),
)

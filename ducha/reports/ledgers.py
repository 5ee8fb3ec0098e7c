"""The reports app's ledger: the narratives of the summary report (reports.Narrative),
with the generic list, add, detail, edit and history pages of the registry."""

from django.utils.translation import gettext_lazy

from ducha.core.registry import Ledger, register
from ducha.reports import narratives as n
from ducha.reports.models import Narrative

LEDGERS: list[Ledger] = [
    Ledger(
        "narratives",
        Narrative,
        gettext_lazy("Report narratives"),
        n.NARRATIVE_COLUMNS,
        n.NarrativeFilterSet,
        n.NarrativeForm,
        search_fields=("heading", "text"),
        select_related=("group",),
        ordering=("group__code", "section", "order", "pk"),
        detail_fields=("group", "section", "order", "heading", "text"),
    ),
]


def register_ledgers() -> None:
    register(*LEDGERS)

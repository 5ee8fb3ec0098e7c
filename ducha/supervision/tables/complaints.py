"""The columns of the complaints list."""

from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column


def became(complaint) -> str:
    """What the complaint became: a problem (its number) or a clue transfer."""
    if complaint.problem_id:
        return f"{_('problem')} {complaint.problem.number}"
    return str(_("clue transfer")) if complaint.clue_transfer_id else ""


COMPLAINT_COLUMNS = (
    Column(_("number"), lambda o: o.number, "number", link=True, nowrap=True),
    Column(_("summary"), lambda o: o.summary, link=True),
    Column(_("source"), lambda o: o.get_source_display(), "source", nowrap=True),
    Column(_("received on"), lambda o: o.received_on, "received_on"),
    Column(_("supervision group"), lambda o: o.group.name if o.group else "", "group__code", nowrap=True),
    Column(_("unit"), lambda o: o.unit.name if o.unit else "", "unit__order", nowrap=True),
    Column(_("handling deadline"), lambda o: o.deadline, "deadline"),
    Column(_("handling status"), lambda o: o.get_status_display(), "status", nowrap=True),
    Column(_("converted into"), became, nowrap=True),
)

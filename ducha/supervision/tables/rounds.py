"""The columns of the site rounds, contacts, contact rules and look-back checks lists."""

from django.utils.translation import gettext_lazy as _

from ducha.core.registry import Column


def methods_text(round) -> str:
    """The round's methods as officials list them: 听取汇报、座谈交流、查阅资料."""
    return round._meta.get_field("methods").labels(round.methods)


GROUP = Column(_("supervision group"), lambda o: o.group.name, "group__code", nowrap=True)

ROUND_COLUMNS = (
    Column(_("round"), lambda o: o.number, "number", link=True),
    GROUP,
    Column(_("kind"), lambda o: o.get_kind_display(), "kind", link=True, nowrap=True),
    Column(_("starts on"), lambda o: o.starts_on, "starts_on"),
    Column(_("ends on"), lambda o: o.ends_on, "ends_on"),
    Column(_("methods"), methods_text),
)

CONTACT_COLUMNS = (
    Column(_("date"), lambda o: o.contacted_on, "contacted_on", link=True),
    Column(_("kind"), lambda o: o.get_kind_display(), "kind", link=True, nowrap=True),
    GROUP,
    Column(_("unit"), lambda o: o.unit.name, "unit__order"),
    Column(_("county"), lambda o: o.county.name if o.county else ""),
    Column(_("supervisor"), lambda o: o.supervisor, nowrap=True),
    Column(_("content"), lambda o: o.content),
    Column(_("round"), lambda o: o.round.number if o.round else None),
)

RULE_COLUMNS = (
    Column(_("kind"), lambda o: o.get_kind_display(), "kind", link=True, nowrap=True),
    Column(_("supervision group"), lambda o: o.group.name if o.group else _("every group")),
    Column(_("at least, per unit and week"), lambda o: o.per_week, "per_week"),
    Column(_("from"), lambda o: o.starts_on, "starts_on"),
    Column(_("until"), lambda o: o.ends_on, "ends_on"),
)

LOOK_BACK_COLUMNS = (
    Column(_("checked on"), lambda o: o.checked_on, "checked_on", link=True),
    Column(_("round"), lambda o: str(o.round)),
    Column(_("unit"), lambda o: (o.project or o.problem).unit.name),
    Column(_("re-checked"), lambda o: o.project.number if o.project else o.problem.number, nowrap=True),
    Column(_("result of the check"), lambda o: o.get_outcome_display(), "outcome"),
    Column(_("new problem"), lambda o: o.new_problem.number if o.new_problem else ""),
    Column(_("note"), lambda o: o.note),
)

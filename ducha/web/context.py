"""Header and navigation: what the signed-in user is and may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ducha.core.access import RoleKind, may_view_any, role_kind, user_role
from ducha.core.registry import ledgers
from ducha.web.comparison_views import may_see_comparisons
from ducha.web.import_templates import may_import
from ducha.web.sampling_forms import may_draw
from ducha.web.supervision.rounds import may_see_compliance


def scope_label(role) -> str:
    if role is None:
        return str(_("no role"))
    if role.kind == RoleKind.GROUP_MEMBER and role.group:
        return role.group.name
    if role.kind == RoleKind.UNIT_REPORTER and role.unit:
        return role.unit.name
    if role.kind == RoleKind.VIEWER:
        return str(_("whole region, read only"))
    return str(_("whole region"))


def who(user, role) -> list[str]:
    """What the header says about the user: the name, the role, then the scope when it
    adds something (a group's or a unit's name, not "whole region"), never the same words
    twice (a demo account is named after its unit, its group, or the office)."""
    parts = [user.get_full_name() or user.get_username()]
    if role is None:
        more = [_("no role")]
    else:
        more = [role.get_kind_display()]
        if role.kind == RoleKind.GROUP_MEMBER and role.group:
            more.append(role.group.name)
        elif role.kind == RoleKind.UNIT_REPORTER and role.unit:
            more.append(role.unit.name)
    for part in map(str, more):
        if not any(part in shown for shown in parts):
            parts.append(part)
    return parts


WORK_APPS = ("supervision", "reports")  # the apps whose ledgers the second row lists


def navigation(request):
    user = getattr(request, "user", None)
    role = user_role(user)
    kind = role_kind(user)
    header = {"role": role, "scope_label": scope_label(role)}
    if user is not None and user.is_authenticated:
        header["who"] = who(user, role)
    if kind is None:
        return {"nav": [], **header}
    items = [("dashboard", str(_("Dashboard")), reverse("home"))]
    # The rectification ledgers in the first row; the supervision work's records (and the
    # report's passages the groups write) in the second.
    # (Only the ledgers that can hold a record the user sees: no group's letters for a unit.)
    shown = [ledger for ledger in ledgers() if may_view_any(user, ledger.model)]
    work = [(ledger.key, str(ledger.title), reverse(f"{ledger.key}-list")) for ledger in shown
            if ledger.model._meta.app_label in WORK_APPS]  # fmt: skip
    if may_see_compliance(user):
        work.append(("contact-compliance", str(_("Contact-rule compliance")), reverse("contact-compliance")))
    if may_draw(user):
        work.append(("sampling", str(_("Sampling")), reverse("sampling")))
    if may_see_comparisons(user):
        work.append(("comparisons", str(_("Three-way comparison")), reverse("comparisons")))
        work.append(("redflags", str(_("Red flags")), reverse("redflags")))
    items += [(ledger.key, str(ledger.title), reverse(f"{ledger.key}-list")) for ledger in shown
              if ledger.model._meta.app_label not in WORK_APPS]  # fmt: skip
    if may_import(user):
        items.append(("imports", str(_("Import ledgers")), reverse("imports")))
    return {"nav": items, "nav_supervision": work, **header}

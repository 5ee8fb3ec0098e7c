"""Header and navigation: what the signed-in user is and may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ducha.core.access import RoleKind, role_kind, user_role
from ducha.core.registry import ledgers


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


def navigation(request):
    user = getattr(request, "user", None)
    role = user_role(user)
    kind = role_kind(user)
    if kind is None:
        return {"nav": [], "role": role, "scope_label": scope_label(role)}
    items = [("dashboard", str(_("Dashboard")), reverse("home"))]
    items += [(ledger.key, str(ledger.title), reverse(f"{ledger.key}-list")) for ledger in ledgers()]
    return {"nav": items, "role": role, "scope_label": scope_label(role)}

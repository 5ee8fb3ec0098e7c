"""Header and navigation: what the signed-in user is and may open."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ducha.org.choices import RoleKind
from ducha.org.models import Role

LEDGER_NAV = (
    ("problems", _("Problems")),
    ("projects", _("Projects")),
    ("clue-transfers", _("Clue transfers")),
    ("filed-cases", _("Filed cases")),
    ("exposed-cases", _("Exposed cases")),
    ("documents", _("Documents")),
    ("trainings", _("Trainings")),
)


def user_role(user) -> Role | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if "_ducha_role" not in user.__dict__:
        user.__dict__["_ducha_role"] = Role.objects.select_related("group", "unit").filter(user=user).first()
    return user.__dict__["_ducha_role"]


def scope_label(role: Role | None) -> str:
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
    role = user_role(getattr(request, "user", None))
    if role is None and not getattr(getattr(request, "user", None), "is_superuser", False):
        return {"nav": [], "role": role, "scope_label": scope_label(role)}
    items = [("dashboard", str(_("Dashboard")), reverse("home"))]
    items += [(key, str(label), reverse(f"{key}-list")) for key, label in LEDGER_NAV]
    can_write = role is not None and role.kind != RoleKind.VIEWER
    return {"nav": items, "role": role, "scope_label": scope_label(role), "can_write": can_write}

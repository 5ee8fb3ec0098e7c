"""The one place that decides what a user may see and change.

Every queryset a user triggers goes through `restrict(queryset, user, action)`
(NetBox's `RestrictedQuerySet.restrict` is the model). Models say where their unit
is with a `scope` attribute (`ScopePath`); reference data (domains, the catalogue)
says `scope = REFERENCE_DATA` and is readable by every role, writable by the office
only. A model that declares neither is the office's alone: scoping is closed by
default (the change log, roles, users).

  office         everything
  viewer         reads everything, changes nothing
  group member   the units assigned to its group (a league/city with its counties),
                 and its group's own records (work plans, the group's weekly reports)
  unit reporter  its own unit (a league/city also its counties)
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, TypeAlias

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Who takes an action: a signed-in user (Django's default user model), or the system actor.
Actor: TypeAlias = "User"


class RoleKind(models.TextChoices):
    """The roles of the access model; `org.Role` says who has which."""

    OFFICE = "office", _("Campaign office")
    GROUP_MEMBER = "group_member", _("Supervision group member")
    UNIT_REPORTER = "unit_reporter", _("Unit reporter")
    VIEWER = "viewer", _("Viewer")


class Action(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


class AccessDenied(Exception):
    """The user may not take this action on this object."""


@dataclass(frozen=True)
class ScopePath:
    """Lookup paths from a model to its owning unit and, optionally, its county and its
    supervision group, and the roles that write it.

    `unit` may name several paths, any of which puts the object in scope (the Unit model
    itself is in scope through its own id or its parent's); a record of a group (its work
    plan, its weekly report) names the path to that `group`, and is in scope of the group's
    members. `writers`: the roles that may add, change or delete such records (within
    their scope; the office always may); None is every role with the record in scope.
    `creators`, when given, narrows adding and deleting further: a unit answers a letter
    or records a complaint's progress (change), but only a group issues or assigns one."""

    unit: str | tuple[str, ...] = ()
    county: str | None = None
    group: str | None = None
    writers: frozenset[str] | None = None
    creators: frozenset[str] | None = None

    @property
    def unit_paths(self) -> tuple[str, ...]:
        return (self.unit,) if isinstance(self.unit, str) else self.unit

    def writable_by(self, kind: str | None, action: "Action | str") -> bool:
        roles = self.creators if self.creators is not None and action in (Action.ADD, Action.DELETE) else self.writers
        return roles is None or kind == RoleKind.OFFICE or kind in roles


OFFICE_ONLY = frozenset({RoleKind.OFFICE})
SUPERVISORS = frozenset({RoleKind.GROUP_MEMBER, RoleKind.OFFICE})  # the groups and the office


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    unit_ids: frozenset[int] = frozenset()  # owning units fully in scope, with their counties
    county_ids: frozenset[int] = frozenset()  # single counties in scope
    group_ids: frozenset[int] = frozenset()  # supervision groups whose own records are in scope

    @property
    def empty(self) -> bool:
        return not (self.everything or self.unit_ids or self.county_ids or self.group_ids)

    def contains(self, unit_id: int | None, county_id: int | None = None) -> bool:
        if self.everything:
            return True
        return unit_id in self.unit_ids or (county_id is not None and county_id in self.county_ids)


class ReferenceData:
    """The `scope` of reference data: no unit, read by every role, written by the office."""


REFERENCE_DATA = ReferenceData()

NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def user_role(user):
    """The user's `org.Role`, or None (anonymous, no role). Cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if "_ducha_role" not in user.__dict__:
        try:
            role = user.role  # the reverse one-to-one of org.Role: no import of org here
            if role.group_id:
                role.group  # noqa: B018 (loaded once: the header and scope read it)
            if role.unit_id:
                role.unit  # noqa: B018
        except ObjectDoesNotExist:
            role = None
        user.__dict__["_ducha_role"] = role
    return user.__dict__["_ducha_role"]


def role_kind(user) -> str | None:
    """The user's role kind; a superuser acts as the office."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return RoleKind.OFFICE
    role = user_role(user)
    return role.kind if role else None


def user_scope(user, action: Action | str = Action.VIEW) -> Scope:
    """The units a user may act on, for one action. Cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cache = user.__dict__.setdefault("_ducha_scope_cache", {})
    key = str(action)
    if key not in cache:
        cache[key] = _compute_scope(user, Action(action))
    return cache[key]


def _compute_scope(user, action: Action) -> Scope:
    kind = role_kind(user)
    if kind == RoleKind.OFFICE:
        return EVERYTHING
    if kind == RoleKind.VIEWER:
        return EVERYTHING if action == Action.VIEW else NOTHING
    role = user_role(user)
    if kind == RoleKind.GROUP_MEMBER and role.group is not None:
        # The same units for every action: read them once per user.
        if "_ducha_group_scope" not in user.__dict__:
            user.__dict__["_ducha_group_scope"] = group_scope(role.group)
        return user.__dict__["_ducha_group_scope"]
    if kind == RoleKind.UNIT_REPORTER and role.unit is not None:
        if role.unit.parent_id is None:
            return Scope(unit_ids=frozenset({role.unit.pk}))
        return Scope(county_ids=frozenset({role.unit.pk}))
    return NOTHING


def group_scope(group) -> Scope:
    """What a supervision group covers: its assigned units (a league/city with its
    counties) and single counties, and the group's own records."""
    rows = group.assignments.values_list("unit_id", "unit__parent_id")
    return Scope(
        unit_ids=frozenset(unit for unit, parent in rows if parent is None),
        county_ids=frozenset(unit for unit, parent in rows if parent is not None),
        group_ids=frozenset({group.pk}),
    )


def scope_q(model: type[models.Model], scope: Scope) -> Q | None:
    """The filter for a model under a scope; None means no filter at all."""
    if scope.everything:
        return None
    path = getattr(model, "scope", None)
    if not isinstance(path, ScopePath):
        return Q(pk__in=[])  # reference data and undeclared models: handled by restrict
    parts: list[Q] = []
    if scope.unit_ids:
        parts.extend(Q(**{f"{p}__in": scope.unit_ids}) for p in path.unit_paths)
    if scope.county_ids and path.county:
        parts.append(Q(**{f"{path.county}__in": scope.county_ids}))
    if scope.group_ids and path.group:
        parts.append(Q(**{f"{path.group}__in": scope.group_ids}))
    if not parts:
        return Q(pk__in=[])
    return reduce(or_, parts)


def restrict(queryset: models.QuerySet, user, action: Action | str = Action.VIEW) -> models.QuerySet:
    """The queryset cut down to what `user` may `action`."""
    scope = user_scope(user, action)
    model = queryset.model
    declared = getattr(model, "scope", None)
    if not isinstance(declared, ScopePath):
        if declared is REFERENCE_DATA and action == Action.VIEW and not user_scope(user, Action.VIEW).empty:
            return queryset  # reference data: everyone with a role reads it
        # Only the office changes reference data; an undeclared model is the office's alone.
        return queryset if user_scope(user, Action.CHANGE).everything and scope.everything else queryset.none()
    if scope.empty or (action != Action.VIEW and not model.scope.writable_by(role_kind(user), action)):
        return queryset.none()
    q = scope_q(model, scope)
    return queryset if q is None else queryset.filter(q)


def _resolve_id(obj: models.Model, path: str) -> int | None:
    """Follow `a__b__unit` on an instance and return the last hop's id without a query."""
    *hops, last = path.split("__")
    target = obj
    for hop in hops:
        target = getattr(target, hop)
        if target is None:
            return None
    return target.pk if last == "pk" else getattr(target, f"{last}_id", None)


def allows(user, obj: models.Model, action: Action | str) -> bool:
    """Whether `user` may `action` this (possibly unsaved) object."""
    scope = user_scope(user, action)
    path = getattr(type(obj), "scope", None)
    if not isinstance(path, ScopePath):
        if path is REFERENCE_DATA and Action(action) == Action.VIEW:
            return not user_scope(user, Action.VIEW).empty
        return scope.everything and user_scope(user, Action.CHANGE).everything
    if Action(action) != Action.VIEW and not path.writable_by(role_kind(user), action):
        return False
    if scope.everything:
        return True
    if path.group and scope.group_ids and _resolve_id(obj, path.group) in scope.group_ids:
        return True
    county_id = _resolve_id(obj, path.county) if path.county else None
    return any(scope.contains(_resolve_id(obj, p), county_id) for p in path.unit_paths)


def ensure_allowed(user, obj: models.Model, action: Action | str) -> None:
    if not allows(user, obj, action):
        raise AccessDenied(f"{getattr(user, 'username', user)} may not {action} {obj!r}")


def may_add_here(user, model: type[models.Model]) -> bool:
    """Whether the user may add a record of this model somewhere: a county's reporter
    adds only to ledgers whose records name a county; only the office adds reference data."""
    scope = user_scope(user, Action.ADD)
    if scope.everything:
        return True
    path = getattr(model, "scope", None)
    if not isinstance(path, ScopePath) or not path.writable_by(role_kind(user), Action.ADD):
        return False
    return _reaches(scope, path)


def may_view_any(user, model: type[models.Model]) -> bool:
    """Whether a record of this model can be in the user's view at all: a unit reporter
    never sees a group's letters, a county's reporter no unit-only ledger (navigation
    leaves out the ledgers that would list nothing for the role)."""
    scope = user_scope(user, Action.VIEW)
    if scope.everything:
        return True
    path = getattr(model, "scope", None)
    if not isinstance(path, ScopePath):
        return path is REFERENCE_DATA and not scope.empty
    return _reaches(scope, path)


def _reaches(scope: Scope, path: ScopePath) -> bool:
    """Whether the scope's units, counties or groups meet the model's paths."""
    return (
        bool(scope.unit_ids and path.unit_paths)
        or bool(scope.county_ids and path.county)
        or bool(scope.group_ids and path.group)
    )

"""Reference data and organisation changes, each through the change log."""

import json
from importlib.resources import files

from django.contrib.auth import get_user_model
from django.db import transaction

from ducha.core.access import Actor, RoleKind
from ducha.core.actions import do_bulk_create_objects
from ducha.core.changelog import Change, record_changes, serialize
from ducha.org.choices import UnitKind
from ducha.org.divisions import province_divisions
from ducha.org.models import Domain, ProjectType, Role, Unit

SYSTEM_USERNAME = "ducha-system"


def system_actor():
    """The actor for work no person started (reference data, generated data). Created on
    first use, by itself: its own creation is the first thing it logs."""
    user_model = get_user_model()
    existing = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        user = user_model(username=SYSTEM_USERNAME, is_superuser=True, first_name="系统")
        user.set_unusable_password()  # nobody signs in as the system
        user.save()
        role = Role.objects.create(user=user, kind=RoleKind.OFFICE)
        record_changes(
            [Change("create", user, after=serialize(user)), Change("create", role, after=serialize(role))],
            actor=user,
        )
    return user


def _data(package: str, name: str):
    return json.loads((files(package) / "data" / name).read_text(encoding="utf-8"))


def do_load_organisation(*, actor: Actor, province: str = "15") -> dict[str, int]:
    """Domains with project types, units (divisions of the province and the
    departments). Idempotent: only what is missing is added, so a province's own
    edits survive a re-run. The catalogue is the ledger's (ledger.reference)."""
    counts = {}
    with transaction.atomic():
        domains = {d.code: d for d in Domain.objects.all()}
        new_domains = [
            Domain(code=d["code"], name=d["name"], short_name=d["short_name"], order=i)
            for i, d in enumerate(_data("ducha.org", "domains.json"))
            if d["code"] not in domains
        ]
        do_bulk_create_objects(new_domains, actor=actor, reason="reference data")
        domains = {d.code: d for d in Domain.objects.all()}
        existing_types = set(ProjectType.objects.values_list("domain__code", "name"))
        new_types = []
        for d in _data("ducha.org", "domains.json"):
            for i, entry in enumerate(d["project_types"]):
                entry = entry if isinstance(entry, dict) else {"name": entry}
                if (d["code"], entry["name"]) not in existing_types:
                    new_types.append(
                        ProjectType(
                            domain=domains[d["code"]],
                            name=entry["name"],
                            added_by=entry.get("added_by", ""),
                            order=i,
                        )
                    )
        do_bulk_create_objects(new_types, actor=actor, reason="reference data")
        counts["domains"], counts["project_types"] = len(new_domains), len(new_types)

        known = set(Unit.objects.values_list("code", flat=True))
        divisions = province_divisions(province)
        leagues = [
            Unit(code=d.code, name=d.name, kind=UnitKind.LEAGUE, former_names=d.former_names, order=i)
            for i, d in enumerate(divisions)
            if d.parent_code is None and d.code not in known
        ]
        departments = [
            Unit(code=d["code"], name=d["name"], kind=UnitKind.DEPARTMENT, order=1000 + i)
            for i, d in enumerate(_data("ducha.org", "departments.json"))
            if d["code"] not in known
        ]
        do_bulk_create_objects(leagues + departments, actor=actor, reason="reference data")
        parents = {u.code: u for u in Unit.objects.filter(parent__isnull=True)}
        counties = [
            Unit(
                code=d.code,
                name=d.name,
                kind=UnitKind.COUNTY,
                parent=parents[d.parent_code],
                former_names=d.former_names,
                order=i,
            )
            for i, d in enumerate(divisions)
            if d.parent_code and d.code not in known
        ]
        do_bulk_create_objects(counties, actor=actor, reason="reference data")
        counts["units"] = len(leagues) + len(departments) + len(counties)
    return counts


def do_change_password(user, *, actor: Actor, raw_password: str) -> None:
    """Set a new password. The log says that it changed, never the hash."""
    with transaction.atomic():
        user.set_password(raw_password)
        user.save(update_fields=["password"])
        record_changes(
            [Change("update", user, before={"password": "…"}, after={"password": "changed"}, reason="password change")],
            actor=actor,
        )

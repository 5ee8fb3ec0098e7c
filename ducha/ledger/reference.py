"""Reference data: the organisation (org) and the default problem catalogue
(ledger/data/catalogue.json), loaded as data."""

import json
from importlib.resources import files

from django.db import transaction

from ducha.core.actions import do_bulk_create_objects
from ducha.ledger.models import MarketEntityType, ProblemCategory, ProblemItem
from ducha.org.actions import do_load_organisation
from ducha.org.models import Domain


def load_default_catalogue(*, actor, domains) -> dict[str, int]:
    data = json.loads((files("ducha.ledger") / "data" / "catalogue.json").read_text(encoding="utf-8"))
    known_cats = set(ProblemCategory.objects.values_list("code", flat=True))
    cats = [
        ProblemCategory(
            code=c["code"],
            name=c["name"],
            kind=c["kind"],
            domain=domains.get(c["domain"]) if c["domain"] else None,
            order=i,
        )
        for i, c in enumerate(data["categories"])
        if c["code"] not in known_cats
    ]
    do_bulk_create_objects(cats, actor=actor, reason="default catalogue")
    by_code = {c.code: c for c in ProblemCategory.objects.all()}
    known_items = set(ProblemItem.objects.values_list("code", flat=True))
    items = [
        ProblemItem(category=by_code[c["code"]], code=it["code"], name=it["name"], order=j)
        for c in data["categories"]
        for j, it in enumerate(c["items"])
        if it["code"] not in known_items
    ]
    do_bulk_create_objects(items, actor=actor, reason="default catalogue")
    known_types = set(MarketEntityType.objects.values_list("code", flat=True))
    types = [
        MarketEntityType(code=e["code"], name=e["name"], order=i)
        for i, e in enumerate(data["market_entity_types"])
        if e["code"] not in known_types
    ]
    do_bulk_create_objects(types, actor=actor, reason="default catalogue")
    return {"categories": len(cats), "items": len(items), "market_entity_types": len(types)}


def do_load_reference_data(*, actor, province: str = "15") -> dict[str, int]:
    """Domains, project types, units and the default catalogue; idempotent."""
    with transaction.atomic():
        counts = do_load_organisation(actor=actor, province=province)
        domains = {d.code: d for d in Domain.objects.all()}
        counts.update(load_default_catalogue(actor=actor, domains=domains))
        return counts

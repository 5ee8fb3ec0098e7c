"""The project ledger (项目台账): each row read and checked, then planned as a new project
or changes to a stored one, with the inspections it states."""

from typing import cast

from django.utils.translation import gettext_lazy as _

from ducha.core.actions import do_bulk_create_objects
from ducha.core.uscc import is_valid_uscc, normalise_uscc
from ducha.imports.findings import Planned
from ducha.imports.layouts import PROJECT_COLUMNS
from ducha.imports.rows import Reader, Row
from ducha.imports.values import clean_header, parse_date, parse_wan_yuan, parse_yes_no
from ducha.ledger.actions import do_bulk_record_inspections
from ducha.ledger.choices import InspectionKind
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Inspection, Project
from ducha.org.choices import UnitKind
from ducha.org.models import Domain, ProjectType

INSPECTION_COLUMNS = {"self": InspectionKind.SELF, "sample": InspectionKind.SAMPLE, "verify": InspectionKind.VERIFY}
_FLAGS = {InspectionKind.SELF: "self_inspected", InspectionKind.SAMPLE: "sampled", InspectionKind.VERIFY: "verified"}


class ProjectReader(Reader):
    columns = PROJECT_COLUMNS
    model = Project

    def prepare(self) -> None:
        self.domains = list(Domain.objects.all())
        self.types = {(t.domain_id, clean_header(t.name)): t for t in ProjectType.objects.all()}

    def validate(self, rows: list[Row]) -> list[Planned]:
        parsed = []
        for row in rows:
            before = self.result.error_count
            values = self.parse_row(row, self.domains, self.types)
            if values is not None and self.result.error_count == before:
                parsed.append((row, values))
        bad = self.duplicates([(row, v["unit"][1], v["number"][1]) for row, v in parsed])
        parsed = [(row, v) for row, v in parsed if row.number not in bad]
        stored = self.stored(Project, [(v["unit"][1], v["number"][1]) for _r, v in parsed])
        planned = []
        for row, values in parsed:
            p = self.plan(row, values, stored.get((values["unit"][1].pk, values["number"][1])))
            if p is not None:
                planned.append(p)
        return planned

    def parse_row(self, row: Row, domains: list[Domain], types: dict) -> dict | None:
        number = self.required(row, "number", row.text("number"))
        name = self.required(row, "name", row.text("name"))
        domain = None
        if text := row.text("domain"):
            wanted = clean_header(text)
            domain = next((d for d in domains if wanted in {d.name, d.short_name, d.code, d.short_name + "领域"}),
                          None)  # fmt: skip
            if domain is None:
                names = "、".join(d.short_name for d in domains)
                self.error(row, "domain", _("“%(value)s” is not a trading domain (%(choices)s)"), choices=names)
        else:
            self.required(row, "domain", None)
        project_type = None
        if (text := row.text("project_type")) and domain is not None:
            project_type = types.get((domain.pk, clean_header(text)))
            if project_type is None:
                self.error(row, "project_type", _("“%(value)s” is not a project type of %(domain)s"),
                           domain=domain.short_name)  # fmt: skip
        league = self.owner(row, "league", kinds=[UnitKind.LEAGUE])
        department = self.owner(row, "department", kinds=[UnitKind.DEPARTMENT])
        unit = league or department
        if unit is None and not row.text("league") and not row.text("department"):
            self.error(row, "league", _("a value is required (or give 主管部门)"))
        county = None
        if text := row.text("county"):
            if league is None:
                if unit is not None:
                    self.error(row, "county", _("“%(value)s”: a county is given only with its league/city"))
            else:
                county = self.unit(text, parent=league)
                if county is None:
                    elsewhere = self.unit(text)
                    if elsewhere is not None and elsewhere.kind == UnitKind.COUNTY:
                        self.error(row, "county", _("“%(value)s” does not lie in %(unit)s"), unit=league.name)
                    else:
                        self.error(row, "county", _("“%(value)s” is not a known county"))
        if unit is not None:
            key = "league" if league else "department"
            self.early_scope(row, "county" if county else key, unit=unit, county=county)
        self.required(row, "tenderer", row.text("tenderer"))
        usccs = {}
        for key in ("tenderer_uscc", "winner_uscc"):
            code = normalise_uscc(row.text(key))
            if code and not is_valid_uscc(code):
                self.error(row, key, _("“%(value)s” is not a valid unified social credit code"))
            usccs[key] = code
        amount = self.parse(row, "amount", parse_wan_yuan)
        trade_date = self.parse(row, "trade_date", parse_date)
        if trade_date and not (self.campaign.scope_start <= trade_date <= self.campaign.scope_end):
            self.warn(row, "trade_date", _("“%(value)s” lies outside the campaign's scope (%(start)s to %(end)s)"),
                      start=self.campaign.scope_start.isoformat(), end=self.campaign.scope_end.isoformat())  # fmt: skip
        flags = {k: self.parse(row, k, parse_yes_no) for k in INSPECTION_COLUMNS}
        if unit is None or not number:
            return None
        return {
            "unit": ("league", unit),
            "number": ("number", number),
            "name": ("name", name),
            "domain": ("domain", domain),
            "project_type": ("project_type", project_type),
            "county": ("county", county),
            "tenderer": ("tenderer", row.text("tenderer")),
            "tenderer_uscc": ("tenderer_uscc", usccs["tenderer_uscc"]),
            "agency": ("agency", row.text("agency")),
            "winner": ("winner", row.text("winner")),
            "winner_uscc": ("winner_uscc", usccs["winner_uscc"]),
            "amount": ("amount", amount),
            "trade_date": ("trade_date", trade_date),
            "platform_code": ("platform_code", row.text("platform_code")),
            "remarks": ("remarks", row.text("remarks")),
            "_flags": flags,
        }

    def plan(self, row: Row, values: dict, stored: Project | None) -> Planned | None:
        flags = values.pop("_flags")
        scope_key = "county" if values["county"][1] is not None else "league"
        if not row.text("league"):
            scope_key = "department"
        p = Planned(row.number, values["number"][1])
        if stored is None:
            obj = cast(Project, self.new_record(campaign=self.campaign, **{k: v for k, (_key, v) in values.items()}))
            self.check_new(row, obj, scope_key)
            p.new = obj
            p.inspections = [kind for key, kind in INSPECTION_COLUMNS.items() if flags[key]]
        else:
            values.pop("unit"), values.pop("number")
            p.existing = stored
            p.changes = self.changes(row, stored, values)
            self.check_existing(row, stored, p.changes, scope_key)
            for key, kind in INSPECTION_COLUMNS.items():
                done = getattr(stored, _FLAGS[kind])
                if flags[key] and not done:
                    p.inspections.append(kind)
                elif flags[key] is False and done:
                    self.warn(row, key, _("“%(value)s”: the inspection is recorded already and stays recorded"))
        return None if row.number in self.result.refused_rows else p

    def apply(self, planned: list[Planned], batch: str, evidence: EvidenceUpload | None) -> None:
        do_bulk_create_objects([p.new for p in planned if p.new is not None], actor=self.actor,
                               reason=self.reason, batch=batch)  # fmt: skip
        self.update_all(planned, batch)
        inspections = [
            Inspection(project=cast(Project, p.new if p.new is not None else p.existing), kind=kind)
            for p in planned
            for kind in p.inspections
        ]
        do_bulk_record_inspections(inspections, actor=self.actor, batch=batch)

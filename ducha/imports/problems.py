"""The problem ledger (问题台账): each row read and checked, then planned as a new problem
or changes to a stored one, with the rectification steps that bring it to its stated status."""

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, user_scope
from ducha.core.actions import do_bulk_create_objects
from ducha.imports.findings import Planned
from ducha.imports.layouts import PROBLEM_COLUMNS
from ducha.imports.rows import Reader, Row
from ducha.imports.values import clean_header, parse_date, parse_yes_no, short_name
from ducha.ledger.actions import Move, do_bulk_create_problems, do_bulk_transition_problems
from ducha.ledger.choices import ClueAuthority, DiscoveryMethod, ProblemStatus
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import MarketEntityType, Problem, ProblemCategory, ProblemItem, Project
from ducha.ledger.rectification import StepInput, TransitionError, check_requirements, path_between
from ducha.org.choices import UnitKind
from ducha.org.models import Domain, Unit

# The words of the workbooks (they are Chinese whatever the interface language).
STATUS_WORDS: dict[str, str] = {
    "待整改": ProblemStatus.FOUND,
    "整改中": ProblemStatus.RECTIFYING,
    "已整改": ProblemStatus.RECTIFIED,
    "已销号": ProblemStatus.SIGNED_OFF,
    "不予认定": ProblemStatus.DISMISSED,
}
STATUS_NAMES: dict[str, str] = {v: k for k, v in STATUS_WORDS.items()}
DISCOVERY_WORDS: dict[str, str] = {
    "自查": DiscoveryMethod.SELF,
    "抽查": DiscoveryMethod.SAMPLE,
    "核查": DiscoveryMethod.VERIFY,
    "督导": DiscoveryMethod.SUPERVISION,
    "举报": DiscoveryMethod.COMPLAINT,
    "数据分析": DiscoveryMethod.ANALYTICS,
}
AUTHORITY_WORDS: dict[str, str] = {
    "公安机关": ClueAuthority.POLICE,
    "纪检监察机关": ClueAuthority.DISCIPLINE,
    "行业主管部门": ClueAuthority.INDUSTRY,
}


# What a problem's rules read of its project (Problem.clean): the rest is not loaded.
PROJECT_FIELDS = ("id", "unit", "number", "county", "domain")


class Catalogue:
    """Catalogue entries (categories, items, entity types) as a cell names them: by code,
    else by full name, else by the name without its explanation in brackets; each only
    when it names exactly one entry. Built once per import, answers cached per text."""

    def __init__(self, entries: Iterable[Any]):
        self.by: tuple[dict[str, list], ...] = ({}, {}, {})
        for entry in entries:
            keys = (clean_header(entry.code), clean_header(entry.name), short_name(entry.name))
            for by, key in zip(self.by, keys, strict=True):
                by.setdefault(key, []).append(entry)
        self.found: dict[str, Any] = {}

    def find(self, text: str) -> Any:
        if text not in self.found:
            wanted = clean_header(text)
            matches = (by.get(key, ()) for by, key in zip(self.by, (wanted.upper(), wanted, wanted), strict=True))
            self.found[text] = next((m[0] for m in matches if len(m) == 1), None)
        return self.found[text]


class ProblemReader(Reader):
    columns = PROBLEM_COLUMNS
    model = Problem

    def prepare(self) -> None:
        self.categories = Catalogue(ProblemCategory.objects.all())
        self.items = Catalogue(ProblemItem.objects.select_related("category"))
        self.entity_types = Catalogue(MarketEntityType.objects.all())
        self.domains = Domain.objects.in_bulk()
        self.counties = Unit.objects.filter(parent__isnull=False).in_bulk()
        self.as_of = self.campaign.as_of()
        self.evidence_stored: dict = {}  # the workbook, checked and stored by the first chunk's moves
        # A county's reporter: its problems are in scope through their project's county, known later.
        self.scope_early = not user_scope(self.actor, Action.ADD).county_ids

    def validate(self, rows: list[Row]) -> list[Planned]:
        parsed = []
        for row in rows:
            before = self.result.error_count
            values = self.parse_row(row)
            if values is not None and self.result.error_count == before:
                parsed.append((row, values))
        bad = self.duplicates([(row, v["unit"], v["number"]) for row, v in parsed])
        parsed = [(row, v) for row, v in parsed if row.number not in bad]
        keys = [(v["unit"], v["number"]) for _r, v in parsed]
        stored = self.stored(Problem, keys)
        # A problem's rules read its project's unit, county and domain (the ids; the county is the problem's own).
        projects = self.stored(
            Project, [(v["unit"], v["project"]) for _r, v in parsed if v["project"]], only=PROJECT_FIELDS
        )
        planned = []
        for row, values in parsed:
            p = self.plan(row, values, stored.get((values["unit"].pk, values["number"])), projects)
            if p is not None:
                planned.append(p)
        return planned

    def _catalogue(self, row: Row, key: str, catalogue: "Catalogue") -> Any:
        text = row.text(key)
        return catalogue.find(text) if text else None

    def parse_row(self, row: Row) -> dict | None:
        number = self.required(row, "number", row.text("number"))
        unit = self.owner(row, "unit", kinds=[UnitKind.LEAGUE, UnitKind.DEPARTMENT])
        if not row.text("unit"):
            self.required(row, "unit", None)
        if unit is not None and self.scope_early:
            self.early_scope(row, "unit", unit=unit)
        category = self._catalogue(row, "category", self.categories)
        item = self._catalogue(row, "item", self.items)
        if row.text("category") and category is None:
            # A domain list's entry named in 问题类别 (应进未进): its item, and so its category.
            named = self._catalogue(row, "category", self.items)
            if named is None:
                self.error(row, "category", _("“%(value)s” is not a category of the problem catalogue"))
            else:
                category, item = named.category, item or named
        if row.text("item") and item is None:
            self.error(row, "item", _("“%(value)s” is not an item of the problem catalogue"))
        elif item is not None and category is None:
            category = item.category
        elif item is not None and item.category_id != category.pk:
            self.error(row, "item", _("“%(value)s” does not belong to the category %(category)s"),
                       category=category.name)  # fmt: skip
        entity_type = self._catalogue(row, "entity_type", self.entity_types)
        if row.text("entity_type") and entity_type is None:
            self.error(row, "entity_type", _("“%(value)s” is not a market-entity type"))
        description = self.required(row, "description", row.text("description"))
        method = self.choice(row, "discovery_method", DISCOVERY_WORDS, required=True)
        found_on = self.parse(row, "found_on", parse_date)
        if not row.text("found_on"):
            self.required(row, "found_on", None)
        deadline = self.parse(row, "deadline", parse_date)
        status = self.choice(row, "status", STATUS_WORDS)
        rectified_on = self.parse(row, "rectified_on", parse_date)
        if status in (ProblemStatus.RECTIFIED, ProblemStatus.SIGNED_OFF) and rectified_on is None:
            self.error(row, "rectified_on", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[status])  # fmt: skip
        if status == ProblemStatus.SIGNED_OFF and not row.text("opinion"):
            self.error(row, "opinion", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[status])  # fmt: skip
        if status == ProblemStatus.DISMISSED and not row.text("dismiss_reason"):
            self.error(row, "dismiss_reason", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[status])  # fmt: skip
        noted = []
        clue = self.parse(row, "clue", parse_yes_no)
        authority = self.choice(row, "authority", AUTHORITY_WORDS)
        if clue and authority is None and not row.text("authority"):
            self.error(row, "authority", _("a value is required when 是否移交线索 is 是"))
        if clue:
            noted.append("clue")
        for key in ("filed", "exposed"):
            if self.parse(row, key, parse_yes_no):
                noted.append(key)
        if unit is None or not number:
            return None
        return {
            "unit": unit,
            "number": number,
            "project": row.text("project"),
            "category": category,
            "item": item,
            "entity_type": entity_type,
            "description": description,
            "discovery_method": method,
            "found_on": found_on,
            "measures": row.text("measures"),
            "deadline": deadline,
            "status": status,
            "rectified_on": rectified_on,
            "opinion": row.text("opinion"),
            "reason": row.text("dismiss_reason"),
            "responsible": row.text("responsible"),
            "remarks": row.text("remarks"),
            "noted": noted,
        }

    def choice(self, row: Row, key: str, words: dict[str, str], *, required: bool = False) -> str | None:
        text = row.text(key)
        if text not in words:  # (a word as the workbook writes it needs no more cleaning)
            text = clean_header(text)
        if not text:
            if required:
                self.required(row, key, None)
            return None
        value = words.get(text) or (text if text in words.values() else None)
        if value is None:
            self.error(row, key, _("“%(value)s” is not one of %(choices)s"), choices=" / ".join(words))
        return value

    def plan(self, row: Row, v: dict, stored: Problem | None, projects: dict) -> Planned | None:
        unit = v["unit"]
        project = None
        if v["project"]:
            project = projects.get((unit.pk, v["project"]))
            if project is None:
                self.error(row, "project", _("“%(value)s”: no such project of %(unit)s"), unit=unit.name)
                return None
        category = v["category"]
        domain = self.domains[project.domain_id] if project else (category.domain if category else None)
        fields = {
            "project": ("project", project),
            "county": ("project", self.counties[project.county_id] if project and project.county_id else None),
            "domain": ("project", domain),
            "category": ("category", category),
            "item": ("item", v["item"]),
            "entity_type": ("entity_type", v["entity_type"]),
            "description": ("description", v["description"]),
            "discovery_method": ("discovery_method", v["discovery_method"]),
            "found_on": ("found_on", v["found_on"]),
            "measures": ("measures", v["measures"]),
            "deadline": ("deadline", v["deadline"]),
            "responsible": ("responsible", v["responsible"]),
            "remarks": ("remarks", v["remarks"]),
        }
        if stored is not None and not row.present("project"):
            fields = {k: f for k, f in fields.items() if k not in ("project", "county", "domain")}
        p = Planned(row.number, v["number"], noted=v["noted"])
        before = self.result.error_count
        if stored is None:
            obj = cast(Problem, self.new_record(campaign=self.campaign, unit=unit, number=v["number"],
                                                **{k: value for k, (_key, value) in fields.items()}))  # fmt: skip
            self.check_new(row, obj, "unit")
            p.new, current, found_on = obj, str(ProblemStatus.FOUND), v["found_on"]
            measures = v["measures"]
        else:
            p.existing, current = stored, stored.status
            p.changes = self.changes(row, stored, fields)
            self.check_existing(row, stored, p.changes, "unit")
            found_on = p.changes.get("found_on", stored.found_on)
            measures = v["measures"] if row.present("measures") else stored.measures
        if self.result.error_count == before:
            self.plan_steps(row, p, current, v, found_on, measures)
        return None if row.number in self.result.refused_rows else p

    def plan_steps(self, row: Row, p: Planned, current: str, v: dict, found_on: dt.date, measures: str) -> None:
        target = v["status"] or current
        try:
            path = path_between(current, target)
        except TransitionError:
            source, wanted = STATUS_NAMES[ProblemStatus(current)], STATUS_NAMES[ProblemStatus(target)]
            self.error(row, "status", _("“%(value)s”: a problem cannot go from %(source)s to %(target)s"),
                       source=source, target=wanted)  # fmt: skip
            return
        if any(t.verb == "reject" for t in path):
            self.error(row, "status", _("“%(value)s”: a rectification is sent back by the group on the problem's "
                                        "page, not by an import"))  # fmt: skip
            return
        started = (ProblemStatus.RECTIFYING, ProblemStatus.RECTIFIED, ProblemStatus.SIGNED_OFF)
        if target in started and not measures:
            self.error(row, "measures", _("a value is required when the status is %(status)s"),
                       status=STATUS_NAMES[ProblemStatus(target)])  # fmt: skip
            return
        # The workbook itself is the evidence of the statuses it states (one file).
        step = StepInput(v["reason"], measures, v["opinion"], 1, v["rectified_on"])
        for t in path:
            try:
                check_requirements(t, step, found_on=found_on, as_of=self.as_of)
            except TransitionError as error:
                self.model_errors(row, error)
                return
            if t.verb == "start":
                when = _day(found_on)
            elif t.verb in ("complete", "sign_off"):
                when = _day(v["rectified_on"])
            else:
                when = timezone.now()  # a dismissal: its day is not in the ledger
            p.steps.append((t.target, when))
        p.step_input = step

    def apply(self, planned: list[Planned], batch: str, evidence: EvidenceUpload | None) -> None:
        # Unit by unit: most of a problem's indexes lead with its campaign and unit, and rows
        # in their order touch far fewer index pages than rows in the file's.
        new = sorted((cast(Problem, p.new) for p in planned if p.new is not None),
                     key=lambda p: (p.unit_id, p.domain_id or 0, p.number))  # fmt: skip
        if evidence is None:  # (the moves were checked when planned: a dry run writes none)
            do_bulk_create_objects(new, actor=self.actor, reason=self.reason, batch=batch)
            self.update_all(planned, batch)
            return
        # A new problem is written with its stated status, its steps and evidence at once.
        moves = [self.move(p, evidence) for p in planned if p.steps and p.new is not None]
        do_bulk_create_problems(new, moves, actor=self.actor, reason=self.reason, batch=batch,
                                files_stored=self.evidence_stored)  # fmt: skip
        self.update_all(planned, batch)
        moves = [self.move(p, evidence) for p in planned if p.steps and p.new is None]
        if moves:
            do_bulk_transition_problems(moves, actor=self.actor, batch=batch, files_stored=self.evidence_stored)

    def move(self, p: Planned, evidence: EvidenceUpload) -> Move:
        """One move per problem, its whole path at once; each step keeps its own business time."""
        s, problem = p.step_input, cast(Problem, p.new if p.new is not None else p.existing)
        files = [evidence] if any(target == ProblemStatus.RECTIFIED for target, _w in p.steps) else []
        target, when = p.steps[-1][0], p.steps[0][1]
        return Move(problem, target, when, s.completed_on, s.reason, s.measures, s.opinion, files,
                    times=dict(p.steps))  # fmt: skip


def _day(date: dt.date) -> dt.datetime:
    """The business time of a step known by its day: that day's start, local time."""
    return timezone.make_aware(dt.datetime.combine(date, dt.time()))

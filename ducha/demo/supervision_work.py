"""One group's supervision work in the demo: its site rounds and their visits (down to
counties), the problems the rounds found, its phone contacts (under its contact rule),
the look-back checks, its letters and complaints (demo/supervision_letters.py)."""

import datetime as dt
from typing import TYPE_CHECKING

from ducha.demo import vocabulary as V
from ducha.demo.supervision_letters import complaints, letters
from ducha.demo.supervision_plan import PHONE_RULE_FROM, Round, SupervisionPlan
from ducha.demo.supervision_texts import METHOD_WORDS, PHONE_FOLLOW_UPS, PHONE_TOPICS, VISIT_TEXT
from ducha.ledger.choices import RECTIFIED_STATUSES, DiscoveryMethod, ProblemStatus
from ducha.ledger.models import Problem, Project
from ducha.org.models import SupervisionGroup, Unit
from ducha.supervision.actions.rounds import do_record_look_back_check
from ducha.supervision.choices import ContactKind, LookBackOutcome, RoundKind
from ducha.supervision.models import Contact, ContactRule, LookBackCheck, RoundProblem, SupervisionRound

if TYPE_CHECKING:
    from ducha.demo.supervision import SupervisionBuilder

D = dt.date.fromisoformat
DAY = dt.timedelta(days=1)
PHONE_FROM = D("2024-05-06")  # after the work plans: contacts by phone begin


class GroupWork:
    def __init__(self, sb: "SupervisionBuilder", plan: SupervisionPlan, group: SupervisionGroup, units: list[Unit]):
        self.sb, self.plan, self.group, self.units = sb, plan, group, units
        self.rng, self.campaign, self.create = sb.rng, sb.campaign, sb.create
        # 专人督导: one supervisor of the group for each of its units.
        self.supervisor = {u.pk: V.person(self.rng) for u in units}

    def build(self) -> None:
        rounds = self.create(
            [
                SupervisionRound(
                    campaign=self.campaign,
                    group=self.group,
                    number=n,
                    kind=RoundKind.LOOK_BACK if r.look_back else RoundKind.REGULAR,
                    starts_on=D(r.starts_on),
                    ends_on=D(r.ends_on),
                    methods=list(r.methods),
                    summary=r.summary,
                )
                for n, r in enumerate(self.plan.rounds, start=1)
            ]
        )
        visits = [v for rnd, r in zip(rounds, self.plan.rounds, strict=True) for v in self.visits(rnd, r)]
        self.create(visits)
        self.round_problems(rounds, visits)
        self.phone_contacts()
        written = letters(self)
        self.create(written)
        complaints(self)
        for rnd, r in zip(rounds, self.plan.rounds, strict=True):
            if rnd.kind == RoundKind.LOOK_BACK:
                if r.reopens:  # first: the problems it confirms are others
                    self.reopen(rnd, self.sb.builder.units[r.reopens])
                self.look_back(rnd)

    def contact(self, unit: Unit, kind: str, day: dt.date, content: str, **more) -> Contact:
        return Contact(
            campaign=self.campaign,
            group=self.group,
            unit=unit,
            kind=kind,
            contacted_on=day,
            supervisor=self.supervisor[unit.pk],
            content=content,
            **more,
        )

    def visited(self, number: int) -> list[Unit]:
        """The units a round visits: every unit; the procurement group, with a round every
        month, two leagues/cities and two departments in turn."""
        if len(self.plan.rounds) <= 3:
            return self.units
        leagues = [u for u in self.units if u.kind == "league"]
        departments = [u for u in self.units if u.kind != "league"]
        return [*(leagues[(number + i) % len(leagues)] for i in range(2)),
                *(departments[(2 * number + i) % len(departments)] for i in range(2))]  # fmt: skip

    def visits(self, rnd: SupervisionRound, r: Round) -> list[Contact]:
        text = VISIT_TEXT.format(methods="、".join(METHOD_WORDS[m] for m in r.methods))
        days = (rnd.ends_on - rnd.starts_on).days
        out = []
        units = {u.code: u for u in self.units}
        for unit in self.visited(rnd.number):
            day = rnd.starts_on + DAY * self.rng.randint(0, days)
            out.append(self.contact(unit, ContactKind.ON_SITE, day, f"{r.summary}。{text}", round=rnd,
                                    follow_up="督促按现场反馈意见限期整改"))  # fmt: skip
        for league, county in r.counties:  # 下沉旗县
            county_unit = self.sb.builder.units[county]
            day = rnd.starts_on + DAY * self.rng.randint(0, days)
            content = f"下沉{county_unit.name}抽查，直观了解专项工作部署落实情况。{text}"
            out.append(self.contact(units[league], ContactKind.ON_SITE, day, content, round=rnd, county=county_unit))
        return out

    def round_problems(self, rounds: list[SupervisionRound], visits: list[Contact]) -> None:
        """The problems found by supervision in a regular round's days, at a unit it
        visited: the problems the round found (the ledger has them already)."""
        links = []
        for rnd in rounds:
            if rnd.kind != RoundKind.REGULAR:
                continue
            visited = {v.unit_id for v in visits if v.round is rnd}
            found = Problem.objects.filter(
                campaign=self.campaign,
                unit__in=visited,
                discovery_method=DiscoveryMethod.SUPERVISION,
                found_on__range=(rnd.starts_on, rnd.ends_on),
            )
            links += [RoundProblem(round=rnd, problem=p) for p in found.order_by("pk")]
        self.create(links)

    def phone_contacts(self) -> None:
        """The plan's phone contacts on working days from May; with a contact rule, from
        its first week the number it asks per unit every complete week (a unit built to
        lag one short every third week)."""
        rng, closes = self.rng, self.campaign.closes_on
        rule_from = D(PHONE_RULE_FROM) if self.plan.phone_rule else closes
        if self.plan.phone_rule:
            self.create([ContactRule(campaign=self.campaign, group=self.group, kind=ContactKind.PHONE,
                                     per_week=self.plan.phone_rule, starts_on=rule_from)])  # fmt: skip
        span = (rule_from - PHONE_FROM).days - 1
        calls = []
        for _n in range(self.plan.phone_contacts):
            day = PHONE_FROM + DAY * rng.randint(0, span)
            while day.weekday() > 4:
                day -= DAY
            calls.append((rng.choice(self.units), day))
        week = rule_from
        while self.plan.phone_rule and week + 6 * DAY <= closes:
            for unit in self.units:
                short = unit.pk in self.sb.lagging and (week - rule_from).days // 7 % 3 == 1
                for weekday in sorted(rng.sample(range(5), self.plan.phone_rule - short)):
                    calls.append((unit, week + DAY * weekday))
            week += 7 * DAY
        self.create(
            [
                self.contact(
                    u, ContactKind.PHONE, day, rng.choice(PHONE_TOPICS), follow_up=rng.choice(PHONE_FOLLOW_UPS)
                )
                for u, day in sorted(calls, key=lambda c: (c[1], c[0].code))
            ]
        )

    def look_back(self, rnd: SupervisionRound) -> None:
        """The look-back round re-checks self-inspected projects and problems rectified
        before it, three and two a unit, rectification confirmed; the problems found by
        supervision in its days are what it newly found."""
        rng, checks = self.rng, []
        days = (rnd.ends_on - rnd.starts_on).days

        def day() -> dt.date:
            return rnd.starts_on + DAY * rng.randint(0, days)

        for unit in self.units:
            projects = list(Project.objects.filter(campaign=self.campaign, unit=unit, self_inspected=True)
                            .order_by("pk").values_list("pk", flat=True)[:400])  # fmt: skip
            for pk in rng.sample(projects, 3):
                checks.append(LookBackCheck(round=rnd, project_id=pk, checked_on=day(),
                                            outcome=LookBackOutcome.CONFIRMED, note="自查结果属实"))  # fmt: skip
            problems = list(Problem.objects.filter(campaign=self.campaign, unit=unit, status__in=RECTIFIED_STATUSES,
                                                   rectified_on__lt=rnd.starts_on).order_by("pk")[:200])  # fmt: skip
            for p in rng.sample(problems, min(2, len(problems))):
                checks.append(LookBackCheck(round=rnd, problem=p, checked_on=day(),
                                            outcome=LookBackOutcome.CONFIRMED, note="整改到位"))  # fmt: skip
        found = Problem.objects.filter(
            campaign=self.campaign,
            unit__in=self.units,
            project__isnull=False,
            discovery_method=DiscoveryMethod.SUPERVISION,
            found_on__range=(rnd.starts_on, rnd.ends_on),
        )
        for p in found.order_by("pk"):
            checks.append(LookBackCheck(round=rnd, project_id=p.project_id, checked_on=p.found_on,
                                        outcome=LookBackOutcome.NEW_PROBLEM, new_problem=p, note="新问题"))  # fmt: skip
        self.create(checks)

    def reopen(self, rnd: SupervisionRound, unit: Unit) -> None:
        """One of the unit's problems signed off before the round, found not truly
        rectified: reopened by the look-back action (a logged step back to rectifying)."""
        signed_off = Problem.objects.filter(
            campaign=self.campaign, unit=unit, status=ProblemStatus.SIGNED_OFF, rectified_on__lt=rnd.starts_on
        ).exclude(domain__code="state_property")  # seed: every state-property problem stays rectified
        problem = signed_off.order_by("pk").first()
        assert problem is not None, unit.code
        do_record_look_back_check(
            rnd,
            actor=self.sb.builder.actor,
            outcome=LookBackOutcome.NOT_RECTIFIED,
            checked_on=rnd.starts_on + DAY,
            problem=problem,
            note="现场查看整改佐证材料与实际不符",
            reason="回头看发现整改不到位，佐证材料与实际不符，重新整改",
        )

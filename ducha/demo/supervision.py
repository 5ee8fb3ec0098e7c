"""The demo campaign's supervision work (督导工作), generated after its ledgers.

It reproduces the seed account's supervision figures (demo/supervision_plan.py): work
plans, weekly reports of the units to their groups and of the groups to the office,
site rounds with their visits (down to counties), phone and written contacts under the
engineering group's contact rule, look-back checks, letters with their responses and the
complaints forwarded by the coordination group. Every record goes through the bulk
action (do_bulk_create_objects: scope, the models' clean(), uniqueness, the change log),
in the demo's change-log batch; a look-back reopening through the look-back action.
Its own random stream, so that the ledgers stay as they are.
"""

import datetime as dt
from random import Random
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from ducha.core.days import end_of
from ducha.demo.evidence import one_page_pdf
from ducha.demo.plan import SEED
from ducha.demo.supervision_plan import FIRST_REPORTING_WEEK, LAGGING_UNITS, PLANS, SupervisionPlan
from ducha.demo.supervision_texts import WEEKLY_NARRATIVES
from ducha.demo.supervision_work import GroupWork
from ducha.ledger.evidence import EvidenceUpload
from ducha.org.models import Assignment, Stage, SupervisionGroup, Unit
from ducha.reports.statistics import campaign_statistics, weekly_trend
from ducha.reports.weekly_figures import REPORT_FIGURES
from ducha.supervision.actions.plans import do_attach_work_plan_documents
from ducha.supervision.models import GroupWeeklyReport, ReportingSchedule, UnitWeeklyReport, WorkPlan
from ducha.supervision.weeks import Week, reporting_weeks

if TYPE_CHECKING:
    from ducha.demo.generate import DemoBuilder

SEED_OFFSET = 8  # issue 8: the supervision work's own stream


def build_supervision(builder: "DemoBuilder") -> None:
    SupervisionBuilder(builder).build()


class SupervisionBuilder:
    def __init__(self, builder: "DemoBuilder"):
        self.builder = builder
        self.create = builder.create
        self.campaign = builder.campaign
        self.rng = Random(SEED + SEED_OFFSET)
        self.users = {u.username: u for u in get_user_model().objects.filter(username__regex=r"^(group|unit)-")}
        self.stages = {s.kind: s for s in Stage.objects.filter(campaign=self.campaign)}
        self.lagging = {builder.units[c].pk for c in LAGGING_UNITS}

    def build(self) -> None:
        first_week = dt.date.fromisoformat(FIRST_REPORTING_WEEK)
        schedule = self.create([ReportingSchedule(campaign=self.campaign, first_week_starts=first_week)])[0]
        # The weeks whose reports fell due by the campaign's close.
        closed = end_of(self.campaign.closes_on)
        self.weeks = [w for w in reporting_weeks(schedule, until=self.campaign.closes_on) if w.unit_due < closed]
        stats = campaign_statistics(self.campaign)
        self.statistics = {("unit", u["unit"]): u for u in stats["by_unit"]}
        self.statistics.update({("group", g["group"]): g for g in stats["by_group"]})
        for plan in PLANS:
            group = self.builder.groups[plan.domain]
            assigned = Assignment.objects.filter(group=group).select_related("unit")
            units = [a.unit for a in assigned.order_by("unit__order", "unit__code")]
            self.work_plans(plan, group)
            GroupWork(self, plan, group, units).build()
            self.unit_reports(group, units)
            self.group_reports(plan, group)

    def work_plans(self, plan: SupervisionPlan, group: SupervisionGroup) -> None:
        """The plan's work plans, each with its document (a one-page PDF, stored like evidence)."""
        plans = self.create(
            [
                WorkPlan(
                    campaign=self.campaign,
                    group=group,
                    stage=self.stages[stage] if stage else None,
                    title=f"《{title}》",
                    issued_on=dt.date.fromisoformat(issued_on),
                    summary="明确督导检查的重点任务、检查方式、具体措施和人员分工。",
                )
                for title, stage, issued_on in plan.work_plans
            ]
        )
        for work_plan, (title, _stage, _issued) in zip(plans, plan.work_plans, strict=True):
            lines = [f"Supervision group: {group.code}", f"Issued on {work_plan.issued_on.isoformat()}"]
            pdf = one_page_pdf("督导检查工作方案", lines, work_plan.issued_on, title)
            uploads = [EvidenceUpload(f"{title}.pdf", pdf)]
            do_attach_work_plan_documents(work_plan, actor=self.builder.actor, uploads=uploads)

    def submitted(self, due: dt.datetime, late: bool) -> dt.datetime:
        """When a report came: within a day before its due time, or up to three days after."""
        hours = self.rng.randint(1, 72) if late else -self.rng.randint(0, 26)
        return due + dt.timedelta(hours=hours, minutes=self.rng.randint(1, 59) * (1 if late else -1))

    def unit_reports(self, group: SupervisionGroup, units: list[Unit]) -> None:
        """Every unit reports every week, about one in twelve late; a unit built to lag
        is late one week in three and leaves four weeks out."""
        reports = []
        for unit in units:
            figures = self.figures_of(self.users[f"unit-{unit.code}"], self.statistics["unit", unit.code])
            lagging = unit.pk in self.lagging
            missing = set(self.rng.sample(range(len(self.weeks)), 4)) if lagging else set()
            for n, week in enumerate(self.weeks):
                if n in missing:
                    continue
                late = self.rng.random() < (0.35 if lagging else 0.08)
                reports.append(
                    UnitWeeklyReport(
                        campaign=self.campaign,
                        unit=unit,
                        group=group,
                        week_starts=week.starts,
                        submitted_at=self.submitted(week.unit_due, late),
                        submitted_by=self.users[f"unit-{unit.code}"],
                        figures=figures(week),
                        narrative=self.rng.choice(WEEKLY_NARRATIVES),
                    )
                )
        self.create(reports)

    def figures_of(self, user, standing: dict):
        """The figures a report carries: the statistics of its submitter's scope (a unit's
        reporter: the unit's row; a group's member: the group's), as the ledger stands:
        entered after the fact, as the weekly action does for a report received earlier;
        with the week's own problems found and rectified. One statistics call for all the
        reports (one per report would cost seconds)."""
        kept = {name: standing[name] for name in REPORT_FIGURES}
        trend = {w["week"]: w for w in weekly_trend(self.campaign, user=user)}

        def of(week: Week) -> dict:
            this = trend.get(week.starts.isoformat(), {})
            found, rectified = this.get("found", 0), this.get("rectified", 0)
            return {**kept, "problems_found_this_week": found, "problems_rectified_this_week": rectified}

        return of

    def group_reports(self, plan: SupervisionPlan, group: SupervisionGroup) -> None:
        """The group's reports to the office: `plan.group_reports` of the due weeks, the
        first ones on time (the engineering group's all), an odd one late."""
        member = self.users[f"group-{plan.domain}"]
        figures = self.figures_of(member, self.statistics["group", group.code])
        left_out = set(self.rng.sample(range(1, len(self.weeks)), len(self.weeks) - plan.group_reports))
        reports = []
        for n, week in enumerate(self.weeks):
            if n in left_out:
                continue
            late = plan.domain != "engineering" and self.rng.random() < 0.1  # seed: 按时报送
            submitted = self.submitted(week.group_due, late)
            reports.append(
                GroupWeeklyReport(
                    campaign=self.campaign,
                    group=group,
                    week_starts=week.starts,
                    submitted_at=max(submitted, week.unit_due),  # after its units' reports were due
                    submitted_by=member,
                    figures=figures(week),
                    narrative=self.rng.choice(WEEKLY_NARRATIVES),
                )
            )
        self.create(reports)

"""Forms of weekly scheduling: submitting a report (the week and the narrative; the
figures the action reads from the ledger), correcting its narrative, and the office's
reporting schedule."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ducha.ledger.forms import ScopedForm
from ducha.org.models import active_campaign
from ducha.supervision.models import GroupWeeklyReport, ReportingSchedule, UnitWeeklyReport
from ducha.supervision.weeks import Week

NARRATIVE = forms.Textarea(attrs={"rows": 6})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def week_label(week: Week, due: dt.datetime) -> str:
    return _("%(starts)s to %(ends)s (due %(due)s)") % {
        "starts": week.starts.isoformat(),
        "ends": week.ends.isoformat(),
        "due": timezone.localtime(due).strftime("%m-%d %H:%M"),
    }


class SubmitWeeklyReportForm(forms.Form):
    """A weekly report to submit: one of the weeks not yet reported (newest first)."""

    week_starts = forms.TypedChoiceField(label=_("week"), coerce=dt.date.fromisoformat)
    narrative = forms.CharField(label=_("progress this week"), widget=NARRATIVE)

    def __init__(self, *args, weeks: list[tuple[Week, dt.datetime]], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["week_starts"]
        field.choices = [(w.starts.isoformat(), week_label(w, due)) for w, due in weeks]  # type: ignore[attr-defined]
        if weeks:
            field.initial = weeks[0][0].starts.isoformat()


class UnitWeeklyReportForm(ScopedForm):
    """After submission only the narrative is corrected (the model's check_update)."""

    class Meta:
        model = UnitWeeklyReport
        fields = ["narrative"]
        widgets = {"narrative": NARRATIVE}


class GroupWeeklyReportForm(ScopedForm):
    class Meta:
        model = GroupWeeklyReport
        fields = ["narrative"]
        widgets = {"narrative": NARRATIVE}


class ReportingScheduleForm(ScopedForm):
    class Meta:
        model = ReportingSchedule
        fields = ["first_week_starts", "unit_due_weekday", "unit_due_time", "group_due_weekday", "group_due_time"]
        widgets = {"unit_due_time": TIME, "group_due_time": TIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaign = active_campaign()
        if self.instance.pk is None and campaign is not None:
            # The weeks run as they do until now (the default) unless the office says otherwise.
            self.initial.setdefault("first_week_starts", ReportingSchedule.for_campaign(campaign).first_week_starts)

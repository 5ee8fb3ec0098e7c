"""The weekly bulletin (周调度通报) on the site, its Word and HTML downloads, and the
statistical tables workbook (统计表). The office and viewers read every group; a group
member its own group (the figures are what the user may see). ?week=2024-W36 picks the
reporting week (default: the newest that has ended); the tables take ?as_of= and, for the
office, ?group=. Written in the request: two statistics calls and a few pages."""

import io

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from ducha.org.models import Campaign
from ducha.reports.bulletin.content import Bulletin, build_bulletin, iso_week, latest_complete_week, parse_week
from ducha.reports.bulletin.docx import write_docx
from ducha.reports.bulletin.html import body_context, render_document
from ducha.reports.bulletin.phrasing import title
from ducha.reports.cache import cached_statistics
from ducha.reports.tables import build_tables
from ducha.reports.xlsx import XLSX
from ducha.supervision.models import ReportingSchedule
from ducha.supervision.weeks import reporting_weeks
from ducha.web.report_views import SummaryForm, report_file, report_reader


class WeekForm(forms.Form):
    week = forms.ChoiceField(label=_("Reporting week"), required=False)

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        weeks = reporting_weeks(ReportingSchedule.for_campaign(campaign), until=campaign.as_of())
        field = self.fields["week"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (iso_week(w.starts), f"{iso_week(w.starts)}（{w.starts:%m-%d}—{w.ends:%m-%d}）") for w in reversed(weeks)
        ]
        self.campaign = campaign

    def clean_week(self):
        text = self.cleaned_data.get("week")
        return parse_week(text) if text else latest_complete_week(self.campaign)


def _asked(request) -> tuple[WeekForm | None, Bulletin | None, HttpResponse | None]:
    campaign, _own, refused = report_reader(request)
    if refused is not None or campaign is None:
        return None, None, refused
    form = WeekForm(request.GET or None, campaign=campaign)
    if form.is_bound and not form.is_valid():
        return form, None, None
    monday = form.cleaned_data["week"] if form.is_bound else latest_complete_week(campaign)
    return form, build_bulletin(campaign, monday, user=request.user), None


def bulletin_page(request):
    form, bulletin, refused = _asked(request)
    if refused is not None:
        return refused
    context: dict = {"form": form, "bulletin": bulletin}
    if bulletin is not None:
        context |= body_context(bulletin)
        context["query"] = f"week={bulletin.label}"
    return render(request, "web/reports/bulletin.html", context, status=200 if bulletin else 400)


def bulletin_download(request, fmt: str):
    form, bulletin, refused = _asked(request)
    if refused is not None:
        return refused
    if bulletin is None:  # the page says what is wrong with the asked week
        return render(request, "web/reports/bulletin.html", {"form": form}, status=400)
    name = f"{title(bulletin)}（{bulletin.label}）.{fmt}"
    base = request.build_absolute_uri("/").rstrip("/")  # the file's links lead back to this site
    return report_file(
        name, fmt, docx=lambda file: write_docx(bulletin, file), html=lambda: render_document(bulletin, base_url=base)
    )


def tables_download(request):
    """The statistical tables workbook as of ?as_of= (default: the campaign's day), of the
    whole campaign or one group (?group=; a member: its own)."""
    campaign, own, refused = report_reader(request)
    if refused is not None or campaign is None:
        return refused
    asked = request.GET.copy()
    if own is not None:  # a member's tables are its group's (another group asked: refused)
        asked.setdefault("group", own.code)
    form = SummaryForm(asked, campaign=campaign, own_group=own)
    if not form.is_valid():
        return render(request, "web/reports/bulletin_tables.html", {"form": form}, status=400)
    group = form.cleaned_data["group"]
    stats = cached_statistics(campaign, user=request.user, today=form.cleaned_data["as_of"] or campaign.as_of())
    book = build_tables(stats, group=group.code if group else None, scope_name=group.name if group else "")
    file = io.BytesIO()
    book.save(file)
    response = HttpResponse(file.getvalue(), content_type=XLSX)
    name = f"{campaign.name}统计表（截至{stats['as_of']}）.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response

"""The campaign summary report on the site: the page (the report as HTML inside the
site's layout, every figure a link to its list as of the report's day) and its downloads
(Word in the official layout, a standalone HTML file). The office and viewers read the
whole campaign or one group (?group=CODE); a group member its own group; ?as_of= asks
for a past day. The figures are what the user may see (campaign_statistics(user=…)).

A download is written in the request for a campaign of up to REPORT_INLINE_PROBLEMS
problems (0.1–0.4 s on the demo), and as a report job for a larger one (web/report_jobs.py:
the job's page follows it and offers the file)."""

import datetime as dt
import io
from collections.abc import Callable
from typing import IO

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from ducha.core.access import RoleKind, role_kind, user_role
from ducha.org.models import Campaign, SupervisionGroup, active_campaign
from ducha.reports.cache import cached_statistics
from ducha.reports.summary.content import Summary, build_summary
from ducha.reports.summary.docx import write_docx
from ducha.reports.summary.html import render_document, segments
from ducha.web.report_jobs import start_report_job, written_in_background

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
READERS = (RoleKind.OFFICE, RoleKind.VIEWER, RoleKind.GROUP_MEMBER)


class SummaryForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("supervision group"),
        queryset=SupervisionGroup.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("the whole campaign"),
    )
    as_of = forms.DateField(
        label=_("as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    def __init__(self, *args, campaign: Campaign, own_group: SupervisionGroup | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        if own_group is not None:  # a member reads its own group's report
            group.queryset = SupervisionGroup.objects.filter(pk=own_group.pk)
            group.empty_label = None  # chosen; left out of the query, it is still the member's own
        else:
            group.queryset = SupervisionGroup.objects.filter(campaign=campaign).order_by("code")
        self.own_group = own_group

    def clean_as_of(self) -> dt.date | None:
        day = self.cleaned_data.get("as_of")
        if day is not None and day < self.campaign.starts_on:
            raise forms.ValidationError(
                _("The day lies before the campaign started (%(day)s)."), params={"day": self.campaign.starts_on}
            )
        return day

    def clean_group(self) -> SupervisionGroup | None:
        return self.cleaned_data.get("group") or self.own_group


def report_reader(request) -> tuple[Campaign | None, SupervisionGroup | None, HttpResponse | None]:
    """Who reads a report (the summary, the weekly bulletin, the tables): the campaign and
    the reader's own group (a member's; None for the office and viewers), or the page
    that refuses the reader."""
    campaign = active_campaign()
    if campaign is None:
        return None, None, render(request, "web/no_campaign.html")
    kind = role_kind(request.user)
    if kind not in READERS:
        return None, None, render(request, "web/403.html", status=403)
    role = user_role(request.user)
    return campaign, role.group if kind == RoleKind.GROUP_MEMBER and role is not None else None, None


def _form(request) -> tuple[Campaign | None, SummaryForm | None, dict | None, HttpResponse | None]:
    """The campaign, the form of the asked report and what it asks (None when the form
    is not valid), or the page that refuses the reader."""
    campaign, own, refused = report_reader(request)
    if refused is not None or campaign is None:
        return None, None, None, refused
    form = SummaryForm(request.GET or None, campaign=campaign, own_group=own)
    if request.GET and not form.is_valid():
        return campaign, form, None, None
    return campaign, form, form.cleaned_data if form.is_bound else {"group": own, "as_of": None}, None


def _asked(request) -> tuple[SummaryForm | None, Summary | None, HttpResponse | None]:
    """The form of the asked report and the report, or the page that refuses it."""
    campaign, form, chosen, refused = _form(request)
    if campaign is None or chosen is None:
        return form, None, refused
    summary = build_summary(
        campaign, user=request.user, as_of=chosen["as_of"], group=chosen["group"], figures=cached_statistics
    )
    return form, summary, None


def summary_page(request):
    form, summary, refused = _asked(request)
    if refused is not None:
        return refused
    if form is not None and summary is not None and not form.is_bound:  # the page says which day it is as of
        form.initial["as_of"] = summary.as_of
    context = {"form": form, "summary": summary, "query": request.GET.urlencode()}
    if summary is not None:
        context["blocks"] = segments(summary)
    return render(request, "web/reports/summary.html", context, status=200 if summary else 400)


def summary_download(request, fmt: str):
    """The report's file, or for a large campaign the page of the job that writes it."""
    campaign, form, chosen, refused = _form(request)
    if refused is not None:
        return refused
    base = request.build_absolute_uri("/").rstrip("/")
    if campaign is not None and chosen is not None and written_in_background(campaign):
        job = start_report_job(
            actor=request.user, fmt=fmt, query=request.GET, base_url=base, file_name=f"{campaign.name}.{fmt}"
        )
        return redirect("reports-job", job.pk)
    return summary_response(request, fmt, base_url=base)


def summary_response(request, fmt: str, *, base_url: str, counted: Callable[[], None] | None = None) -> HttpResponse:
    """The report's Word or HTML file, as the request asks it (its `report_name` names the
    file); `counted` is told when the figures are counted (a job's progress)."""
    form, summary, refused = _asked(request)
    if refused is not None:
        return refused
    if summary is None:  # the page says what is wrong with the asked day or group
        return render(request, "web/reports/summary.html", {"form": form, "summary": None}, status=400)
    if counted is not None:
        counted()
    name = f"{summary.title}（截至{summary.as_of.isoformat()}）.{fmt}"
    response = report_file(
        name, fmt, docx=lambda file: write_docx(summary, file), html=lambda: render_document(summary, base_url=base_url)
    )
    response.report_name = name  # type: ignore[attr-defined]
    return response


def report_file(name: str, fmt: str, *, docx: Callable[[IO[bytes]], None], html: Callable[[], str]) -> HttpResponse:
    """A report's download: the Word file `docx` writes, or the HTML file `html` returns."""
    if fmt == "docx":
        file = io.BytesIO()
        docx(file)
        response = HttpResponse(file.getvalue(), content_type=DOCX)
    else:
        response = HttpResponse(html(), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response

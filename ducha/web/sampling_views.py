"""The sampling pages (按比例抽查): the draws the user may see, with the form to draw
(office, group members) and the counties for site visits (下沉旗县); a draw's page with
its figures per unit, its sample, its last check (drawn again from the stored population
and seed) and the sample as .xlsx. Draws are written only by do_draw_sample, and the
pages run it, and the check, as background jobs (imports/sampling_jobs.py)."""

import io

import pyarrow as pa
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from ducha.analytics.sampling import draw_counties
from ducha.core.access import AccessDenied, Action, allows, restrict, role_kind
from ducha.imports.sampling_jobs import UNFINISHED, start_check_job, start_draw_job
from ducha.ledger.forms import add_errors
from ducha.ledger.models import Inspection, Project, SampleDraw
from ducha.ledger.sampling import sampling_rule, suggested_seed
from ducha.org.choices import UnitKind
from ducha.org.models import Unit, active_campaign
from ducha.reports.xlsx import XLSX, save_sheets
from ducha.web.detail_posts import forbidden
from ducha.web.generic import PAGE_SIZE
from ducha.web.sampling_forms import CountyForm, DrawForm, field_label, may_draw
from ducha.web.sampling_job_views import job_progress, job_view, visible_sampling_jobs


def sampling_view(request):
    campaign = active_campaign()
    if role_kind(request.user) is None or campaign is None:
        return forbidden(request)
    form = None
    if request.method == "POST":
        if not may_draw(request.user):
            return forbidden(request)
        form = DrawForm(request.POST, user=request.user, campaign=campaign)
        if form.is_valid():
            arguments = form.action_arguments()
            try:  # the rule is the action's: refused here, at its field, before a job is queued
                sampling_rule(arguments["proportion"], arguments["minimum"], arguments["seed"], arguments["weighting"])
                job = start_draw_job(campaign, actor=request.user, **arguments)
            except ValidationError as error:
                add_errors(form, error)
            except AccessDenied:
                return forbidden(request)
            else:
                messages.success(request, _("The draw is queued: this page follows it."))
                return redirect(reverse("sampling-job", args=[job.pk]))
    elif may_draw(request.user):
        form = DrawForm(user=request.user, campaign=campaign)
    draws = restrict(SampleDraw.objects.filter(campaign=campaign).defer("population_ids"), request.user)
    page = Paginator(draws.select_related("unit", "group", "stage", "drawn_by"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "label": draw_labels(),
        "rows": [(d, covers(d), percent(d)) for d in page.object_list],
        "jobs": visible_sampling_jobs(request.user).filter(campaign=campaign)[:RECENT_JOBS],
    }
    if may_draw(request.user):
        context |= _counties(request, campaign)
    return render(request, "web/sampling/index.html", context, status=200 if form is None or not form.errors else 400)


RECENT_JOBS = 5  # the sampling jobs the index lists (draws and checks, newest first)


def covers(draw: SampleDraw) -> str:
    return draw.unit.name if draw.unit else draw.group.name if draw.group else _("Whole campaign")


def percent(draw: SampleDraw) -> str:
    return f"{(draw.proportion * 100).normalize():f}%"


def _counties(request, campaign) -> dict:
    """The county form, and when asked (GET with a seed) the counties it draws: per
    league/city in the user's scope, weighted by each county's self-inspected projects."""
    asked = "county_seed" in request.GET
    form = CountyForm(request.GET if asked else None, initial={"county_seed": suggested_seed(campaign.as_of())})
    if not asked or not form.is_valid():
        return {"county_form": form}
    counties = {
        u.pk: u for u in restrict(Unit.objects.filter(kind=UnitKind.COUNTY), request.user).select_related("parent")
    }
    projects = restrict(
        Project.objects.filter(campaign=campaign, self_inspected=True, county__in=counties), request.user
    )
    weights = dict(projects.values_list("county").annotate(n=Count("pk")).order_by())
    table = pa.table(
        {
            "id": list(counties),
            "parent": [u.parent_id for u in counties.values()],
            "weight": [float(weights.get(pk, 0)) for pk in counties],
        }
    )
    chosen = draw_counties(table, per_parent=form.cleaned_data["per_league"], seed=form.cleaned_data["county_seed"])
    by_league: dict[int, list] = {}
    for pk in chosen.column("id").to_pylist():
        by_league.setdefault(counties[pk].parent_id, []).append((counties[pk], weights.get(pk, 0)))
    leagues = Unit.objects.in_bulk(list(by_league))
    ordered = sorted(by_league.items(), key=lambda item: (leagues[item[0]].order, leagues[item[0]].code))
    return {"county_form": form, "county_rows": [(leagues[pk], rows) for pk, rows in ordered]}


def _visible_draw(request, pk: int) -> SampleDraw:
    # Without the population's ids (a million of them at a campaign's scale): only the
    # check job reads them.
    draws = SampleDraw.objects.select_related("unit", "group", "stage", "drawn_by").defer("population_ids")
    try:
        return restrict(draws, request.user).get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def _sample(request, draw: SampleDraw):
    projects = Project.objects.filter(inspections__draw=draw).select_related("unit", "county", "domain", "project_type")
    return restrict(projects, request.user).order_by("unit__order", "unit__code", "number", "pk")


def _sample_page(request, draw: SampleDraw):
    """A page of the sample, in the order it was recorded (unit, project number). The
    sample's ids are read once from its inspections (a campaign's draw has tens of
    thousands: the office's read touches no project row, a scoped user's only the ones
    its scope needs), then the page's projects."""
    inspections = restrict(Inspection.objects.filter(draw=draw), request.user).order_by("pk")
    ids = list(inspections.values_list("project_id", flat=True))
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    projects = Project.objects.select_related("unit", "county", "domain", "project_type").in_bulk(page.object_list)
    page.object_list = [projects[pk] for pk in page.object_list]
    return page


def draw_view(request, pk: int):
    draw = _visible_draw(request, pk)
    context = {
        "draw": draw,
        "covers": covers(draw),
        "percent": percent(draw),
        "figures": _figures(draw),
        "headers": _sample_headers(),
        "label": draw_labels(),
        "page": _sample_page(request, draw),
        "may_check": allows(request.user, draw, Action.CHANGE),
        "checking": visible_sampling_jobs(request.user).filter(draw=draw, status__in=UNFINISHED).first(),
    }
    return render(request, "web/sampling/draw.html", context)


def check_view(request, pk: int):
    """Check the draw in the background (the result is recorded on the draw)."""
    if request.method != "POST":
        return redirect(reverse("sampling-draw", args=[pk]))
    draw = _visible_draw(request, pk)
    try:
        job = start_check_job(draw, actor=request.user)
    except AccessDenied:
        return forbidden(request)
    return redirect(reverse("sampling-job", args=[job.pk]))


def sample_download(request, pk: int):
    """The sample as shown on the draw's page, the rule and the figures per unit."""
    draw = _visible_draw(request, pk)
    sample = (
        [
            p.number,
            p.name,
            p.unit.name,
            p.county.name if p.county else "",
            p.domain.name,
            p.project_type.name if p.project_type else "",
            p.amount,
        ]  # fmt: skip
        for p in _sample(request, draw).iterator()
    )
    label = draw_labels()
    rule = [
        (_("Drawn from"), covers(draw)),
        (label["stage"], str(draw.stage) if draw.stage else ""),
        (label["proportion"], percent(draw)),
        (label["minimum"], draw.minimum),
        (label["weighting"], draw.get_weighting_display()),
        (label["seed"], draw.seed),
        (_("Population"), draw.population),
        (_("Drawn"), draw.drawn),
        (label["drawn_by"], str(draw.drawn_by or "")),
        (label["drawn_at"], timezone.localtime(draw.drawn_at).strftime("%Y-%m-%d %H:%M")),
        (_("Population SHA-256"), draw.population_sha256),
    ]
    per_unit = ([r["name"], r["population"], r["quota"], r["drawn"]] for r in _figures(draw))
    file = io.BytesIO()
    save_sheets(
        file,
        [
            (_("Sample"), _sample_headers(), sample),
            (_("Rule"), [_("Item"), _("Value")], rule),
            (_("Per unit"), [str(field_label(Project, "unit")), _("Population"), _("Quota"), _("Drawn")], per_unit),
        ],
    )
    response = HttpResponse(file.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"抽查样本-{draw.pk}-{draw.seed}.xlsx")
    return response


def _sample_headers() -> list[str]:
    """The sample's columns, on the page and in the workbook."""
    return [str(field_label(Project, name)) for name in SAMPLE_COLUMNS]


SAMPLE_COLUMNS = ("number", "name", "unit", "county", "domain", "project_type", "amount")
DRAW_FIELDS = ("stage", "proportion", "minimum", "weighting", "seed", "drawn_by", "drawn_at")


def draw_labels() -> dict[str, str]:
    return {name: str(field_label(SampleDraw, name)) for name in DRAW_FIELDS}


def _figures(draw: SampleDraw) -> list[dict]:
    """The draw's figures per unit (as recorded), with the unit's name."""
    units = Unit.objects.in_bulk([row["unit"] for row in draw.figures])
    return [{**row, "name": units[row["unit"]].name if row["unit"] in units else row["unit"]} for row in draw.figures]


urlpatterns = [
    path("sampling/", sampling_view, name="sampling"),
    path("sampling/<int:pk>/", draw_view, name="sampling-draw"),
    path("sampling/<int:pk>/sample.xlsx", sample_download, name="sampling-sample"),
    path("sampling/<int:pk>/check/", check_view, name="sampling-check"),
    path("sampling/jobs/<int:pk>/", job_view, name="sampling-job"),
    path("sampling/jobs/<int:pk>/progress/", job_progress, name="sampling-job-progress"),
]

"""The three-way comparison's pages (三方比对, docs/comparison.md): the runs the user may
see, the upload of the three sources (the office and the state-property group's members),
a run's page (its progress while the worker runs it, then its summary, downloads, rows
refused and findings with filters), and turning chosen findings into problems.

Runs and findings are seen by the office (and viewers) and by the run's group; a unit
sees none (a finding is a lead until it becomes a problem); another group's run is 404."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ducha.analyses.actions import do_create_problems_from_findings, may_compare
from ducha.analyses.jobs import start_comparison
from ducha.analyses.models import Comparison, ComparisonFinding
from ducha.analyses.turning import DEFAULT_ITEMS, rule_text
from ducha.analytics.reconcile import FINDINGS
from ducha.core.access import Action, RoleKind, allows, restrict, role_kind
from ducha.org.models import Unit, active_campaign
from ducha.web.comparison_forms import FilterForm, TurnForm, UploadForm
from ducha.web.detail_posts import forbidden
from ducha.web.generic import PAGE_SIZE
from ducha.web.job_pages import progress_fragment
from ducha.web.listing import has_nul
from ducha.web.run_pages import download, turn_chosen, visible_run
from ducha.web.uploads import check_before_upload

DOWNLOADS = {"findings.xlsx", "findings.csv", "summary.json"}


def may_see_comparisons(user) -> bool:
    return role_kind(user) in (RoleKind.OFFICE, RoleKind.VIEWER, RoleKind.GROUP_MEMBER)


def _runs(user):
    return restrict(Comparison.objects.select_related("group", "user"), user)


def _visible_run(request, pk: int) -> Comparison:
    return visible_run(_runs(request.user), pk)


def comparisons_view(request):
    campaign = active_campaign()
    if not may_see_comparisons(request.user) or campaign is None:
        return forbidden(request)
    runs = _runs(request.user).filter(campaign=campaign)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/comparison/index.html", {"page": page, "may_compare": may_compare(request.user)})


def _refuse_non_comparer(request):
    """Checked before the files are read: only the office and the state-property group upload."""
    return None if may_compare(request.user) and active_campaign() else forbidden(request)


@check_before_upload(_refuse_non_comparer)
def comparison_new(request):
    campaign = active_campaign()
    if not may_compare(request.user) or campaign is None:
        return forbidden(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = {kind: (form.cleaned_data[kind].name, form.cleaned_data[f"{kind}_content"]) for kind in UPLOADS}
        run = start_comparison(campaign, actor=request.user, uploads=uploads, settings=form.settings())
        return redirect("comparison", run.pk)
    status = 400 if form.errors else 200
    return render(request, "web/comparison/new.html", {"form": form}, status=status)


UPLOADS = ("exchange", "registry", "self_reports")


@require_GET
def comparison_view(request, pk: int):
    run = _visible_run(request, pk)
    context: dict = {"run": run, "job": run}
    if run.finished:
        context |= _findings_context(request, run)
    return render(request, "web/comparison/run.html", context)


def _findings_context(request, run: Comparison) -> dict:
    findings = restrict(ComparisonFinding.objects.filter(comparison=run), request.user)
    units = Unit.objects.filter(pk__in=findings.exclude(unit=None).values("unit")).order_by("order", "code")
    form = FilterForm(request.GET, units=list(units))
    shown = findings.none() if has_nul(request.GET) else form.apply(findings)
    shown = shown.select_related("unit", "problem").order_by("pk")
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    by_type = dict(findings.values_list("finding").annotate(n=Count("pk")).order_by())
    may_turn = allows(request.user, run, Action.CHANGE)
    return {
        "filters": form,
        "page": page,
        "query": query.urlencode(),
        "rows": [(f, rule_text(f), f.rule in DEFAULT_ITEMS) for f in page.object_list],
        "by_type": [(name, by_type.get(name, 0)) for name in FINDINGS],
        "tiers": sorted((run.summary.get("tiers") or {}).items()),
        "turn_form": TurnForm(user=request.user) if may_turn else None,
        "downloads": sorted(DOWNLOADS) if run.status == "done" else [],
    }


@require_GET
def comparison_progress(request, pk: int):
    return progress_fragment(request, _visible_run(request, pk), "web/comparison/_progress.html")


@require_GET
def comparison_download(request, pk: int, name: str):
    return download(_visible_run(request, pk), name, DOWNLOADS, "三方比对")


@require_POST
def comparison_turn(request, pk: int):
    """The chosen findings (of this run, in the user's view) made problems; what was made
    and what was refused, each refusal naming its finding, said on the run's page."""
    run = _visible_run(request, pk)
    if not allows(request.user, run, Action.CHANGE):
        return forbidden(request)
    ids = [int(v) for v in request.POST.getlist("finding") if v.isdigit()]
    chosen = list(restrict(ComparisonFinding.objects.filter(comparison=run, pk__in=ids), request.user))
    form = TurnForm(request.POST, user=request.user)

    def turn(findings, data):
        unit = data["unit"]
        units = {f.pk: unit for f in findings if unit is not None}
        return do_create_problems_from_findings(findings, actor=request.user, item=data["item"], units=units)

    back = reverse("comparison", args=[run.pk])
    return turn_chosen(request, back, chosen, form, _("Choose at least one finding."), turn,
                       lambda f: f"{f.finding} · {f.enterprise_name}")  # fmt: skip


urlpatterns = [
    path("comparisons/", comparisons_view, name="comparisons"),
    path("comparisons/new/", comparison_new, name="comparison-new"),
    path("comparisons/<int:pk>/", comparison_view, name="comparison"),
    path("comparisons/<int:pk>/progress/", comparison_progress, name="comparison-progress"),
    path("comparisons/<int:pk>/turn/", comparison_turn, name="comparison-turn"),
    path("comparisons/<int:pk>/<str:name>", comparison_download, name="comparison-download"),
]

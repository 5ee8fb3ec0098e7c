"""The red-flag pages (红旗预警, docs/redflags.md "In the application"): the runs the user
may see, the upload of the platform bid file (the office and group members), a run's page
(progress while the worker runs it, then the flags per indicator, downloads and the flags
with filters and their bid rows), and turning chosen flags into problems.

Seen as the three-way comparison's runs: the office (and viewers) and the run's group; a
unit sees none; another group's run is 404."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ducha.analyses.models import RedFlag, RedFlagRun
from ducha.analyses.redflag_actions import may_run_redflags
from ducha.analyses.redflag_jobs import start_redflag_run
from ducha.analyses.redflag_turning import ITEMS, do_create_problems_from_flags
from ducha.analytics.redflags.collusion import ALL as INDICATORS
from ducha.core.access import Action, allows, restrict
from ducha.org.models import Unit, active_campaign
from ducha.web.comparison_views import may_see_comparisons
from ducha.web.detail_posts import forbidden
from ducha.web.generic import PAGE_SIZE
from ducha.web.job_pages import progress_fragment
from ducha.web.listing import has_nul
from ducha.web.redflag_forms import FilterForm, TurnForm, UploadForm
from ducha.web.run_pages import download, turn_chosen, visible_run
from ducha.web.uploads import check_before_upload

DOWNLOADS = {"flags.csv", "flags.xlsx"}
# The bid rows' columns the page shows (the evidence workbook has them all).
ROW_COLUMNS = (
    "行号",
    "项目编号",
    "标段",
    "招标人",
    "投标人",
    "投标报价",
    "是否中标",
    "投标IP地址",
    "保证金缴纳账户",
    "联系人",
)


def _runs(user):
    return restrict(RedFlagRun.objects.select_related("group", "user"), user)


def _visible_run(request, pk: int) -> RedFlagRun:
    return visible_run(_runs(request.user), pk)


def redflags_view(request):
    campaign = active_campaign()
    if not may_see_comparisons(request.user) or campaign is None:
        return forbidden(request)
    page = Paginator(_runs(request.user).filter(campaign=campaign), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/redflags/index.html", {"page": page, "may_run": may_run_redflags(request.user)})


def _refuse_non_runner(request):
    """Checked before the file is read."""
    return None if may_run_redflags(request.user) and active_campaign() else forbidden(request)


@check_before_upload(_refuse_non_runner)
def redflag_new(request):
    campaign = active_campaign()
    if not may_run_redflags(request.user) or campaign is None:
        return forbidden(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = start_redflag_run(campaign, actor=request.user, bids=(data["bids"].name, data["bids"].chunks()),
                                settings_text=data["settings_text"], source=data["source"])  # fmt: skip
        return redirect("redflag-run", run.pk)
    return render(request, "web/redflags/new.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def redflag_run_view(request, pk: int):
    run = _visible_run(request, pk)
    context: dict = {"run": run, "job": run}
    if run.status == "done":
        context |= _flags_context(request, run)
    return render(request, "web/redflags/run.html", context)


def _flags_context(request, run: RedFlagRun) -> dict:
    flags = restrict(RedFlag.objects.filter(run=run), request.user)
    units = Unit.objects.filter(pk__in=flags.exclude(unit=None).values("unit")).order_by("order", "code")
    form = FilterForm(request.GET, units=list(units))
    shown = flags.none() if has_nul(request.GET) else form.apply(flags)
    shown = shown.select_related("unit", "problem", "project__domain").order_by("pk")
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(flags.values_list("indicator").annotate(n=Count("pk")).order_by())
    may_turn = allows(request.user, run, Action.CHANGE)
    return {
        "filters": form,
        "page": page,
        "query": query.urlencode(),
        "rows": [
            (
                f,
                INDICATORS[f.indicator].name_zh if f.indicator in INDICATORS else "",
                ITEMS.get(f.indicator, ""),
                [[r.get(c, "") for c in ROW_COLUMNS] for r in f.row_values],
            )
            for f in page.object_list
        ],  # fmt: skip
        "row_columns": ROW_COLUMNS,
        # the platform's nine always, Cardinal's when they flagged
        "by_indicator": [
            (code, i.name_zh, counts.get(code, 0))
            for code, i in INDICATORS.items()
            if code.startswith("CN-") or counts.get(code)
        ],  # fmt: skip
        "turn_form": TurnForm(user=request.user) if may_turn else None,
        "downloads": sorted(DOWNLOADS),
    }


@require_GET
def redflag_progress(request, pk: int):
    return progress_fragment(request, _visible_run(request, pk), "web/redflags/_progress.html")


@require_GET
def redflag_download(request, pk: int, name: str):
    return download(_visible_run(request, pk), name, DOWNLOADS, "红旗预警")


@require_POST
def redflag_turn(request, pk: int):
    """The chosen flags (of this run, in the user's view) made problems; what was made and
    what was refused, each refusal naming its flag, said on the run's page."""
    run = _visible_run(request, pk)
    if not allows(request.user, run, Action.CHANGE):
        return forbidden(request)
    ids = [int(v) for v in request.POST.getlist("flag") if v.isdigit()]
    chosen = list(restrict(RedFlag.objects.filter(run=run, pk__in=ids), request.user))
    form = TurnForm(request.POST, user=request.user)

    def turn(flags, data):
        unit = data["unit"]
        return do_create_problems_from_flags(flags, actor=request.user,
                                             units={f.pk: unit for f in flags if unit is not None})  # fmt: skip

    back = reverse("redflag-run", args=[run.pk])
    return turn_chosen(request, back, chosen, form, _("Choose at least one flag."), turn,
                       lambda f: f"{f.indicator} · {f.subject}")  # fmt: skip


urlpatterns = [
    path("redflags/", redflags_view, name="redflags"),
    path("redflags/new/", redflag_new, name="redflag-new"),
    path("redflags/<int:pk>/", redflag_run_view, name="redflag-run"),
    path("redflags/<int:pk>/progress/", redflag_progress, name="redflag-progress"),
    path("redflags/<int:pk>/turn/", redflag_turn, name="redflag-turn"),
    path("redflags/<int:pk>/<str:name>", redflag_download, name="redflag-download"),
]

"""Every page × every role: the status, what is visible, what is refused, and a ceiling
on the SQL queries of each page. The expectations come from one table (VISIBLE in
conftest.py): which of the five places of the small campaign a role can reach.

    office, viewer   everything (the viewer reads only)
    group_a          呼和浩特市 (with 新城区) and 发改委;  group_b: 包头市 and 财政厅
    league_a         呼和浩特市 with its counties;  county_a: 新城区 only
    dept_a           发改委;  league_b: 包头市
    norole           nothing: every page answers, with no data, no navigation and no add button

Pages that are refused: another place's record (404 on detail and edit, GET and POST),
the add form for a role that can add nothing (403), and edits by the viewer (404: the
viewer's change scope is empty, so the record is not there to edit)."""

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from ducha.core.models import ChangeLogEntry
from ducha.core.registry import ledgers
from ducha.ledger.models import ClueTransfer, ExposedCase, FiledCase, PolicyDocument, Problem, Project, Training
from ducha.web.export_jobs import export_headers
from ducha.web.generic import PAGE_SIZE
from ducha.web.tests.conftest import LEDGERS, PLACES, ROLES, VISIBLE, WRITERS, label, places_of
from ducha.web.tests.helpers import assert_no_inline_code, form_fields, list_body, page, read_xlsx, shown_count

LEDGER_CONFIGS = ledgers()

MODELS = dict(
    zip(LEDGERS, (Problem, Project, ClueTransfer, FiledCase, ExposedCase, PolicyDocument, Training), strict=True)
)
LEDGER_CONFIG = {ledger.key: ledger for ledger in LEDGER_CONFIGS}
# The most SQL queries a page may take, whatever the role and however many rows.
# A cold dashboard: the ledger figures, then the supervision figures (a query per table) and the lagging ranking.
# A detail page reads the ids of its record's own records (a problem's steps, files, extensions) one query each,
# for its history (web/history.py: ids as values, not a subquery).
MAX_QUERIES = {"dashboard": 60, "list": 22, "detail": 24, "edit": 18, "add": 16, "export": 12}

DASHBOARD = {
    "office": "web/dashboard_office.html",
    "viewer": "web/dashboard_office.html",
    "group_a": "web/dashboard_group.html",
    "group_b": "web/dashboard_group.html",
    "league_a": "web/dashboard_unit.html",
    "county_a": "web/dashboard_unit.html",
    "dept_a": "web/dashboard_unit.html",
    "league_b": "web/dashboard_unit.html",
    "norole": "web/no_role.html",
}


# Projects and problems name a county; the dispositions belong to a league/city or department,
# so a county's reporter adds only to the first two.
COUNTY_LEDGERS = ("projects", "problems")


def adds(role: str, ledger: str) -> bool:
    return role in WRITERS and (role != "county_a" or ledger in COUNTY_LEDGERS)


def visible(role: str, ledger: str) -> set[str]:
    return set(VISIBLE[role]) & set(places_of(ledger))


def in_scope(role: str, ledger: str) -> str | None:
    """One place whose record the role can reach in this ledger (a county's, when it can)."""
    return next((p for p in ("xincheng", "fgw", "baotou", "hohhot", "czt") if p in visible(role, ledger)), None)


def out_of_scope(role: str, ledger: str) -> str | None:
    return next((p for p in places_of(ledger) if p not in VISIBLE[role]), None)


@pytest.fixture
def get(login, django_assert_max_num_queries):
    """get(role, url, page_kind) → the response, its queries bounded by MAX_QUERIES."""
    clients = {}

    def fetch(role: str, url: str, kind: str):
        client = clients.get(role) or clients.setdefault(role, login(role))
        with django_assert_max_num_queries(MAX_QUERIES[kind]):
            response = client.get(url)
        if response["Content-Type"].startswith("text/html"):  # pages, and the 403 and 404 pages too
            assert_no_inline_code(page(response))
        return response

    return fetch


@pytest.mark.parametrize("role", ROLES)
def test_dashboard(site, get, role):
    response = get(role, reverse("home"), "dashboard")

    assert response.status_code == 200
    assert response.templates[0].name == DASHBOARD[role]
    assert bool(response.context["nav"]) == (role != "norole")
    if role == "norole":
        assert "figures" not in response.context  # the no-role page, with no figures at all
        return
    problems = len(VISIBLE[role])
    figures = response.context["figures"]["total"]
    assert (figures["problems"], figures["projects"]) == (problems, problems)
    # Every problem of the small campaign is overdue: the dashboard lists each one the role can reach.
    shown = {n for n in Problem.objects.values_list("number", flat=True) if n in page(response)}
    assert shown == {label("problems", p) for p in VISIBLE[role]}


@pytest.mark.parametrize("ledger", LEDGERS)
@pytest.mark.parametrize("role", ROLES)
def test_list_shows_exactly_the_records_in_scope(site, get, role, ledger):
    response = get(role, reverse(f"{ledger}-list"), "list")

    assert response.status_code == 200
    rows = list_body(response)
    assert {p for p in places_of(ledger) if label(ledger, p) in rows} == visible(role, ledger)
    assert shown_count(response) == len(visible(role, ledger))
    add_link = f'href="{reverse(f"{ledger}-add")}"'
    assert (add_link in page(response)) == adds(role, ledger)


@pytest.mark.parametrize("ledger", LEDGERS)
@pytest.mark.parametrize("role", ROLES)
def test_detail_in_scope_is_shown_and_out_of_scope_is_not_found(site, get, role, ledger):
    mine, other = in_scope(role, ledger), out_of_scope(role, ledger)
    if mine:
        response = get(role, reverse(f"{ledger}-detail", args=[site.pk(ledger, mine)]), "detail")
        assert response.status_code == 200
        assert label(ledger, mine) in page(response)
        assert 'class="grid history"' in page(response)
        edit_link = f'href="{reverse(f"{ledger}-edit", args=[site.pk(ledger, mine)])}"'
        assert (edit_link in page(response)) == (role in WRITERS)
    if other:
        response = get(role, reverse(f"{ledger}-detail", args=[site.pk(ledger, other)]), "detail")
        assert response.status_code == 404
        assert label(ledger, other) not in page(response)
    assert (mine, other) != (None, None)


@pytest.mark.parametrize("ledger", LEDGERS)
@pytest.mark.parametrize("role", ROLES)
def test_edit_form_only_for_records_the_role_may_change(site, get, login, role, ledger):
    mine, other = in_scope(role, ledger), out_of_scope(role, ledger)
    refused = [p for p in (mine, other) if p and (p == other or role not in WRITERS)]
    if mine and role in WRITERS:
        response = get(role, reverse(f"{ledger}-edit", args=[site.pk(ledger, mine)]), "edit")
        assert response.status_code == 200
        assert "reason" in form_fields(response)
    for place in refused:
        url = reverse(f"{ledger}-edit", args=[site.pk(ledger, place)])
        assert get(role, url, "edit").status_code == 404, place
        # Posting anyway is refused the same way and changes nothing.
        record = MODELS[ledger].objects.get(pk=site.pk(ledger, place))
        entries = ChangeLogEntry.objects.count()
        payload = {**form_values(record), "description": "改掉", "title": "改掉", "summary": "改掉", "reason": "x"}
        assert login(role).post(url, payload).status_code == 404, place
        assert model_to_dict(MODELS[ledger].objects.get(pk=record.pk)) == model_to_dict(record)
        assert ChangeLogEntry.objects.count() == entries


def form_values(record) -> dict:
    return {k: v for k, v in model_to_dict(record).items() if v is not None and k != "id"}


@pytest.mark.parametrize("ledger", LEDGERS)
@pytest.mark.parametrize("role", ROLES)
def test_add_form_is_refused_to_roles_that_add_nothing(site, get, login, role, ledger):
    response = get(role, reverse(f"{ledger}-add"), "add")

    if adds(role, ledger):
        assert response.status_code == 200
        assert "reason" not in form_fields(response)
    else:
        assert response.status_code == 403
        assert response.templates[0].name == "web/403.html"
        entries = ChangeLogEntry.objects.count()
        posted = login(role).post(reverse(f"{ledger}-add"), {"unit": site.units["150100"].pk, "title": "x"})
        assert posted.status_code == 403
        assert ChangeLogEntry.objects.count() == entries


@pytest.mark.parametrize("ledger", LEDGERS)
@pytest.mark.parametrize("role", ROLES)
def test_export_holds_exactly_the_records_in_scope(site, get, role, ledger):
    response = get(role, reverse(f"{ledger}-list") + "?export=xlsx", "export")

    assert response.status_code == 200
    header, *rows = read_xlsx(response)
    assert len(rows) == len(visible(role, ledger))
    cells = " ".join(str(v) for row in rows for v in row)
    assert {p for p in places_of(ledger) if label(ledger, p) in cells} == visible(role, ledger)
    with translation.override("zh-hans"):
        assert header == export_headers(LEDGER_CONFIG[ledger])  # see export_jobs.export_columns


def test_the_table_of_places_matches_the_campaign(site):
    """The expectations above rest on this table; check it against the data."""
    for place, (unit, county, _domain) in PLACES.items():
        problem = site.problems[place]
        assert (problem.unit.code, problem.county.code if problem.county else None) == (unit, county)
    assert len(PLACES) < PAGE_SIZE  # one page holds every list here

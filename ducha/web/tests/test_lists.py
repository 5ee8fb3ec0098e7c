"""Ledger lists: every filter, free-text search (Chinese names, numbers), sorting,
pagination, the .xlsx export of the filtered list with formula neutralisation, and the
number of SQL queries, which must not grow with the rows shown."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from ducha.core.actions import do_bulk_create_objects, do_update_object
from ducha.core.registry import ledgers
from ducha.ledger.models import (
    ClueTransfer,
    ExposedCase,
    FiledCase,
    MarketEntityType,
    PolicyDocument,
    Problem,
    ProblemCategory,
    Project,
    Training,
)
from ducha.org.models import Domain, Unit
from ducha.testing import zh
from ducha.web.generic import PAGE_SIZE
from ducha.web.tests.conftest import LEDGERS, add_variety
from ducha.web.tests.helpers import by_testid, links, list_body, list_cells, page, read_xlsx, shown_count, text

LEDGER_CONFIGS = ledgers()

BASE = ("hohhot", "xincheng", "fgw", "baotou", "czt")  # found, overdue, self-inspection, 2024-06-01, no category


@pytest.fixture(scope="module")
def variety_once(site_once, django_db_blocker):
    with django_db_blocker.unblock():
        return add_variety(site_once)


@pytest.fixture
def variety(variety_once, site):
    return site


def problem_keys(response) -> set[str]:
    return {row[0].removeprefix("Q-") for row in list_cells(response)}


# ---------------------------------------------------------------------------
# Filters.

PROBLEM_FILTERS = [
    ("", {*BASE, "bidrig", "donghe", "done", "signed", "dismissed"}),
    ("domain=engineering", {"hohhot", "xincheng", "fgw", "bidrig", "done"}),
    ("domain=procurement", {"baotou", "czt", "donghe", "signed", "dismissed"}),
    ("unit=150100", {"hohhot", "xincheng", "bidrig"}),
    ("unit=150200", {"baotou", "donghe", "dismissed"}),
    ("county=150102", {"xincheng"}),
    ("county=150202", {"donghe"}),
    ("group=A", {"hohhot", "xincheng", "fgw", "bidrig", "done"}),
    ("group=B", {"baotou", "czt", "donghe", "signed", "dismissed"}),
    ("category=A", {"bidrig"}),
    ("category=S", {"signed"}),
    ("entity_type=E2", {"donghe"}),
    ("kind=four", {"bidrig", "donghe", "done"}),
    ("kind=entity", {"bidrig", "donghe"}),
    ("status=found", {*BASE, "bidrig"}),
    ("status=rectified&status=signed_off", {"done", "signed"}),
    ("status=dismissed", {"dismissed"}),
    ("state=open", {*BASE, "bidrig", "donghe"}),
    ("state=rectified", {"done", "signed"}),
    ("overdue=true", {*BASE, "donghe"}),
    ("overdue=false", {"bidrig", "done", "signed", "dismissed"}),
    ("method=complaint", {"done"}),
    ("method=self", set(BASE)),
    ("found_after=2024-05-01&found_before=2024-05-31", {"donghe"}),
    ("found_after=2024-06-01", set(BASE)),
    ("found_before=2024-03-31", {"bidrig", "done"}),
    ("domain=procurement&state=open&overdue=true", {"baotou", "czt", "donghe"}),
    ("group=A&unit=150200", set()),
]


@pytest.mark.parametrize(("query", "expected"), PROBLEM_FILTERS)
def test_problem_filters(variety, login, query, expected):
    response = login("office").get(reverse("problems-list") + "?" + query)

    assert response.status_code == 200
    assert problem_keys(response) == expected
    assert shown_count(response) == len(expected)


PROJECT_FILTERS = [
    ("sampled=true", {"donghe"}),
    ("self_inspected=true", set(BASE)),
    ("self_inspected=false", {"donghe"}),
    ("county=150202", {"donghe"}),
    ("traded_after=2024-01-01", {"donghe"}),
    ("traded_before=2023-12-31", set(BASE)),
    ("has_problems=true", {*BASE, "donghe"}),
    ("domain=procurement&group=B", {"baotou", "czt", "donghe"}),
]


@pytest.mark.parametrize(("query", "expected"), PROJECT_FILTERS)
def test_project_filters(variety, login, query, expected):
    response = login("office").get(reverse("projects-list") + "?" + query)

    assert {row[0].removeprefix("P-") for row in list_cells(response)} == expected
    assert shown_count(response) == len(expected)


@pytest.mark.parametrize(
    ("ledger", "query", "expected"),
    [
        ("trainings", "unit=fgw", {"fgw"}),
        ("documents", "domain=procurement", {"baotou", "czt"}),
        ("clue-transfers", "group=A", {"hohhot", "fgw"}),
        ("clue-transfers", "authority=discipline&unit=czt", {"czt"}),
        ("clue-transfers", "authority=police", set()),
        ("documents", "action=revised", set()),
        ("filed-cases", "group=B&domain=procurement", {"baotou", "czt"}),
        ("exposed-cases", "unit=150100", {"hohhot"}),
    ],
)
def test_disposition_filters(site, login, ledger, query, expected):
    response = login("office").get(reverse(f"{ledger}-list") + "?" + query)

    rows = list_body(response)
    assert {p for p in ("hohhot", "fgw", "baotou", "czt") if p in rows} == expected
    assert shown_count(response) == len(expected)


def test_a_problem_due_today_is_not_yet_overdue(variety, login):
    from django.utils import timezone

    from ducha.ledger.actions import do_create_problem

    hohhot = variety.problems["hohhot"]
    data = {f: getattr(hohhot, f) for f in ("campaign", "unit", "county", "project", "domain", "discovery_method")}
    data |= {"number": "Q-today", "description": "今日到期", "found_on": dt.date(2024, 6, 1)}
    do_create_problem(actor=variety.system, data={**data, "deadline": timezone.localdate()})
    client = login("office")

    assert "today" not in problem_keys(client.get(reverse("problems-list"), {"overdue": "true"}))
    assert "today" in problem_keys(client.get(reverse("problems-list"), {"overdue": "false"}))
    assert "today" in problem_keys(client.get(reverse("problems-list"), {"state": "open"}))


def test_a_filter_for_another_units_records_shows_none_of_them(variety, login):
    """league_a asks for 包头市: the unit is no choice of its, so the filter is refused
    with a message, and the list stays within its own records."""
    response = login("league_a").get(reverse("problems-list") + "?unit=150200")

    assert response.status_code == 200
    assert problem_keys(response) == set()  # a refused filter lists nothing, not everything in scope
    assert 'class="error"' in page(response)
    assert "Q-baotou" not in page(response)
    exported = login("league_a").get(reverse("problems-list") + "?unit=150200&export=xlsx")
    assert len(read_xlsx(exported)) == 1  # the header row only


def test_group_filter_of_the_other_group_is_empty_for_a_group_member(variety, login):
    response = login("group_a").get(reverse("problems-list") + "?group=B")
    assert problem_keys(response) == set()


def test_filter_choices_are_cut_to_the_scope(variety, login):
    response = login("league_a").get(reverse("problems-list"))

    unit_options = response.context["filterset"].form.fields["unit"].queryset
    county_options = response.context["filterset"].form.fields["county"].queryset
    assert [u.code for u in unit_options] == ["150100"]
    assert {u.parent.code for u in county_options} == {"150100"}


# ---------------------------------------------------------------------------
# Search.


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("串通", {"done"}),  # a word of the description
        ("领导干部 招标", {"bidrig"}),  # every word must match
        ("东河区", {"donghe"}),  # the project's name
        ("P-donghe", {"donghe"}),  # the project's number
        ("q-BID", {"bidrig"}),  # the problem's number, any case
        ("项目 hohhot", {"hohhot", "bidrig"}),  # both belong to project 项目 hohhot
        ("不存在的问题", set()),
    ],
)
def test_problem_search(variety, login, q, expected):
    response = login("office").get(reverse("problems-list"), {"q": q})

    assert problem_keys(response) == expected
    assert f'value="{q}"' in page(response)  # the search box keeps the words


@pytest.mark.parametrize(
    ("q", "expected"),
    [("东河区教育局", {"donghe"}), ("DH-2024", {"donghe"}), ("0315", {"donghe"}), ("某某局", set(BASE))],
)
def test_project_search_by_tenderer_and_platform_code(variety, login, q, expected):
    response = login("office").get(reverse("projects-list"), {"q": q})
    assert {row[0].removeprefix("P-") for row in list_cells(response)} == expected


def test_search_stays_within_the_scope(variety, login):
    response = login("league_b").get(reverse("problems-list"), {"q": "问题"})
    assert problem_keys(response) == {"baotou"}


def test_empty_result_says_so(variety, login):
    response = login("office").get(reverse("problems-list"), {"q": "没有这个词"})
    assert shown_count(response) == 0
    with translation.override("zh-hans"):
        assert str(translation.gettext("Nothing found.")) in text(response)


# ---------------------------------------------------------------------------
# Sorting.


def numbers(response) -> list[str]:
    return [row[0] for row in list_cells(response)]


def test_sorting_by_a_column_both_ways(variety, login):
    client = login("office")
    everything = sorted(numbers(client.get(reverse("problems-list"))))

    ascending = numbers(client.get(reverse("problems-list"), {"sort": "number"}))
    descending = numbers(client.get(reverse("problems-list"), {"sort": "-number"}))

    assert ascending == everything
    assert descending == everything[::-1]


def test_sorting_by_date_and_the_default_order(variety, login):
    client = login("office")
    found = {p.number: p.found_on for p in Problem.objects.all()}

    by_date = numbers(client.get(reverse("problems-list"), {"sort": "found_on"}))
    default = numbers(client.get(reverse("problems-list")))

    assert [found[n] for n in by_date] == sorted(found.values())
    assert [found[n] for n in default] == sorted(found.values(), reverse=True)  # newest first


def test_an_unknown_sort_key_is_ignored(variety, login):
    client = login("office")
    default = numbers(client.get(reverse("problems-list")))
    for sort in ("description", "unit__name;drop table", "-campaign__code", "password"):
        response = client.get(reverse("problems-list"), {"sort": sort})
        assert response.status_code == 200
        assert numbers(response) == default


def test_following_a_column_header_sorts_and_keeps_the_filter(variety, login):
    client = login("office")
    response = client.get(reverse("problems-list"), {"domain": "procurement", "sort": "number"})
    assert numbers(response) == sorted(numbers(response)) and len(numbers(response)) == 5

    thead = page(response).split('class="grid list"')[1].split("</thead>")[0]
    href, _label = links(thead)[0]  # the problem-number column, sorted ascending now: the link turns it round
    flipped = client.get(reverse("problems-list") + href)

    assert numbers(flipped) == sorted(numbers(response), reverse=True)
    assert problem_keys(flipped) == {"baotou", "czt", "donghe", "signed", "dismissed"}
    # Clicking headers again and again keeps one sort in the URL, not a growing list.
    thead = page(flipped).split('class="grid list"')[1].split("</thead>")[0]
    assert all(href.count("sort=") == 1 for href, _label in links(thead) if "sort=" in href)


# ---------------------------------------------------------------------------
# Pagination.


def add_trainings(site, n: int, unit_code: str = "150100") -> None:
    unit, domain = Unit.objects.get(code=unit_code), Domain.objects.get(code="engineering")
    do_bulk_create_objects(
        [
            Training(campaign=site.campaign, unit=unit, domain=domain, title=f"批量培训 {i:03d}",
                     held_on=dt.date(2024, 1, 1) + dt.timedelta(days=i), attendees=i + 1)
            for i in range(n)
        ],
        actor=site.system,
    )  # fmt: skip


def test_pages(site, login):
    add_trainings(site, PAGE_SIZE + 5)  # with the four of the small campaign: 59
    client = login("office")

    first = client.get(reverse("trainings-list"))
    second = client.get(reverse("trainings-list"), {"page": 2})
    beyond = client.get(reverse("trainings-list"), {"page": 99})
    junk = client.get(reverse("trainings-list"), {"page": "abc"})

    assert shown_count(first) == PAGE_SIZE + 9
    assert len(list_cells(first)) == PAGE_SIZE
    assert len(list_cells(second)) == 9
    assert list_cells(beyond) == list_cells(second)  # past the end: the last page
    assert list_cells(junk) == list_cells(first)
    titles = {row[0] for row in list_cells(first) + list_cells(second)}
    assert len(titles) == PAGE_SIZE + 9  # no row twice, none left out
    assert 'href="?&amp;page=2"' in page(first) and "page=1" in page(second)


def test_pages_keep_the_filter(site, login):
    add_trainings(site, PAGE_SIZE + 5)
    client = login("office")

    first = client.get(reverse("trainings-list"), {"unit": "150100", "q": "批量"})
    second = client.get(reverse("trainings-list"), {"unit": "150100", "q": "批量", "page": 2})

    assert shown_count(first) == PAGE_SIZE + 5
    assert 'href="?unit=150100&amp;q=%E6%89%B9%E9%87%8F&amp;page=2"' in page(first)
    assert len(list_cells(second)) == 5


# ---------------------------------------------------------------------------
# Export.


def test_export_holds_the_filtered_list_in_the_list_order(variety, login):
    client = login("office")
    query = {"domain": "procurement", "state": "open", "sort": "-number"}

    listed = client.get(reverse("problems-list"), query)
    exported = client.get(reverse("problems-list"), {**query, "export": "xlsx"})

    header, *rows = read_xlsx(exported)
    assert [r[0] for r in rows] == numbers(listed) == ["Q-donghe", "Q-czt", "Q-baotou"]
    with translation.override("zh-hans"):
        assert header == [str(c.label) for c in LEDGER_CONFIGS[0].columns]
    deadline = [c.sort for c in LEDGER_CONFIGS[0].columns].index("deadline")
    assert rows[0][deadline] == dt.datetime(2024, 6, 30)  # a date cell, not text


def test_export_ignores_the_page_and_holds_every_row(site, login):
    add_trainings(site, PAGE_SIZE + 5)
    response = login("office").get(reverse("trainings-list"), {"export": "xlsx", "page": 2})

    header, *rows = read_xlsx(response)
    assert len(rows) == PAGE_SIZE + 9
    attendees = [r[-1] for r in rows]
    assert all(isinstance(n, int) for n in attendees)  # numbers stay numbers


def test_export_keeps_amounts_and_dates_typed(variety, login):
    response = login("office").get(reverse("projects-list"), {"q": "P-donghe", "export": "xlsx"})

    header, row = read_xlsx(response)
    assert row[0] == "P-donghe"
    assert 860000.5 in row
    assert dt.datetime(2024, 3, 15) in row


# ---------------------------------------------------------------------------
# How a list reads: amounts, totals, dates, long texts, categories, filters, headers.


def headers(response) -> list[str]:
    thead = page(response).split('class="grid list"')[1].split("</thead>")[0]
    return [text(th) for th in re.findall(r"<th\b[^>]*>(.*?)</th>", thead, re.S)]


def row_of(response, first_cell: str) -> list[str]:
    return next(row for row in list_cells(response) if row[0] == first_cell)


def td_of(response, inner: str) -> str:
    """The opening <td …> tag of the cell that holds `inner`."""
    return re.search(rf"(<td\b[^>]*>)(?:(?!</td>).)*{re.escape(inner)}", page(response), re.S)[1]


def test_project_amounts_show_in_wan_yuan_and_export_in_exact_yuan(variety, login):
    do_update_object(variety.projects["hohhot"], actor=variety.system, changes={"amount": Decimal("123456789.50")})
    client = login("office")
    response = client.get(reverse("projects-list"))

    amount = headers(response).index(zh("amount (10,000 yuan)"))  # 交易金额（万元）
    assert row_of(response, "P-hohhot")[amount] == "12,345.68"  # 万元, two decimals, thousands separators
    assert row_of(response, "P-xincheng")[amount] == "125.00"
    assert row_of(response, "P-donghe")[amount] == "86.00"
    assert td_of(response, "12,345.68") == '<td class="num">'
    # 123,456,789.50 + 4 × 1,250,000 + 860,000.50 yuan, over the whole list
    assert by_testid(response, "total-amount") == "12,931.68"
    # P-hohhot has two problems: the join behind the filter must not count its amount twice
    assert by_testid(client.get(reverse("projects-list"), {"has_problems": "true"}), "total-amount") == "12,931.68"
    assert by_testid(client.get(reverse("projects-list"), {"domain": "procurement"}), "total-amount") == "336.00"

    header, *rows = read_xlsx(client.get(reverse("projects-list"), {"export": "xlsx"}))
    assert header[amount] == zh("amount (yuan)")  # 交易金额（元）: the export keeps the exact yuan
    exported = {row[0]: row[amount] for row in rows}
    assert exported["P-hohhot"] == 123456789.5 and exported["P-donghe"] == 860000.5  # numbers, not text

    detail = client.get(reverse("projects-detail", args=[variety.projects["hohhot"].pk]))
    assert "123,456,789.50" in text(detail)


def test_totals_cover_the_whole_filtered_list_in_one_query(site, login):
    add_trainings(site, PAGE_SIZE + 5)  # attendees 1 … 55, on top of the four trainings of 30
    client = login("office")

    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("trainings-list"))
    # Read now: the next request clears the query log.
    sums = [q for q in queries.captured_queries if "SUM(" in q["sql"].upper()]
    second = client.get(reverse("trainings-list"), {"page": 2})
    filtered = client.get(reverse("trainings-list"), {"unit": "150100"})
    nothing = client.get(reverse("trainings-list"), {"q": "没有这个培训"})

    assert by_testid(first, "total-attendees") == by_testid(second, "total-attendees") == "1,660"  # 55·56/2 + 120
    assert by_testid(filtered, "total-attendees") == "1,570"  # 1540 + 30
    assert len(sums) == 1
    assert 'data-testid="total-attendees"' not in page(nothing)
    assert 'data-testid="total-' not in page(client.get(reverse("problems-list")))  # nothing sums there


def test_dates_numbers_and_record_numbers_get_a_class_that_keeps_them_on_one_line(site, login):
    response = login("office").get(reverse("trainings-list"), {"unit": "fgw"})
    problems = login("office").get(reverse("problems-list"))

    assert td_of(response, "30</td>") == '<td class="num">'
    assert '<th class="num">' in page(response)  # the header of a column of numbers is on their side
    assert 'class="date"' in page(response)
    assert td_of(problems, "2024-06-01</td>") == '<td class="date">'  # YYYY-MM-DD, as on detail pages
    assert td_of(problems, "Q-hohhot") == '<td class="nowrap">'  # not "Q-" on one line and "hohhot" below
    css = (settings.BASE_DIR / "web" / "static" / "web" / "ducha.css").read_text()
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", css)
    nowrap = {s.strip() for selectors, body in rules if "white-space: nowrap" in body for s in selectors.split(",")}
    assert {"table.grid td.date", "table.grid td.num", "table.grid td.nowrap"} <= nowrap


def test_long_texts_are_cut_with_the_whole_text_in_the_title(variety, login):
    long = "领导干部违规插手干预招标投标活动，打招呼、递条子、指定中标人，情节严重"
    do_update_object(variety.problems["bidrig"], actor=variety.system, changes={"description": long})
    response = login("office").get(reverse("problems-list"))

    description = headers(response).index(zh("description"))
    shown = row_of(response, "Q-bidrig")[description]
    assert shown.endswith("…") and long.startswith(shown[:-1]) and len(shown) < len(long)
    assert f'title="{long}"' in page(response)
    assert row_of(response, "Q-done")[description] == "投标人相互串通投标"  # short: whole, no title
    assert 'title="投标人相互串通投标"' not in page(response)


def test_the_category_shows_by_its_name(variety, login):
    response = login("office").get(reverse("problems-list"))

    category = headers(response).index(zh("category"))
    assert row_of(response, "Q-bidrig")[category] == "A 公职人员违规插手招标投标方面"
    assert row_of(response, "Q-signed")[category] == "S 国有产权交易领域重点问题"
    assert row_of(response, "Q-hohhot")[category] == ""


def select_choices(response, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of a filter's <select>."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page(response), re.S)
    assert match, f"no select {name}"
    options = re.findall(r'<option value="([^"]*)"([^>]*)>(.*?)</option>', match[1], re.S)
    return [(value, text(label), "selected" in attrs) for value, attrs, label in options]


@pytest.mark.parametrize(
    ("ledger", "name"),
    [("projects", "self_inspected"), ("projects", "sampled"), ("projects", "verified"),
     ("projects", "has_problems"), ("problems", "overdue")],
)  # fmt: skip
def test_yes_no_filters_start_at_all(site, login, ledger, name):
    client = login("office")
    everything = shown_count(client.get(reverse(f"{ledger}-list")))

    fresh = client.get(reverse(f"{ledger}-list"))
    assert select_choices(fresh, name) == [("", "全部", True), ("true", "是", False), ("false", "否", False)]
    chosen = client.get(reverse(f"{ledger}-list"), {name: "true"})
    assert [selected for _v, _l, selected in select_choices(chosen, name)] == [False, True, False]
    # The form as rendered, submitted unchanged, filters nothing out.
    submitted = client.get(reverse(f"{ledger}-list"), {name: ""})
    assert shown_count(submitted) == everything


def test_other_selects_start_at_all_too(site, login):
    response = login("office").get(reverse("problems-list"))
    for name in ("domain", "unit", "county", "group", "category", "entity_type", "state", "method", "kind"):
        assert select_choices(response, name)[0] == ("", "全部", True), name


def status_boxes(response) -> dict[str, bool]:
    boxes = re.findall(r'<input type="checkbox" name="status" value="([^"]*)"([^>]*)>', page(response))
    return {value: "checked" in attrs for value, attrs in boxes}


def test_the_status_filter_is_a_row_of_checkboxes_that_keeps_its_urls(variety, login):
    client = login("office")

    assert status_boxes(client.get(reverse("problems-list"))) == dict.fromkeys(
        ["found", "rectifying", "rectified", "signed_off", "dismissed"], False
    )
    one = client.get(reverse("problems-list") + "?status=found")
    two = client.get(reverse("problems-list") + "?status=rectified&status=signed_off")
    assert [k for k, on in status_boxes(one).items() if on] == ["found"]
    assert [k for k, on in status_boxes(two).items() if on] == ["rectified", "signed_off"]
    assert problem_keys(two) == {"done", "signed"}
    assert "<fieldset" in page(one) and '<select name="status"' not in page(one)


@pytest.mark.parametrize("ledger", LEDGERS)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_headers_read_well_in_both_languages(variety, login, ledger, language):
    client = login("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse(f"{ledger}-list"))

    config = next(c for c in LEDGER_CONFIGS if c.key == ledger)
    with translation.override(language):
        expected = [str(c.label) for c in config.columns]
    shown = [h.rstrip(" ▲▼") for h in headers(response)]
    assert [h.lower() for h in shown] == [h.lower() for h in expected]
    labels = [text(m) for m in re.findall(r"<label>(.*?)<(?:select|input)", page(response), re.S)]
    labels += [text(m) for m in re.findall(r"<legend>(.*?)</legend>", page(response), re.S)]
    assert labels
    if language == "en":
        assert all(h[0].isupper() for h in shown + labels), shown + labels  # "Project number", not "project number"
    else:
        assert shown == expected  # Chinese, unchanged
        assert not any(re.search(r"[A-Za-z]{3}", h) for h in shown), shown  # no English left over
    assert len(list_cells(response)) == shown_count(response)
    assert all(len(row) == len(shown) for row in list_cells(response))


# ---------------------------------------------------------------------------
# Query counts do not grow with the rows.


def add_rows(site, ledger: str, n: int) -> None:
    """n more rows of a ledger, spread over units, counties, domains and categories, each
    linked to a project or problem of its unit: a link the page reads lazily would show."""
    units = [Unit.objects.get(code=c) for c in ("150100", "fgw", "150200", "czt")]
    counties = {"150100": Unit.objects.get(code="150102"), "150200": Unit.objects.get(code="150202")}
    projects = {p.unit.code: p for key, p in site.projects.items() if key in ("hohhot", "fgw", "baotou", "czt")}
    problems = {p.unit.code: p for key, p in site.problems.items() if key in ("hohhot", "fgw", "baotou", "czt")}
    domains = list(Domain.objects.all())
    categories, entities = list(ProblemCategory.objects.all()), list(MarketEntityType.objects.all())
    day = dt.date(2024, 3, 1)
    objs = []
    for i in range(n):
        unit = units[i % 4]
        county = counties.get(unit.code) if i % 8 < 4 else None
        common = {"campaign": site.campaign, "unit": unit, "domain": domains[i % len(domains)]}
        linked = {**common, "problem": problems[unit.code]}
        if ledger == "problems":
            project = projects[unit.code]
            obj = Problem(
                **{**common, "domain": project.domain},
                county=project.county,  # a problem names its project's county, or none
                project=project,
                number=f"N-{i}",
                description=f"批量问题 {i}",
                discovery_method="sample",
                found_on=day,
                deadline=day + dt.timedelta(days=i),
                category=categories[i % len(categories)],
                entity_type=entities[i % len(entities)],
            )
        elif ledger == "projects":
            obj = Project(**common, county=county, number=f"N-{i}", name=f"批量项目 {i}", tenderer="某单位",
                          amount=i * 1000, trade_date=day)  # fmt: skip
        elif ledger == "clue-transfers":
            obj = ClueTransfer(**linked, authority="police", transferred_on=day, summary=f"线索 {i}", feedback="已立案")
        elif ledger == "filed-cases":
            obj = FiledCase(**linked, filed_on=day, filed_by="公安局", case_number=f"AJ{i}", summary="案情")
        elif ledger == "exposed-cases":
            obj = ExposedCase(**linked, title=f"典型案例 {i}", exposed_on=day, channel="官网")
        elif ledger == "documents":
            obj = PolicyDocument(**common, title=f"文件 {i}", action="revised", issued_on=day)
        else:
            obj = Training(**common, title=f"培训 {i}", held_on=day, attendees=i + 1)
        objs.append(obj)
    do_bulk_create_objects(objs, actor=site.system)


def count_queries(client, url, django_assert_max_num_queries, ceiling: int) -> int:
    with django_assert_max_num_queries(ceiling) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("ledger", "role"), [(ledger, "office") for ledger in LEDGERS] + [("problems", "group_a"), ("projects", "county_a")]
)
def test_list_and_export_queries_do_not_grow_with_the_rows(site, login, django_assert_max_num_queries, ledger, role):
    client = login(role)
    url = reverse(f"{ledger}-list")
    few_rows = len(list_cells(client.get(url)))
    list_few = count_queries(client, url, django_assert_max_num_queries, 22)
    export_few = count_queries(client, url + "?export=xlsx", django_assert_max_num_queries, 12)

    add_rows(site, ledger, 40)

    many_rows = len(list_cells(client.get(url)))
    assert many_rows >= few_rows + 5  # the role does see more rows now
    assert count_queries(client, url, django_assert_max_num_queries, 22) == list_few
    assert count_queries(client, url + "?export=xlsx", django_assert_max_num_queries, 12) == export_few


@pytest.mark.parametrize("role", ["office", "group_a", "league_a"])
def test_dashboard_queries_do_not_grow_with_the_rows(site, login, django_assert_max_num_queries, role):
    from django.core.cache import cache

    client = login(role)
    cache.clear()
    few = count_queries(client, reverse("home"), django_assert_max_num_queries, 60)  # as test_matrix's MAX_QUERIES
    for ledger in LEDGERS:
        add_rows(site, ledger, 12)
    cache.clear()

    assert count_queries(client, reverse("home"), django_assert_max_num_queries, 60) == few
    # and a second look is served from the cache
    assert count_queries(client, reverse("home"), django_assert_max_num_queries, 60) < few


@pytest.mark.parametrize("ledger", [ledger.key for ledger in ledgers()])
def test_a_search_answers_on_every_list(site, login, ledger):
    """A ledger with nothing to search (the contact rules) ignores `q` (it was a server error)."""
    assert login("office").get(reverse(f"{ledger}-list"), {"q": "督查 x"}).status_code == 200

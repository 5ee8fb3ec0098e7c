"""Ledger lists: every filter, free-text search (Chinese names, numbers), sorting,
pagination, the .xlsx export of the filtered list with formula neutralisation, and the
number of SQL queries, which must not grow with the rows shown."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from ducha.core.actions import do_bulk_create_objects
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
from ducha.web.generic import PAGE_SIZE
from ducha.web.tests.conftest import LEDGERS, add_variety
from ducha.web.tests.helpers import links, list_body, list_cells, page, read_xlsx, shown_count, text

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
                county=county,
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
    few = count_queries(client, reverse("home"), django_assert_max_num_queries, 40)
    for ledger in LEDGERS:
        add_rows(site, ledger, 12)
    cache.clear()

    assert count_queries(client, reverse("home"), django_assert_max_num_queries, 40) == few
    # and a second look is served from the cache
    assert count_queries(client, reverse("home"), django_assert_max_num_queries, 40) < few

"""Create and edit forms: what each role may choose, validation messages (Chinese by
default, English with the language cookie), saving through the actions (change history
on the detail page), and user text that looks like code or a spreadsheet formula."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import ClueTransfer, FiledCase, Problem, Project, Training
from ducha.org.models import Domain, Unit
from ducha.testing import zh
from ducha.web.tests.helpers import assert_no_inline_code, form_fields, page, read_xlsx, select_options, text

REQUIRED_ZH = "这个字段是必填项。"


def errors(response) -> dict[str, list[str]]:
    """Field name → its error messages, as the page shows them."""
    form = response.context["form"]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}


def new_problem(site, **changes) -> dict:
    data = {
        "unit": site.units["150100"].pk,
        "county": site.units["150102"].pk,
        "project": "P-xincheng",
        "domain": Domain.objects.get(code="engineering").pk,
        "number": "Q-新增-001",
        "description": "评标专家倾向性打分",
        "discovery_method": "supervision",
        "found_on": "2024-06-05",
        "deadline": "2024-08-31",
        "measures": "重新组织评标",
    }
    return {k: v for k, v in {**data, **changes}.items() if v is not None}


# ---------------------------------------------------------------------------
# Choices.


@pytest.mark.parametrize(
    ("name", "units", "counties"),
    [
        ("league_a", {"150100"}, "150100"),
        ("county_a", {"150100"}, {"150102"}),
        ("group_a", {"150100", "fgw"}, "150100"),
        ("dept_a", {"fgw"}, set()),
        ("league_b", {"150200"}, "150200"),
    ],
)
def test_the_add_form_offers_only_units_in_scope(site, login, name, units, counties):
    response = login(name).get(reverse("problems-add"))

    by_pk = {str(u.pk): u for u in Unit.objects.all()}
    assert {by_pk[v].code for v in select_options(response, "unit")} == units
    shown = {by_pk[v] for v in select_options(response, "county")}
    if isinstance(counties, str):  # every county of that league/city
        assert shown == set(Unit.objects.filter(parent__code=counties)) and len(shown) > 1
    else:
        assert {u.code for u in shown} == counties


# ---------------------------------------------------------------------------
# Creating.


def test_a_problem_added_through_the_form(site, login):
    client = login("league_a")
    response = client.post(reverse("problems-add"), new_problem(site))

    problem = Problem.objects.get(number="Q-新增-001")
    assert response.status_code == 302 and response["Location"] == reverse("problems-detail", args=[problem.pk])
    assert (problem.status, problem.project, problem.county.code) == ("found", site.projects["xincheng"], "150102")
    entry = ChangeLogEntry.objects.get(object_type="ledger.problem", object_id=str(problem.pk))
    assert (entry.action, entry.actor_name) == ("create", "league_a")

    detail = client.get(response["Location"])
    assert zh("Saved.") in text(detail)
    history = re.search(r'<table class="grid history">(.*?)</table>', page(detail), re.S).group(1)
    assert "league_a" in text(history) and "评标专家倾向性打分" in text(history)


def test_a_county_reporter_adds_a_problem_of_its_county(site, login):
    response = login("county_a").post(reverse("problems-add"), new_problem(site))

    assert response.status_code == 302
    assert Problem.objects.get(number="Q-新增-001").county.code == "150102"


def test_a_county_reporter_may_not_add_one_for_the_whole_league(site, login):
    response = login("county_a").post(reverse("problems-add"), new_problem(site, county="", project=""))

    assert response.status_code == 200
    assert zh("You may not save a record for this unit.") in text(response)
    assert not Problem.objects.filter(number="Q-新增-001").exists()


def test_a_disposition_added_through_the_form(site, login):
    data = {"unit": site.units["fgw"].pk, "domain": Domain.objects.get(code="engineering").pk, "problem": "Q-fgw",
            "authority": "police", "transferred_on": "2024-06-10", "summary": "移交公安：涉嫌串通投标"}  # fmt: skip
    response = login("dept_a").post(reverse("clue-transfers-add"), data)

    clue = ClueTransfer.objects.get(summary="移交公安：涉嫌串通投标")
    assert response.status_code == 302
    assert clue.problem == site.problems["fgw"]


# ---------------------------------------------------------------------------
# Validation messages.


def blank_form(client, url) -> dict:
    """The add form as the browser sends it untouched: every field, empty."""
    return {name: "" for name in form_fields(client.get(url))}


def test_required_fields_are_named_in_chinese(site, login):
    client = login("league_a")
    response = client.post(reverse("problems-add"), blank_form(client, reverse("problems-add")))

    assert response.status_code == 200
    for field in ("unit", "number", "description", "discovery_method", "found_on"):
        assert errors(response)[field] == [REQUIRED_ZH], field
    assert text(response).count(REQUIRED_ZH) == 5
    assert not Problem.objects.filter(campaign=site.campaign).exclude(pk__in=site.records.values()).exists()


def test_the_messages_are_english_with_the_language_cookie(site, login):
    client = login("league_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("problems-add"), blank_form(client, reverse("problems-add")))

    assert errors(response)["number"] == ["This field is required."]
    assert "This field is required." in text(response)


ITEM_A1 = object()  # replaced by the id of catalogue item A1 (category A), not the problem's category


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"project": "P-baotou"}, "project", lambda: zh("No record with this number in the chosen unit.")),
        ({"deadline": "2024-05-01"}, "deadline", lambda: zh("The deadline lies before the day it was found.")),
        ({"found_on": "2024-02-30"}, "found_on", lambda: "输入一个有效的日期。"),
        ({"unit": "150200"}, "unit", lambda: "选择一个有效的选项"),  # another unit: no choice of league_a's
        ({"item": ITEM_A1}, "item", lambda: zh("The item does not belong to the category.")),
        ({"number": "Q-hohhot", "project": "P-hohhot", "county": ""}, "__all__", lambda: "已经存在"),  # unique
    ],
)
def test_validation_messages(site, login, changes, field, message):
    from ducha.ledger.models import ProblemItem

    if changes.get("item") is ITEM_A1:
        changes = {**changes, "item": ProblemItem.objects.get(code="A1").pk}
    if "unit" in changes:
        changes = {**changes, "unit": Unit.objects.get(code=changes["unit"]).pk}
    before = Problem.objects.count()

    response = login("league_a").post(reverse("problems-add"), new_problem(site, **changes))

    assert response.status_code == 200
    assert message() in " ".join(errors(response)[field])
    assert message() in text(response)
    assert Problem.objects.count() == before


def test_a_county_outside_the_unit_is_refused(site, login):
    response = login("office").post(reverse("problems-add"), new_problem(site, unit=site.units["150200"].pk,
                                                                         project=""))  # fmt: skip
    assert errors(response)["county"] == [zh("The county does not lie in the unit.")]


def test_numbers_below_the_minimum_are_refused(site, login):
    training = {"unit": site.units["150100"].pk, "title": "业务培训", "held_on": "2024-06-01", "attendees": "0"}
    project = {
        "unit": site.units["150100"].pk,
        "number": "P-负数",
        "name": "负数金额",
        "tenderer": "某局",
        "amount": "-1",
    }

    t = login("league_a").post(reverse("trainings-add"), training)
    p = login("league_a").post(reverse("projects-add"), project)

    assert errors(t)["attendees"][0].startswith("确保该值大于或等于")
    assert errors(p)["amount"][0].startswith("确保该值大于或等于")
    assert (
        not Training.objects.filter(title="业务培训").exists() and not Project.objects.filter(number="P-负数").exists()
    )


# ---------------------------------------------------------------------------
# Editing.


def test_an_edit_saves_with_its_reason_in_the_history(site, login):
    client = login("league_a")
    problem = site.problems["hohhot"]
    url = reverse("problems-edit", args=[problem.pk])
    form = form_fields(client.get(url))
    assert form["project"] == "P-hohhot"  # the linked project by its number
    assert form["description"] == problem.description

    response = client.post(url, {**form, "measures": "约谈相关责任人", "reason": "补充整改措施"})

    assert response.status_code == 302
    problem.refresh_from_db()
    assert (problem.measures, problem.project, problem.status) == ("约谈相关责任人", site.projects["hohhot"], "found")
    detail = client.get(reverse("problems-detail", args=[problem.pk]))
    history = text(re.search(r'<table class="grid history">(.*?)</table>', page(detail), re.S).group(1))
    assert "补充整改措施" in history and "约谈相关责任人" in history and "league_a" in history


def test_two_people_editing_one_record_cannot_overwrite_each_other(site, login):
    """Both open the edit page; the first saves; the second's save is refused with a message,
    and nothing of it is written (as the API's If-Match)."""
    first, second = login("league_a"), login("group_a")
    problem = site.problems["hohhot"]
    url = reverse("problems-edit", args=[problem.pk])
    form_a, form_b = form_fields(first.get(url)), form_fields(second.get(url))
    assert form_a["version"] == form_b["version"]
    assert first.post(url, {**form_a, "measures": "第一人的措施"}).status_code == 302
    logged = ChangeLogEntry.objects.count()

    response = second.post(url, {**form_b, "measures": "第二人的措施"})

    assert response.status_code == 200
    assert errors(response)["__all__"] == [
        zh("Someone else changed this record after you opened it. Open it again to see it.")
    ]
    problem.refresh_from_db()
    assert problem.measures == "第一人的措施" and ChangeLogEntry.objects.count() == logged
    again = form_fields(second.get(url))  # opened again: the first one's change, and a new version
    assert again["measures"] == "第一人的措施" and again["version"] != form_b["version"]
    assert second.post(url, {**again, "measures": "第二人的措施"}).status_code == 302


def test_a_county_reporter_edits_its_countys_problem(site, login):
    client = login("county_a")
    url = reverse("problems-edit", args=[site.problems["xincheng"].pk])

    response = client.post(url, {**form_fields(client.get(url)), "responsible": "张三"})

    assert response.status_code == 302
    assert Problem.objects.get(pk=site.problems["xincheng"].pk).responsible == "张三"


def test_an_edit_does_not_change_the_status(site, login):
    client = login("office")
    url = reverse("problems-edit", args=[site.problems["czt"].pk])

    client.post(url, {**form_fields(client.get(url)), "status": "signed_off", "rectified_on": "2024-06-02"})

    problem = Problem.objects.get(pk=site.problems["czt"].pk)
    assert (problem.status, problem.rectified_on) == ("found", None)


def test_an_edit_cannot_move_a_record_out_of_the_scope(site, login):
    client = login("group_a")
    url = reverse("projects-edit", args=[site.projects["fgw"].pk])

    response = client.post(url, {**form_fields(client.get(url)), "unit": site.units["150200"].pk})

    assert response.status_code == 200
    assert "选择一个有效的选项" in errors(response)["unit"][0]
    assert Project.objects.get(pk=site.projects["fgw"].pk).unit.code == "fgw"


def test_an_edit_of_a_linked_disposition_keeps_its_link(site, login):
    client = login("group_b")
    url = reverse("filed-cases-edit", args=[site.pk("filed-cases", "baotou")])
    form = form_fields(client.get(url))
    assert form["problem"] == "Q-baotou"

    assert client.post(url, {**form, "summary": "已移送审查起诉"}).status_code == 302
    case = FiledCase.objects.get(pk=site.pk("filed-cases", "baotou"))
    assert (case.summary, case.problem) == ("已移送审查起诉", site.problems["baotou"])


# ---------------------------------------------------------------------------
# Text that looks like code or a formula.

FORMULAS = ("=SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)")


def test_markup_in_user_text_is_shown_as_text(site, login):
    client = login("office")
    client.post(reverse("problems-add"), new_problem(site, description='<script>alert("x")</script><b onclick=1>'))
    problem = Problem.objects.get(number="Q-新增-001")

    for url in (reverse("problems-detail", args=[problem.pk]), reverse("problems-list")):
        html = page(client.get(url))
        assert_no_inline_code(html)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_formulas_entered_in_forms_are_exported_as_text(site, login):
    client = login("league_a")
    unit = site.units["150100"].pk
    for i, formula in enumerate(FORMULAS):
        assert (
            client.post(reverse("problems-add"), new_problem(site, number=f"F-{i}", description=formula)).status_code
            == 302
        )
        assert client.post(reverse("trainings-add"), {"unit": unit, "title": formula, "held_on": "2024-06-01",
                                                      "attendees": 5}).status_code == 302  # fmt: skip
    assert (
        client.post(reverse("problems-add"), new_problem(site, number="=1+1", description="编号像公式")).status_code
        == 302
    )

    problems = read_xlsx(client.get(reverse("problems-list"), {"q": "F-", "export": "xlsx"}))
    trainings = read_xlsx(client.get(reverse("trainings-list"), {"export": "xlsx"}))
    numbers = read_xlsx(client.get(reverse("problems-list"), {"q": "编号像公式", "export": "xlsx"}))

    # exactly the text, no apostrophe added (the cells are typed as text: see the next test)
    assert sorted(row[1] for row in problems[1:]) == sorted(FORMULAS)
    title = trainings[0].index(zh("title"))  # the full export: unit, domain, then the title
    assert sorted(row[title] for row in trainings[1:] if row[title].startswith(("=", "+", "-", "@"))) == sorted(
        FORMULAS
    )
    assert numbers[1][0] == "=1+1"
    # the list page itself shows the text as entered
    listed = text(client.get(reverse("problems-list"), {"q": "F-"}))
    assert all(f in listed for f in FORMULAS)


def test_exported_formulas_are_not_formula_cells(site, login):
    import io

    import openpyxl

    client = login("office")
    client.post(reverse("problems-add"), new_problem(site, description='=HYPERLINK("http://x","y")'))
    response = client.get(reverse("problems-list"), {"q": "Q-新增", "export": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ('=HYPERLINK("http://x","y")', "s")
    assert sheet["B2"].quotePrefix  # stays text when the cell is edited in Excel

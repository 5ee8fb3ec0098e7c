"""The role × page matrix of the letters, letter responses and complaints: for every role
of the small campaign, which records' pages open (200) and which are not there (404),
which lists show which records, and who may open the add and edit pages.

Records: a letter of group A to 呼和浩特市 ("A"), of group B to 包头市 ("B"), of the office
to 呼和浩特市 ("O"), each with its recipient; a complaint of group A for 呼和浩特市 ("A"),
of group B for 包头市 ("B"), and one the office received and has not assigned ("O")."""

import datetime as dt

import pytest
from django.urls import reverse

from ducha.core.actions import do_create_object
from ducha.supervision.actions.letters import do_issue_letter
from ducha.supervision.models import Complaint
from ducha.web.tests.conftest import ROLES
from ducha.web.tests.helpers import list_body

DAY = dt.date(2024, 6, 3)
ALL = {"A", "B", "O"}
NONE: set[str] = set()
SEES = {
    "letters": {"office": ALL, "viewer": ALL, "group_a": {"A"}, "group_b": {"B"}},
    "letter-recipients": {
        "office": ALL,
        "viewer": ALL,
        "group_a": {"A", "O"},
        "group_b": {"B"},
        "league_a": {"A", "O"},
        "league_b": {"B"},
    },  # fmt: skip
    "complaints": {
        "office": ALL,
        "viewer": ALL,
        "group_a": {"A"},
        "group_b": {"B"},
        "league_a": {"A"},
        "league_b": {"B"},
    },  # fmt: skip
}
ADDS = {"office", "group_a", "group_b"}
EDITS = {  # the edit page of record "A" (a unit edits its answer and its handling there)
    "letters": {"office", "group_a"},
    "letter-recipients": {"office", "group_a", "league_a"},
    "complaints": {"office", "group_a", "league_a"},
}


@pytest.fixture
def records(site) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for key, actor, group, unit in (("A", "group_a", "A", "150100"), ("B", "group_b", "B", "150200"),
                                    ("O", "office", None, "150100")):  # fmt: skip
        data = {"campaign": site.campaign, "group": site.groups[group] if group else None, "kind": "notice",
                "title": f"提示函 {key}", "points": "注意", "issued_on": DAY}  # fmt: skip
        letter = do_issue_letter(actor=site.users[actor], data=data, units=[site.units[unit]])
        found["letters", key] = letter.pk
        found["letter-recipients", key] = letter.recipients.get().pk
        assign = {"group": site.groups[group], "unit": site.units[unit]} if group else {}
        data = {"campaign": site.campaign, "number": f"JB-{key}", "source": "hotline", "received_on": DAY,
                "summary": f"举报 {key}", **assign}  # fmt: skip
        found["complaints", key] = do_create_object(Complaint, actor=site.users[actor], data=data).pk
    return found


LABELS = {"letters": "提示函 {}", "letter-recipients": "提示函 {}", "complaints": "JB-{}"}


@pytest.mark.parametrize("key", list(SEES))
@pytest.mark.parametrize("role", ROLES)
def test_pages_and_lists_by_role(records, login, role, key):
    client = login(role)
    visible = SEES[key].get(role, NONE)
    for record in sorted(ALL):
        status = client.get(reverse(f"{key}-detail", args=[records[key, record]])).status_code
        assert status == (200 if record in visible else 404), (record, status)
    listed = client.get(reverse(f"{key}-list"))
    if role == "norole":
        assert listed.status_code != 200 or "JB-" not in listed.content.decode()
        return
    body = list_body(listed)
    assert {r for r in ALL if LABELS[key].format(r) in body} == visible
    assert client.get(reverse(f"{key}-add")).status_code == (200 if role in ADDS else 403)
    edit = client.get(reverse(f"{key}-edit", args=[records[key, "A"]])).status_code
    assert edit == (200 if role in EDITS[key] else 404 if "A" not in visible or role == "viewer" else 403)

"""The ledgers through the API: the pages' scope, forms, workflow rules and change log."""

from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import Problem


def test_no_token_no_data(small, client):
    response = client.get("/api/v1/problems/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert client.get("/api/v1/problems/", headers={"Authorization": "Bearer dch_nonsense"}).status_code == 401


def test_list_is_scoped_and_names_units_by_code(small, api):
    body = api("league_a").get("problems/").json()
    numbers = {p["number"] for p in body["results"]}
    mine = Problem.objects.filter(unit__code="150100")
    assert numbers == set(mine.values_list("number", flat=True)) and numbers
    assert {p["unit"] for p in body["results"]} == {"150100"}
    assert body["count"] == mine.count()
    everything = api("office").get("problems/").json()
    assert everything["count"] == Problem.objects.filter(campaign=small.campaign).count()


def test_another_units_record_is_not_found(small, api):
    theirs = small.problems["baotou"]
    response = api("league_a").get(f"problems/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_update_needs_the_current_etag(small, api):
    problem = small.problems["hohhot"]
    a, b = api("league_a"), api("league_a")
    first = a.get(f"problems/{problem.pk}/")
    etag = first["ETag"]
    assert b.patch(f"problems/{problem.pk}/", {"description": "无版本"}).status_code == 428
    ok = a.patch(f"problems/{problem.pk}/", {"description": "第一人的修改"}, **{"If-Match": etag})
    assert ok.status_code == 200, ok.content
    assert ok.json()["description"] == "第一人的修改"
    logged = ChangeLogEntry.objects.count()
    late = b.patch(f"problems/{problem.pk}/", {"description": "第二人的修改"}, **{"If-Match": etag})
    assert late.status_code == 412
    assert late["Content-Type"] == "application/problem+json"
    problem.refresh_from_db()
    assert problem.description == "第一人的修改"
    assert ChangeLogEntry.objects.count() == logged


def test_form_errors_come_back_as_problem_details(small, api):
    problem = small.problems["hohhot"]
    client = api("league_a")
    etag = client.get(f"problems/{problem.pk}/")["ETag"]
    response = client.patch(f"problems/{problem.pk}/", {"unit": "999999"}, **{"If-Match": etag})
    assert response.status_code == 422
    assert "999999" in response.json()["errors"]["unit"][0]

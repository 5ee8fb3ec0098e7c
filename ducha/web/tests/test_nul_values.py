"""A NUL character in a search or filter value: a clean, empty list on every ledger,
and no query carrying it to the database (PostgreSQL refuses text with NUL: a 500)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ducha.web.tests.conftest import LEDGERS, label
from ducha.web.tests.helpers import list_body, read_xlsx, shown_count

QUERIES = {
    "search": lambda ledger: {"q": label(ledger, "hohhot") + "\x00"},
    "search, NUL first": lambda ledger: {"q": "\x00" + label(ledger, "hohhot")},
    "unit": lambda ledger: {"unit": "150100\x00"},
    "domain": lambda ledger: {"domain": "\x00"},
    "group, with a search": lambda ledger: {"group": "engineering\x00", "q": "x"},
    "sort": lambda ledger: {"sort": "\x00"},
    "an unknown parameter": lambda ledger: {"x\x00": "1"},
}


def nul_free(queries) -> bool:
    return not [q["sql"] for q in queries.captured_queries if "\x00" in q["sql"]]


@pytest.mark.parametrize("query", list(QUERIES))
@pytest.mark.parametrize("ledger", LEDGERS)
def test_a_nul_in_a_search_or_filter_lists_nothing(site, login, ledger, query):
    client = login("office")
    url = reverse(f"{ledger}-list")
    assert shown_count(client.get(url, {"q": label(ledger, "hohhot")})) >= 1  # found without the NUL

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, QUERIES[query](ledger))

    assert response.status_code == 200
    assert shown_count(response) == 0
    assert label(ledger, "hohhot") not in list_body(response)
    assert nul_free(queries)


@pytest.mark.parametrize("ledger", LEDGERS)
def test_a_nul_in_an_export_gives_an_empty_workbook(site, login, ledger):
    client = login("office")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"{ledger}-list"), {"q": "\x00", "export": "xlsx"})

    assert response.status_code == 200
    assert len(read_xlsx(response)) == 1  # the header row only
    assert nul_free(queries)

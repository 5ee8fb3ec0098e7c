"""Two clients PATCH the same problem with the same ETag at the same moment (two threads,
each its own database connection, released together by a barrier), then what is stored.
The lost-update test runs it in its own process on PostgreSQL, and on SQLite against a
copy of the test database in a WAL file, as production runs it (the in-memory test
database's shared cache refuses a second writer at once instead of waiting):

    python -m ducha.api.tests.race <problem pk> <ETag> <token> <token>   → JSON on stdout
"""

import json
import sys
import threading


def race(pk: int, etag: str, tokens: list[str]) -> dict:
    from django.db import connection
    from django.test import Client

    from ducha.core.models import ChangeLogEntry
    from ducha.ledger.models import Problem

    head = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    connection.close()
    answers: dict[str, int] = {}
    barrier = threading.Barrier(len(tokens))

    def patch(n: int, token: str) -> None:
        client = Client(SERVER_NAME="localhost")  # not the test runner's testserver: ALLOWED_HOSTS as deployed
        barrier.wait()
        try:
            response = client.patch(
                f"/api/v1/problems/{pk}/",
                {"description": f"第{n}人的修改"},
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "If-Match": etag},
            )
            answers[f"第{n}人的修改"] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(n, token)) for n, token in enumerate(tokens, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    logged = ChangeLogEntry.objects.filter(seq__gt=head).order_by("seq")
    return {
        "answers": answers,
        "stored": Problem.objects.get(pk=pk).description,
        "logged": [(e.action, e.object_type, e.object_id, (e.after or {}).get("description")) for e in logged],
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(race(int(sys.argv[1]), sys.argv[2], sys.argv[3:]), ensure_ascii=False))

"""Two clients take a step on the same problem at the same moment with the same ETag
(real threads, each with its own database connection): exactly one step is taken, the
other is refused with 412 and nothing of it is written. Committed data (small_committed),
so this module holds no test that uses the rolled-back `small`."""

import threading

import pytest
from django.db import connection
from django.test import Client

from ducha.core.models import ChangeLogEntry
from ducha.ledger.models import Problem, RectificationStep
from ducha.org.tokens import do_create_token


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database's shared cache refuses a second writer at once (table locked) "
    "instead of waiting as the WAL file does in production; PostgreSQL runs it",
)
def test_two_steps_at_once_one_wins_the_other_is_412(small_committed):
    sc = small_committed
    problem = sc.problems["hohhot"]
    secrets = {name: do_create_token(sc.users[name], actor=sc.system)[1] for name in ("league_a", "office")}
    etag = Client().get(f"/api/v1/problems/{problem.pk}/", headers={"Authorization": f"Bearer {secrets['office']}"})[
        "ETag"
    ]
    steps = {
        "league_a": ("rectifying", {"measures": "约谈中标单位"}),
        "office": ("dismissed", {"reason": "经核查不属实"}),
    }
    logged, answers = ChangeLogEntry.objects.count(), {}
    barrier = threading.Barrier(2)

    def take(name: str) -> None:
        target, body = steps[name]
        client = Client()
        barrier.wait()
        try:
            answers[name] = client.post(
                f"/api/v1/problems/{problem.pk}/transitions/{target}/",
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {secrets[name]}", "If-Match": etag},
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(name,)) for name in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers.values())
    assert codes == [200, 412], {n: r.content for n, r in answers.items()}
    [winner] = [n for n, r in answers.items() if r.status_code == 200]
    stored = Problem.objects.get(pk=problem.pk)
    assert stored.status == steps[winner][0]
    assert list(RectificationStep.objects.filter(problem=problem).values_list("to_status", flat=True)) == [
        steps[winner][0]
    ]
    # The winner's transition and step, nothing of the loser's.
    assert ChangeLogEntry.objects.count() == logged + 2

"""Two clients confirm the same check at the same moment (real threads, each with its own
database connection): one real import is queued, both answers name it. Committed data
(small_committed), so this module holds no test that uses the rolled-back `small`."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from ducha.imports.models import ImportJob
from ducha.imports.tests import books
from ducha.org.tokens import do_create_token
from ducha.web.tests.helpers import run_jobs


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database's shared cache refuses a second writer at once (table locked) "
    "instead of waiting as the WAL file does in production; PostgreSQL runs it",
)
def test_two_confirmations_at_once_queue_one_import(small_committed, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    sc = small_committed
    headers = {"Authorization": f"Bearer {do_create_token(sc.users['league_a'], actor=sc.system)[1]}"}
    file = SimpleUploadedFile("项目台账.xlsx", books.xlsx([books.project(项目编号="GC-RACE-1")]))
    check = Client().post("/api/v1/imports/projects/", {"file": file}, headers=headers).json()["id"]
    assert run_jobs() == 1
    answers: list = []
    barrier = threading.Barrier(2)

    def confirm() -> None:
        barrier.wait()
        try:
            answers.append(Client().post(f"/api/v1/imports/{check}/confirm/", {}, headers=headers))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [200, 202], [r.content for r in answers]
    real = ImportJob.objects.get(source_id=check)  # one, not two
    assert {r.json()["id"] for r in answers} == {real.pk}

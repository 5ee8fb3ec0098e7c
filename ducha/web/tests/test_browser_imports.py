"""Browser test of the web import (Playwright driving Debian's Chromium, as in
test_browser.py, whose fixtures it uses): a unit reporter uploads a project ledger, sees
the check queued and its progress bar, the preview once a worker has run it (the page
reloads itself), confirms, and sees the result. Screenshots go to test-output/screenshots/.

The worker is a thread of this process running what is queued with the worker's own
`run_task` (as `ducha db_worker` does), started when the test lets it; with the in-memory
SQLite of the tests it shares the live server's connection, as the live server's own
threads do. The test body does not touch the database."""

import threading
from collections.abc import Iterator

import pytest
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import expect

from ducha.imports.tests import books
from ducha.testing import zh
from ducha.web.tests.test_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    browser,
    campaign,
    chromium_executable,
    screenshot,
    sign_in,
)


class JobRunner(threading.Thread):
    """Runs the queued tasks whenever `go` is set, until `stop`."""

    def __init__(self):
        super().__init__(daemon=True)
        self.go, self.stop = threading.Event(), threading.Event()
        self.shared = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
        for conn in self.shared.values():
            conn.inc_thread_sharing()
        self.failures: list[BaseException] = []

    def run(self):
        for alias, conn in self.shared.items():
            connections[alias] = conn
        worker = Worker(
            queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
            max_tasks=None, worker_id="browser-test", excluded_queue_names=[],
        )  # fmt: skip
        try:
            while not self.stop.wait(0.2):
                if self.go.is_set():
                    for result in list(DBTaskResult.objects.ready()):
                        result.claim("browser-test")
                        worker.run_task(result)
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            self.failures.append(error)


@pytest.fixture
def jobs(campaign, settings, tmp_path) -> Iterator[JobRunner]:  # noqa: F811 (the fixtures of test_browser)
    settings.VAR_DIR = tmp_path / "var"
    runner = JobRunner()
    runner.start()
    yield runner
    runner.stop.set()
    runner.join(10)
    for conn in runner.shared.values():
        conn.dec_thread_sharing()


def test_upload_check_confirm_and_see_the_result(campaign, jobs, sign_in, tmp_path):  # noqa: F811
    rows = [
        books.project(项目编号="GC-WEB-1"),
        books.project(项目编号="GC-WEB-2", 项目名称="某某桥梁工程"),
        books.project(项目编号="P-hohhot", 项目名称="呼和浩特市 改过名字的项目"),
    ]
    file = tmp_path / "呼和浩特市项目台账.xlsx"
    file.write_bytes(books.xlsx(rows))

    league = sign_in("league_a")
    page = league.page
    page.goto("/")
    page.get_by_role("navigation").get_by_role("link", name=zh("Import ledgers")).click()
    page.locator('select[name="kind"]').select_option("projects")
    page.locator('input[name="file"]').set_input_files(file)
    page.get_by_role("button", name=zh("Upload and check")).click()

    progress = page.get_by_test_id("progress")
    expect(progress).to_have_attribute("hx-trigger", "every 1s")  # queued: the page polls
    shots = [screenshot(page, "imports-progress")]

    jobs.go.set()  # the worker runs the check; the page reloads itself when it is done
    expect(page.get_by_test_id("added")).to_have_text("2")
    expect(page.get_by_test_id("changed")).to_have_text("1")
    expect(page.get_by_test_id("unchanged")).to_have_text("0")
    expect(page.get_by_test_id("changed-records")).to_contain_text("P-hohhot")
    shots.append(screenshot(page, "imports-preview"))

    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("outcome")).to_be_visible()
    expect(page.get_by_test_id("added")).to_have_text("2")
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    shots.append(screenshot(page, "imports-result"))

    page.get_by_role("link", name=zh("Project ledger")).last.click()
    expect(page.get_by_text("某某桥梁工程")).to_be_visible()
    assert jobs.failures == []
    assert league.errors == []
    print("".join(f"\nscreenshot: {path}" for path in shots))

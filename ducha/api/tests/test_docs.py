"""The API describes itself to anyone: /api/v1/openapi.json and the interactive docs at
/api/v1/docs answer without a token (the data behind them does not). The docs page is
Swagger UI from our own static files (no CDN: intranets are offline), under the pages'
Content-Security-Policy; a browser opens it and sees the operations listed."""

import re

from django.test import Client
from playwright.sync_api import expect

from ducha.api.tests import routes
from ducha.web.tests.test_browser import CHROMIUM_ARGS, chromium_path


def test_schema_and_docs_answer_without_a_token(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["paths"].keys() == routes.schema()["paths"].keys()
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets  # nothing from another site
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    assert client.get("/api/v1/problems/").status_code == 401


def test_docs_page_lists_the_operations_in_a_browser(live_server, transactional_db):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900},
                                          locale="zh-CN")  # fmt: skip
            page = context.new_page()
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto("/api/v1/docs")
            # A generous wait: with the suite in two processes on a small machine, a page may wait.
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ducha API", timeout=30_000)
            operations = page.locator(".opblock-summary-path")
            expect(operations.first).to_be_visible()
            shown = {operations.nth(i).get_attribute("data-path") for i in range(operations.count())}
            assert shown == set(routes.schema()["paths"]), shown ^ set(routes.schema()["paths"])
            page.screenshot(path="/tmp/shots/api_docs.png", full_page=False)
            assert all(url.startswith(live_server.url) for url in requested), requested
        finally:
            browser.close()
    assert not errors, errors

"""Fixtures for the jury console: the API in-process, a real server on 127.0.0.1, and a headless Chromium page."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import warnings
from collections.abc import Iterator

import pytest
from racepolicy.query.policyset import PolicySet

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def client(bundled: PolicySet) -> Iterator[object]:
    """Starlette's TestClient over the console's app on the bundled policies."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's notice that it prefers httpx2 to httpx
        from racepolicy.web.app import create_app
        from starlette.testclient import TestClient

        with TestClient(create_app(bundled), raise_server_exceptions=False) as test_client:
            yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(bundled: PolicySet) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1, in a thread: the URL of the console."""
    import uvicorn
    from racepolicy.web.app import create_app

    port = free_port()
    config = uvicorn.Config(create_app(bundled), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """The system's Chromium, headless, driven by Playwright (never a downloaded browser)."""
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    """A fresh page on the console, offline but for the server itself; fails the test on any script error."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})  # type: ignore[attr-defined]
    # The page must work with no network: anything not from the server is refused.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A 400 answer to a bad query is logged by Chromium as a failed load: that is the page working, not a script error.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" and "Failed to load resource" not in message.text else None)
    page.goto(server + "/")
    page.wait_for_selector("#edition option[value='utmb-2022']", state="attached")
    yield page
    context.close()
    assert not errors, errors

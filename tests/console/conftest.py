"""The console in a real browser: Playwright for Python driving Debian's Chromium
(``deploy/ensure-browser.sh``) against the platform the e2e fixture starts (``tests/e2e/platform_fixtures.py``), which serves the
built console (``deploy/build-console.sh``) at ``/``.

- ``browser``: one Chromium for the session;
- ``new_page(viewport=..., geolocation=...)``: a fresh context (its own cookies) per person;
- ``console_browser``: ``login``, ``axe`` (no serious or critical violation) and ``shot``
  (screenshots under ``var/screenshots/`` or ``$CONSOLE_SCREENSHOTS``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # console_browser.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))  # the platform fixture

from console_browser import DESKTOP, ROOT  # noqa: E402
from platform_fixtures import Api, api, channels, demo_accounts, platform  # noqa: E402,F401

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def console_url(platform):  # noqa: F811  (the fixture imported above)
    index = ROOT / "console" / "dist" / "index.html"
    assert index.is_file(), "the console is not built: run ./deploy/build-console.sh"
    return platform.url("gateway")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, console_url):
    """``new_page(viewport=DESKTOP, geolocation=None)``: a page in a context of its own.
    The context bypasses the Content-Security-Policy only so that axe-core can be injected;
    ``test_console_shell`` loads the console under the policy and sees no violation."""
    contexts = []

    def open_page(viewport=DESKTOP, geolocation=None, **options):
        context_options = {"viewport": viewport, "base_url": console_url, "locale": "zh-CN",
                           "timezone_id": "Asia/Shanghai", "bypass_csp": True, **options}
        if geolocation is not None:
            context_options.update(geolocation=geolocation, permissions=["geolocation"])
        context = browser.new_context(**context_options)
        context.set_default_timeout(60_000)  # generous: the platform may share a busy machine
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()



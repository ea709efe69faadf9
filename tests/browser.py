"""A small headless-chromium harness for checking that report pages really render offline.

It drives the system's chromium (Debian's /usr/bin/chromium) through playwright's sync API; it never
downloads a browser (``playwright install`` is not to be run). A page passes when it logs no
console error, throws no page error, requests nothing but file:/data:/blob:/about: URLs, and every
plotly figure has drawn its SVG.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
_EXTERNAL = re.compile(r"^(?!file:|data:|blob:|about:)[a-z][a-z0-9+.-]*:", re.I)
RENDER_TIMEOUT_MS = 20_000


def chromium_path() -> str | None:
    """The chromium executable to drive, or None when the machine has none."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def require_browser() -> bool:
    """True when ESCALADE_REQUIRE_BROWSER=1: a missing chromium must then fail, not skip."""
    return os.environ.get("ESCALADE_REQUIRE_BROWSER") == "1"


class Chromium:
    """One headless chromium for several pages: ``with Chromium() as c: c.open_page(...)``.

    Launching costs about a second; a test of several pages shares one browser, each page in a
    fresh context so that nothing carries over between them.
    """

    def __init__(self, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
        self.timeout_ms = timeout_ms
        self._pw: Any = None
        self._browser: Any = None

    def __enter__(self) -> Chromium:
        from playwright.sync_api import sync_playwright

        exe = chromium_path()
        if exe is None:
            raise RuntimeError("no chromium executable (looked for chromium on PATH and /usr/bin/chromium)")
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        except BaseException:
            self._pw.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._browser.close()
        finally:
            self._pw.stop()

    def open_page(self, html_path: Path, screenshot: Path) -> list[str]:
        """Open ``html_path``, wait for every plotly figure, save a full-page screenshot; return
        every error seen (console errors, page errors, external requests, figures not drawn).
        """
        return self.open_pages([(html_path, screenshot)])[0]

    def open_pages(self, jobs: Sequence[tuple[Path, Path]]) -> list[list[str]]:
        """``open_page`` for several (html, screenshot) pairs, loading them side by side.

        Each page gets its own context (and renderer process), and all navigations start before
        any is waited for, so parsing plotly.js (about 5 MB) overlaps across pages. External
        requests are recorded and aborted, so a page that tries to fetch something fails quickly
        and visibly instead of hanging on a machine without network.
        """
        opened = []
        try:
            for html_path, _ in jobs:
                opened.append(self._start(Path(html_path)))
            results = []
            for (_context, page, errors), (_, shot) in zip(opened, jobs, strict=True):
                self._finish(page, errors, Path(shot))
                results.append(errors)
            return results
        finally:
            for context, _, _ in opened:
                context.close()

    def _start(self, html_path: Path) -> tuple[Any, Any, list[str]]:
        errors: list[str] = []

        def on_request(url: str) -> None:
            if not url.startswith(LOCAL_SCHEMES):
                errors.append(f"external request: {url}")

        def on_console(msg: Any) -> None:
            if msg.type == "error":
                errors.append(f"console error: {msg.text}")

        context = self._browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        context.route(_EXTERNAL, lambda route: route.abort())
        page = context.new_page()
        page.on("console", on_console)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.on("request", lambda r: on_request(r.url))
        page.goto(html_path.resolve().as_uri(), wait_until="commit", timeout=self.timeout_ms)
        return context, page, errors

    def _finish(self, page: Any, errors: list[str], screenshot: Path) -> None:
        from playwright.sync_api import Error as PlaywrightError

        try:
            page.wait_for_load_state("load", timeout=self.timeout_ms)
            page.wait_for_selector(".plotly .main-svg", timeout=self.timeout_ms)
            page.wait_for_function(
                """() => {
                    const divs = document.querySelectorAll('.plotly-graph-div');
                    return divs.length > 0 && [...divs].every(d => d.querySelector('.main-svg'));
                }""", timeout=self.timeout_ms)
        except PlaywrightError as exc:
            errors.append(f"plotly figures did not render: {exc}")
        figures = page.evaluate("document.querySelectorAll('.plotly-graph-div').length")
        drawn = page.evaluate("document.querySelectorAll('.plotly-graph-div .main-svg').length")
        if figures == 0 or drawn < figures:
            errors.append(f"plotly figures not all drawn ({figures} figure divs, {drawn} drawn)")
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)


def open_page(html_path: Path, screenshot: Path) -> list[str]:
    """Open one page in a fresh headless chromium; see ``Chromium.open_page``."""
    with Chromium() as browser:
        return browser.open_page(html_path, screenshot)

"""Open a kg viz page the way bench/viz_bench.py and tests/test_viz_browser.py need it:
headless Chromium, the page from file://, every other request aborted and recorded, until
the page says it is drawn (window.kgReady)."""
from __future__ import annotations

from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class OfflinePage:
    """page, its context, the non-file URLs it asked for and its script errors."""

    def __init__(self, ctx, page):
        self.ctx, self.page = ctx, page
        self.attempted: list[str] = []
        self.errors: list[str] = []

    def close(self) -> None:
        self.ctx.close()


def open_offline(browser, html: Path, viewport: dict, timeout_ms: int) -> OfflinePage:
    ctx = browser.new_context(viewport=viewport)
    opened = OfflinePage(ctx, ctx.new_page())

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            opened.attempted.append(r.request.url)
            r.abort()

    opened.page.route("**/*", route)
    opened.page.on("pageerror", lambda e: opened.errors.append(str(e)))
    opened.page.goto(Path(html).as_uri())
    opened.page.wait_for_function("typeof window.kgReady === 'number'", timeout=timeout_ms)
    return opened

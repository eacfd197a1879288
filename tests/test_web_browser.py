"""The web application in a real browser: Playwright driving Debian's chromium against ``rackforge serve``
on loopback. A planner signs in, opens a new scenario (the bundled campus), sees a validation error at its
line, starts a run and watches it finish, opens the dashboard, and compares two runs. The runs plan a small
scenario, so the test spends its time in the browser, not the solver (``benchmarks/first_use.py`` times
the bundled campus the same way). Screenshots are kept under ``out/screenshots/``."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rackforge.inputs import bundled_scenario
from tests import browsers
from tests.databases import UnavailableError
from tests.test_supply import SMALL
from tests.webapp import make_users

SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"
RUN_SECONDS = 240


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        executable = browsers.chromium()
    except UnavailableError as exc:
        pytest.skip(f"chromium unavailable: {exc}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        except Exception as exc:
            pytest.skip(f"chromium unavailable: it would not start under Playwright: {exc}")
        yield launched
        launched.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    tokens = make_users(url)
    with browsers.server(url, workers=2, log=tmp_path / "serve.log") as served:
        yield served.url, tokens


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_planner_edits_runs_reads_and_compares_in_the_browser(browser: Any, site: tuple[str, dict[str, str]]) -> None:
    from playwright.sync_api import expect

    base, tokens = site
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login")
    page.fill("#token", "rf_1_wrong")
    page.click("button[type=submit]")
    expect(page.locator(".alert")).to_contain_text("Unknown or revoked token")
    page.goto(f"{base}/login")
    page.fill("#token", tokens["lab-planner"])
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/")
    shot(page, "1-scenarios")

    page.click("#new-scenario")
    expect(page.locator("#yaml")).to_have_value(bundled_scenario().read_text(), timeout=10_000)
    good = SMALL
    line = next(i for i, text in enumerate(good.splitlines(), 1) if "count: 8" in text)
    page.fill("#yaml", good.replace("count: 8", "count: -8", 1))
    page.click("#check")
    expect(page.locator("#problems")).to_contain_text(f"line {line}")
    expect(page.locator("#problems")).to_contain_text("clusters[0].count: input should be greater than 0")
    expect(page.locator(f"#L{line}")).to_have_class("bad")
    shot(page, "2-editor-error")

    first = _run(page, base, good)
    shot(page, "3-run-done")
    page.click("#dashboard-link")
    sections = page.locator("section[id^=section-] .figure")
    expect(sections.first).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(sections.count())
    assert sections.count() >= 9, (
        "ramp, BOM cost, weekly cost, treemap, domestic content, utilization, gantt, TTS/TTR, outlook"
    )
    expect(page.locator("#exceptions")).to_contain_text("transformer-mv-2500kva")
    shot(page, "4-dashboard")

    page.goto(f"{base}/scenarios/new")
    second = _run(page, base, good.replace("count: 8", "count: 9", 1))
    page.goto(f"{base}/")
    page.check(f"input[name=a][value='{first}']")
    page.check(f"input[name=b][value='{second}']")
    page.click("#compare")
    expect(page.locator("#input-changes")).to_contain_text("clusters[c].count")
    expect(page.locator("#kpi-deltas")).to_contain_text("accelerators")
    shot(page, "5-compare")
    page.close()


def _run(page: Any, base: str, text: str) -> int:
    """Save ``text`` and run it from the editor; watch the run page until done; the run's id."""
    from playwright.sync_api import expect

    page.fill("#yaml", text)
    page.click("#run")
    expect(page).to_have_url(re.compile(rf"{base}/runs/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])
    seen = []
    end = time.monotonic() + RUN_SECONDS
    while time.monotonic() < end:
        status = page.locator("#status").inner_text()
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("done", "failed", "cancelled"):
            break
        time.sleep(0.2)
    assert seen[-1] == "done", f"run {run_id} went {seen}: {page.locator('#detail').inner_text()}"
    assert len(seen) > 1, "the page followed the run live, not only its end"
    expect(page.locator("#dashboard-link")).to_be_visible()
    return run_id

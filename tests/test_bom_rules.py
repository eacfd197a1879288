"""Tariffs and domestic content against hand-worked examples (docs/domestic-content.md)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rackforge.bom.domestic import domestic_content, leaf_share
from rackforge.bom.tariffs import duty_rate
from rackforge.catalog import BomMatrix, load_catalog

START = dt.date(2027, 1, 4)


def part(pid: str, cost: float | None, origin: str, make: str = "buy", hts: str | None = None, bom=()):
    return {"id": pid, "name": pid, "family": "compute", "unit_cost_usd": cost, "origin": origin, "make_or_buy": make,
            "hts": hts, "bom": [{"part": c, "qty": q} for c, q in bom], "source": "docs example", "confidence": "E"}  # fmt: skip


EXAMPLE = {
    "parts": [
        part("ex-gpu", 800, "TW", hts="8542.31"),
        part("ex-tray-labour", 200, "US", "make"),
        part("ex-tray", None, "US", "make", bom=[("ex-gpu", 1), ("ex-tray-labour", 1)]),
        part("ex-psu", 100, "MX", hts="8504.40"),
        part("ex-cable", 40, "CN", hts="8544.42.90"),
        part("ex-rack-labour", 30, "US", "make"),
        part("ex-rack", None, "US", "make",
             bom=[("ex-tray", 1), ("ex-psu", 1), ("ex-cable", 1), ("ex-rack-labour", 1)]),
    ]
}  # fmt: skip


def run(extension: dict, week: int = 20, units: float = 10):
    catalog = load_catalog(extension)
    matrix = BomMatrix.of(catalog)
    vec = matrix.vector({"ex-rack": units})
    return {r.product: r for r in domestic_content([(week, vec)], catalog, matrix, START)}, catalog, matrix


def test_duties_stack_and_follow_dates() -> None:
    catalog = load_catalog(EXAMPLE)
    cable = catalog.items["ex-cable"]
    assert duty_rate(catalog, cable, dt.date(2027, 5, 1)) == pytest.approx(0.25 + 0.026)
    assert duty_rate(catalog, cable.model_copy(update={"origin": "MX"}), dt.date(2027, 5, 1)) == pytest.approx(0.026)
    assert duty_rate(catalog, cable.model_copy(update={"origin": "US"}), dt.date(2027, 5, 1)) == 0
    assert duty_rate(catalog, cable, dt.date(2019, 5, 9)) == pytest.approx(0.026), "List 3 starts 2019-05-10"
    battery = catalog.items["ups-battery-liion-1200kw-5min"].model_copy(update={"origin": "CN"})
    assert duty_rate(catalog, battery, dt.date(2025, 12, 31)) == pytest.approx(0.075)
    assert duty_rate(catalog, battery, dt.date(2026, 1, 1)) == pytest.approx(0.25)


def test_hand_worked_buy_american_example() -> None:
    """Tray made in-house counts at 1,000; PSU foreign 100; CN cable 40 x 1.276 with duty; own labour excluded."""
    rows, _, _ = run(EXAMPLE)
    rack = rows["ex-rack"]
    expected = 1000 / (1000 + 100 + 40 * 1.276)
    assert rack.share == pytest.approx(expected)
    assert round(rack.share, 4) == 0.8688
    assert (rack.year, rack.units, rack.threshold, rack.passed) == (2027, 10, 0.65, True)
    assert rack.margin == pytest.approx(expected - 0.65)
    assert rack.manufactured_in_us


def test_all_levels_view_looks_through_the_tray() -> None:
    rows, catalog, matrix = run(EXAMPLE)
    assert leaf_share("ex-rack", catalog, matrix) == pytest.approx((200 + 30) / (800 + 200 + 100 + 40 + 30))
    assert rows["ex-rack"].all_levels_pass is False


def test_thresholds_by_delivery_year() -> None:
    """2029 deliveries face 75 %; the same rack still passes with a smaller margin."""
    week_2029 = (dt.date(2029, 3, 5) - START).days // 7 + 1
    rows, _, _ = run(EXAMPLE, week=week_2029)
    assert (rows["ex-rack"].year, rows["ex-rack"].threshold) == (2029, 0.75)
    assert rows["ex-rack"].margin == pytest.approx(rows["ex-rack"].share - 0.75)


def test_bought_tray_fails_and_unknown_origin_is_foreign() -> None:
    bought = {"parts": [*EXAMPLE["parts"], part("ex-tray", 1000, "TW")]}
    assert run(bought)[0]["ex-rack"].passed is False
    unknown = {"parts": [*EXAMPLE["parts"], part("ex-psu", 100, "unknown", hts="8504.40")]}
    rows = run(unknown)[0]
    assert rows["ex-rack"].share == pytest.approx(1000 / (1000 + 100 + 40 * 1.276))


def test_rack_assembled_abroad_cannot_pass() -> None:
    abroad = {"parts": [*EXAMPLE["parts"], part("ex-rack", None, "MX", "make",
              bom=[("ex-tray", 1), ("ex-psu", 1), ("ex-cable", 1), ("ex-rack-labour", 1)])]}  # fmt: skip
    rack = run(abroad)[0]["ex-rack"]
    assert rack.share > 0.65
    assert rack.passed is False
    assert rack.manufactured_in_us is False


def test_bundled_campus_tariffs_are_separate_from_price() -> None:
    from rackforge.bom import build_bom
    from rackforge.cli import bundled_scenario
    from rackforge.inputs import load_inputs
    from rackforge.sizing import size

    inputs = load_inputs(bundled_scenario())
    bom = build_bom(size(inputs.scenario, inputs.catalog), inputs.catalog, inputs.scenario.start)
    assert bom.total_cost_usd == pytest.approx(sum(x.quantity * x.unit_cost_usd for x in bom.lines))
    assert bom.tariffs.total_usd == pytest.approx(sum(bom.tariffs.by_part.values()))
    assert bom.tariffs.total_usd == pytest.approx(sum(bom.tariffs.by_week.values()))
    assert np.isclose(sum(bom.cost_by_week.values()), bom.total_cost_usd)

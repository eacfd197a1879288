"""Domestic content per end product and delivery year in the supply plan (supply/content.py)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.supply import build_model, plan_supply
from tests.test_supply import SMALL, recompute

RACK = "gb200-nvl72"
NEARBY = ("power", "cooling", "cables", "networking")

# Houston (US) builds everything, Juarez (MX) builds the rack's power, cooling, cable and switch
# modules for 4,900 less each; compute trays and racks are Houston's alone. A rack whose modules all
# come from Juarez keeps only its trays (and a few US parts) as domestic content.
NEARSHORE = (
    SMALL.replace(
        "    build_cost_usd: {racks: 20000, compute: 500}\n",
        """    build_cost_usd: {racks: 20000, compute: 500, power: 5000, cooling: 5000, cables: 5000, networking: 5000}
  - name: juarez
    country: MX
    lines: [{family: power, capacity_per_week: 40}, {family: cooling, capacity_per_week: 40},
            {family: cables, capacity_per_week: 40}, {family: networking, capacity_per_week: 40}]
    build_cost_usd: {power: 100, cooling: 100, cables: 100, networking: 100}
""",
    )
    + "  - {from: juarez, to: houston, transit_weeks: 1, cost_per_unit_usd: 10}\n"
)


def _plan(tmp_path: Path, text: str):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    return inputs, bom, plan_supply(inputs.scenario, inputs.catalog, bom)


def _oracle(inputs, bom, plan) -> dict[tuple[str, int], float]:
    """Most domestic share each rack-year can have. Every rack component is consumed by racks only, so
    the US units of a component in racks started by week ``w`` are at most the units Houston built (or
    bought from US offers) by ``w``: greedily, rack build by rack build, that maximum is reached."""
    data, _, _ = build_model(inputs.scenario, inputs.catalog, bom)
    rack = data.items.index(RACK)
    lag = int(data.build_weeks[rack])
    parts = [(int(c), float(a)) for (p, c), a in zip(data.edges, data.edge_qty, strict=True)
             if p == rack and not data.labour[c]]  # fmt: skip
    cost = sum(a * data.value[c] for c, a in parts)
    us_in: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for b in plan.builds:
        if b.facility == "houston":
            us_in[b.item].append((b.week, b.quantity))
    for p in plan.purchases:
        if p.destination == "houston" and p.country == "US":
            us_in[p.part].append((p.arrival_week, p.quantity))
    drawn: dict[str, float] = defaultdict(float)
    value: dict[int, float] = defaultdict(float)
    units: dict[int, float] = defaultdict(float)
    for b in sorted((b for b in plan.builds if b.item == RACK), key=lambda b: b.week):
        year = data.week_of(b.week).year
        units[year] += b.quantity
        for c, a in parts:
            item = data.items[c]
            take = min(sum(q for w, q in us_in[item] if w <= b.week - lag) - drawn[item], a * b.quantity)
            drawn[item] += take
            value[year] += data.value[c] * take
    return {(RACK, y): value[y] / (cost * units[y]) for y in units}


def test_share_without_a_target_is_the_most_the_plan_attains(tmp_path: Path) -> None:
    inputs, bom, plan = _plan(tmp_path, NEARSHORE)
    rows = plan.kpis.domestic_share_by_product_year
    assert {r.product for r in rows} == {RACK}
    assert {inputs.catalog.items[t.item].family for t in plan.transfers} == set(NEARBY)
    assert all((t.origin, t.destination) == ("juarez", "houston") for t in plan.transfers)
    oracle = _oracle(inputs, bom, plan)
    for r in rows:
        assert r.threshold == pytest.approx(0.65), "the catalog's dated Buy American threshold"
        assert r.share == pytest.approx(oracle[(RACK, r.year)], abs=1e-9)
        assert 0.65 < r.share < 0.95
        assert r.passed is True


@pytest.mark.parametrize("target", [0.95, "buy-american"])
def test_target_brings_module_builds_home_at_least_cost(tmp_path: Path, target: float | str) -> None:
    _, _, free = _plan(tmp_path, NEARSHORE)
    inputs, bom, plan = _plan(tmp_path, NEARSHORE + f"policy: {{domestic_content_target: {target}}}\n")
    assert plan.status == "optimal"
    oracle = _oracle(inputs, bom, plan)
    rows = plan.kpis.domestic_share_by_product_year
    assert rows
    for r in rows:
        assert r.threshold == pytest.approx(0.95 if target == 0.95 else 0.65)
        assert r.share >= r.threshold - 1e-6
        assert r.passed is True
        assert r.share == pytest.approx(oracle[(RACK, r.year)], abs=1e-9)
    if target == 0.95:
        _, _, lp = _plan(tmp_path, NEARSHORE + "policy: {domestic_content_target: 0.95, whole_units: false}\n")
        fractional = lp.kpis.domestic_share_by_product_year
        assert all(r.share == pytest.approx(0.95, abs=1e-6) for r in fractional), "Juarez modules fill the rest"
        assert lp.objective <= plan.objective * (1 + 1e-9), "whole modules cost at least the LP's fractions"
        assert plan.objective > free.objective * (1 + 1e-6)
        home = {inputs.catalog.items[b.item].family for b in plan.builds if b.facility == "houston"}
        assert home & set(NEARBY)
    else:
        assert plan.objective == pytest.approx(free.objective, rel=1e-9), "0.65 does not bind here"
    check = recompute(inputs, bom, plan)
    assert check["objective"] == pytest.approx(plan.objective, rel=1e-7)


def test_unreachable_target_is_diagnosed_by_product_and_year(run, tmp_path: Path) -> None:
    """Racks keep a frame, busbar and management switches of foreign or unknown origin: 99.9 % cannot be met."""
    path = tmp_path / "strict.yaml"
    path.write_text(NEARSHORE + "policy: {domestic_content_target: 0.999, on_time: hard}\n")
    result = run("supply", path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert (
        "domestic content of gb200-nvl72 delivered in 2028: US-origin component cost short of the 99.9%" in result.err
    )

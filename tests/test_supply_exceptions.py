"""Late waves explained: causes checked by hand on tiny networks, and on the bundled campus by applying
the sentence's own actions and re-planning (would the fix fix it?)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_plan, run_size
from rackforge.report.exceptions import HEADER, exception_table, on_time
from rackforge.report.html import render
from rackforge.supply import SupplyPlan, build_model, plan_supply
from rackforge.supply.exceptions import Cause, LateWave, late_waves, short_at
from rackforge.supply.highs import solve
from rackforge.supply.limits import limits, overloads
from rackforge.supply.model import gross_requirement

CAMPUS = Path(__file__).parents[1] / "src" / "rackforge" / "examples" / "campus-1gw.yaml"

# Eight GB200 NVL72 racks in two waves. The long-lead facility gear is on hand, every line but compute
# runs from week 1, so by default the racks are the only thing that can be late: GPU order in week 1,
# 52-week catalog lead time and 1 week of transit (week 54), tray build 3 (57), rack build 4 (61),
# lane 2 (63), long before the first wave in week 70.
TINY = """\
name: tiny
start: 2027-01-04
horizon_weeks: 100
clusters: [{name: c, site: dc, system: gb200-nvl72, count: 8}]
sites:
  - name: dc
    on_hand: {transformer-mv-2500kva: 2, switchgear-mv-15kv: 1, switchgear-lv-480v-4000a: 2}
    waves: [{week: 70, share: 0.5}, {week: 90, share: 0.5}]
facilities:
  - name: houston
    lines:
      - {family: compute, COMPUTE}
      - {family: power, capacity_per_week: 40}
      - {family: cooling, capacity_per_week: 40}
      - {family: cables, capacity_per_week: 40}
      - {family: networking, capacity_per_week: 40}
SUPPLIERS
lanes:
  - {from: houston, to: dc, transit_weeks: 2}
"""
FAST = "capacity_per_week: 100"


def tiny_plan(tmp_path: Path, compute: str = FAST, suppliers: str = "", gates: dict[str, int] | None = None):
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.replace("COMPUTE", compute).replace("SUPPLIERS", suppliers))
    inputs = load_inputs(path)
    return plan_supply(inputs.scenario, inputs.catalog, run_bom(inputs, run_size(inputs)), gates=gates)


def plan_of(text: str, tmp_path: Path, name: str = "s.yaml") -> SupplyPlan:
    path = tmp_path / name
    path.write_text(text)
    inputs = load_inputs(path)
    return plan_supply(inputs.scenario, inputs.catalog, run_bom(inputs, run_size(inputs)))


def wave(plan: SupplyPlan, site: str, week: int) -> LateWave | None:
    return next((w for w in plan.exceptions if (w.site, w.wave_week) == (site, week)), None)


def only_rack_shortage(plan: SupplyPlan, week: int = 70):
    w = wave(plan, "dc", week)
    assert w is not None
    assert [s.part for s in w.shortages] == ["gb200-nvl72"]
    return w, w.shortages[0]


def test_an_on_time_plan_has_no_exceptions(tmp_path: Path) -> None:
    plan = tiny_plan(tmp_path)
    assert min(plan.kpis.on_time_share.values()) == pytest.approx(1.0)
    assert plan.exceptions == ()
    assert plan.to_dict()["exceptions"] == []


def test_a_long_supplier_lead_time(tmp_path: Path) -> None:
    slow = "suppliers: [{name: slowco, country: TW, offers: [{part: gb200, lead_time_weeks: 80}]}]"
    plan = tiny_plan(tmp_path, suppliers=slow)
    w, s = only_rack_shortage(plan)
    assert s.cause == Cause.SUPPLIER_LEAD_TIME
    assert s.binding == "gb200 from slowco"
    assert s.quantity == pytest.approx(4.0)
    assert s.earliest_arrival_week == 1 + 80 + 1 + 3 + 4 + 2, "order week 1, lead, transit, tray, rack, lane"
    assert s.planned_week is not None
    assert s.planned_week >= s.earliest_arrival_week
    assert w.on_time_share == pytest.approx(plan.kpis.on_time_share["dc week 70"])
    assert "reaches dc in week 91 at the earliest" in w.sentence


def test_a_capped_supplier_capacity(tmp_path: Path) -> None:
    capped = "suppliers: [{name: nvidia, country: TW, offers: [{part: gb200, capacity_per_week: 18}]}]"
    plan = tiny_plan(tmp_path, suppliers=capped)
    w, s = only_rack_shortage(plan)
    assert s.cause == Cause.SUPPLIER_CAPACITY
    # Orders by week 70 - 62 = 8 arrive in time: 8 x 18 = 144 GPUs, two racks' worth (72 each) of four.
    assert s.quantity == pytest.approx(2.0)
    assert s.earliest_arrival_week == 288 // 18 + 62, "all 288 GPUs ordered by week 16, 62 weeks before site"
    assert "raise the gb200 allocation to 36/week (now 18)" in w.sentence


def test_the_capacity_the_sentence_asks_for_makes_the_wave(tmp_path: Path) -> None:
    """The allocation the sentence names is enough; one unit a week less is not."""
    for weekly, late in ((36, False), (35, True)):
        offer = f"suppliers: [{{name: nvidia, country: TW, offers: [{{part: gb200, capacity_per_week: {weekly}}}]}}]"
        plan = tiny_plan(tmp_path, suppliers=offer)
        assert (wave(plan, "dc", 70) is not None) == late, weekly


def test_a_slow_line_ramp(tmp_path: Path) -> None:
    slow = f"{FAST}, start_week: 60, ramp_weeks: 30, ramp_start_share: 0.01"
    plan = tiny_plan(tmp_path, compute=slow)
    w, s = only_rack_shortage(plan)
    assert s.cause == Cause.LINE_RAMP
    # 72 trays are due by week 64 (lane 2, rack build 4 before week 70); the line makes
    # 100 x (0.01 + 0.99 i / 30) in week 60 + i: 1.0, 4.3, 7.6, 10.9, 14.2 (38 by week 64), 17.5, 20.8
    # (76.3 by week 66): the last tray is done in week 66, the rack in 70, on site in 72.
    assert s.earliest_arrival_week == 72
    assert s.quantity == 2, "38 trays make 2 whole racks of 18 trays: 4 - 2 racks short"
    assert "can complete 38 units" in w.sentence


def test_a_line_that_starts_too_late(tmp_path: Path) -> None:
    plan = tiny_plan(tmp_path, compute=f"{FAST}, start_week: 67")
    w, s = only_rack_shortage(plan)
    assert s.cause == Cause.LINE_CAPACITY
    assert s.earliest_arrival_week == 67 + 4 + 2, "trays in the start week, rack build, lane"
    assert "start a compute line in weeks 57-64" in w.sentence


def test_a_development_gate(tmp_path: Path) -> None:
    plan = tiny_plan(tmp_path, gates={"compute": 66})
    w, s = only_rack_shortage(plan)
    assert s.cause == Cause.DEVELOPMENT_GATE
    assert s.quantity == pytest.approx(4.0)
    assert s.earliest_arrival_week == 66 + 4 + 2, "trays from the gate week, rack build, lane"
    assert "development gate holds them until week 66" in w.sentence
    assert wave(tiny_plan(tmp_path, gates={"compute": 60}), "dc", 70) is None, "an earlier gate is harmless"


def test_lateness_chosen_for_cost_is_told_apart(tmp_path: Path) -> None:
    """A cheap slow GPU offer beside a dear fast one, lateness nearly free: the plan is late by choice."""
    two = (
        "suppliers: [{name: fastco, country: TW, offers: [{part: gb200, price_usd: 100000}]},"
        " {name: slowco, country: TW, offers: [{part: gb200, price_usd: 30000, lead_time_weeks: 70}]}]\n"
        "policy: {lateness_penalty_rate: 0.001}"
    )
    plan = tiny_plan(tmp_path, suppliers=two)
    _, s = only_rack_shortage(plan)
    assert s.cause == Cause.COST_CHOICE
    assert s.earliest_arrival_week == 70
    strict = two.replace("lateness_penalty_rate: 0.001", "objective: lateness-then-cost")
    assert tiny_plan(tmp_path, suppliers=strict).exceptions == ()


def test_unexplained_lateness_of_an_unproven_plan_is_put_down_to_the_solver(tmp_path: Path) -> None:
    """The do-nothing plan (every wave wholly late) on a network that can be on time: no resource binds,
    so without a better plan it is the solver's limit, and beside an on-time plan a cost choice."""
    path = tmp_path / "idle.yaml"
    path.write_text(TINY.replace("COMPUTE", FAST).replace("SUPPLIERS", ""))
    inputs = load_inputs(path)
    data, lp, v = build_model(inputs.scenario, inputs.catalog, run_bom(inputs, run_size(inputs)))
    idle = lp.start
    waves = late_waves(data, v, idle)
    assert [(w.site, w.wave_week) for w in waves] == [("dc", 70), ("dc", 90)]
    due = data.demand[0, :, :70].sum(axis=1)
    on_hand = (np.minimum(data.initial[0], due) * data.value).sum()
    assert waves[0].on_time_share == pytest.approx(on_hand / (due * data.value).sum()), "only what is on hand"
    assert {s.cause for w in waves for s in w.shortages} == {Cause.SOLVER_LIMIT}
    best = solve(lp).values
    waves = late_waves(data, v, idle, lambda: best)
    assert {s.cause for w in waves for s in w.shortages} == {Cause.COST_CHOICE}


# Seeds whose variant is late somewhere, so every case checks overloads with late units > 0 against a
# positive shortage (10 such checks and 7 shortages in all, against 9 and 7 from seeds 0-5, whose seed 4
# is on time and checks nothing) and whose whole-unit MIP proves its optimum in seconds (seeds 2 and 3
# took half a minute each).
OVERLOAD_SEEDS = (1, 5, 19, 20, 27, 30)


@pytest.mark.parametrize("seed", OVERLOAD_SEEDS)
def test_every_overload_is_a_lower_bound_on_lateness(tmp_path: Path, seed: int) -> None:
    """Soundness on random variants of the tiny network (GPU lead and allocation, compute ramp, gate, wave
    weeks): at every wave and item, each overload's late units are no more than the plan's own shortage,
    so an on-time item never shows one, and the plan never delivers before the earliest week."""
    rng = np.random.default_rng(seed)
    lead, cap = int(rng.integers(40, 60)), int(rng.integers(10, 60))
    ramp = (
        f"capacity_per_week: {rng.integers(8, 100)}, start_week: {rng.integers(40, 65)}, "
        f"ramp_weeks: {rng.integers(0, 20)}"
    )
    text = TINY.replace("COMPUTE", ramp).replace(
        "SUPPLIERS",
        f"suppliers: [{{name: n, country: TW, offers: [{{part: gb200, lead_time_weeks: {lead}, "
        f"capacity_per_week: {cap}}}]}}]",
    )
    text = text.replace("week: 70,", f"week: {rng.integers(64, 80)},")
    path = tmp_path / "random.yaml"
    path.write_text(text)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    gates = {"compute": int(rng.integers(1, 70))}
    data, lp, v = build_model(inputs.scenario, inputs.catalog, bom, gates)
    values = solve(lp).values
    lim = limits(data)
    for i, (k, j) in enumerate(v.site_pairs):
        for t in np.flatnonzero(data.demand[k, j]) + 1:
            short = short_at(data, v, values, i, int(t))
            for o in overloads(data, lim, k, j, int(t), np.inf):
                assert o.shared or o.late <= short + 1e-6, (data.items[j], t, o)
    for w in late_waves(data, v, values):
        for s in w.shortages:
            assert s.planned_week is None or s.earliest_arrival_week <= s.planned_week


@pytest.fixture(scope="module")
def campus(tmp_path_factory) -> tuple[str, SupplyPlan, Path]:
    text = CAMPUS.read_text()
    return text, plan_of(text, tmp_path_factory.mktemp("campus")), tmp_path_factory.mktemp("variants")


def test_the_campus_first_hall_is_short_of_gpu_allocation(campus) -> None:
    _, plan, _ = campus
    w = wave(plan, "building-a", 64)
    assert w is not None
    assert w.on_time_share == pytest.approx(plan.kpis.on_time_share["building-a week 64"])
    (s,) = w.shortages
    assert (s.part, s.cause) == ("gb200-nvl72", Cause.SUPPLIER_CAPACITY)
    # 684 racks x 72 GPUs due by week 64; 52-week lead, 1 transit, 3 tray, 4 rack, 1 lane: ordered by
    # week 3, 9,000 a week: 27,000 GPUs, 375 racks; 309 short, all 49,248 ordered by week 6 -> week 67.
    assert s.quantity == pytest.approx(684 - 27_000 / 72)
    assert s.earliest_arrival_week == 67
    assert s.binding == "gb200 from nvidia-allocation; networking lines"
    assert w.value_late_usd == pytest.approx(s.quantity * 3_354_814, rel=1e-3)
    assert "raise the gb200 allocation to 16,416/week" in w.sentence
    # Switch chips (52-week lead) land in week 54 at the earliest, the trays take 3 weeks: weeks 57-59 give
    # houston 3 x 1,000 and lordstown 700 x (0.25 + 0.75 x (9, 10, 11) / 16) = 1,509 switch trays of 9 x 684.
    assert "can complete 4,509 units in weeks 57-59, once nvlink5-switch-chip for nvlink-switch-tray" in w.sentence


def test_campus_bounds_hold_in_the_plan(campus, tmp_path: Path) -> None:
    """Each overload is a lower bound on the plan's lateness, and the earliest week on its delivery week."""
    text, plan, _ = campus
    path = tmp_path / "campus.yaml"
    path.write_text(text)
    inputs = load_inputs(path)
    data = build_model(inputs.scenario, inputs.catalog, run_bom(inputs, run_size(inputs)))[0]
    lim = limits(data)
    assert np.allclose(data.demand.sum(axis=(0, 2)) @ lim.n, gross_requirement(data)), "explosion = MRP gross"
    checked = 0
    for w in plan.exceptions:
        for s in w.shortages:
            k, j = data.sites.index(w.site), data.items.index(s.part)
            for o in overloads(data, lim, k, j, w.wave_week, np.inf):
                assert o.shared or o.late <= s.quantity + 1e-6, (w.site, w.wave_week, s.part, o)
                checked += 1
            assert s.earliest_arrival_week is not None
            assert s.planned_week is None or s.earliest_arrival_week <= s.planned_week
    assert checked >= len(plan.exceptions)


def _campus_with(text: str, sentence: str) -> str:
    """The campus with the sentence's own actions applied: the GPU allocation and networking capacity."""
    allocation = re.search(r"raise the gb200 allocation to ([\d,]+)/week", sentence)
    networking = re.search(r"add ([\d,]+)/week of networking capacity", sentence)
    assert allocation
    assert networking
    more = 1000 + int(networking.group(1).replace(",", ""))
    text = text.replace("{part: gb200, capacity_per_week: 9000}",
                        f"{{part: gb200, capacity_per_week: {allocation.group(1).replace(',', '')}}}")  # fmt: skip
    return text.replace(
        "{family: networking, capacity_per_week: 1000,", f"{{family: networking, capacity_per_week: {more},"
    )


def test_the_campus_actions_fix_the_first_hall(campus) -> None:
    """Would the fix fix it: the named allocation and line capacity, or the named week, put the hall on time;
    the allocation alone leaves exactly the networking shortfall the sentence gives."""
    text, plan, tmp = campus
    sentence = wave(plan, "building-a", 64).sentence
    whole = plan_of(_campus_with(text, sentence), tmp, "fixed.yaml")
    late = wave(whole, "building-a", 64)
    assert late is None or [(s.part, s.quantity) for s in late.shortages] == [("gb200-nvl72", 1.0)], (
        "the advice is computed on the fractional rates: whole units on ramping lines may leave one rack late"
    )
    fractional = _campus_with(text, sentence).replace("policy:", "policy:\n  whole_units: false", 1)
    fixed = plan_of(fractional, tmp, "fixed.yaml")
    assert fixed.kpis.on_time_share["building-a week 64"] == pytest.approx(1.0)
    assert wave(fixed, "building-a", 64) is None
    moved = plan_of(text.replace("{week: 64, share: 0.25}", "{week: 67, share: 0.25}"), tmp, "moved.yaml")
    assert moved.kpis.on_time_share["building-a week 67"] == pytest.approx(1.0)
    gpus = plan_of(text.replace("capacity_per_week: 9000}", "capacity_per_week: 16416}"), tmp, "gpus.yaml")
    short = wave(gpus, "building-a", 64).shortages[0]
    assert short.quantity == pytest.approx((6_156 - 4_509) / 9, rel=1e-3), "networking lines, weeks 57-59"
    assert short.cause == Cause.LINE_CAPACITY


def test_campus_long_lead_gear_is_named(campus) -> None:
    _, plan, _ = campus
    w = wave(plan, "building-b", 76)
    by_part = {s.part: s for s in w.shortages}
    assert by_part["switchgear-mv-15kv"].cause == Cause.SUPPLIER_LEAD_TIME
    assert by_part["switchgear-mv-15kv"].earliest_arrival_week == 1 + 75 + 1
    last = {s.part: s for s in wave(plan, "building-b", 100).shortages}["transformer-mv-2500kva"]
    assert last.cause == Cause.SUPPLIER_LEAD_TIME
    assert last.earliest_arrival_week == 1 + 120 + 1, "120 weeks to ship and a week in transit"
    assert last.planned_week is None, "never within the horizon"


def test_exceptions_round_trip_through_json(campus) -> None:
    _, plan, _ = campus
    doc = json.loads(json.dumps(plan.to_dict()))
    first = doc["exceptions"][0]
    assert first["site"] == "building-a"
    assert first["wave_week"] == 64
    assert first["shortages"][0]["cause"] == "supplier_capacity"
    assert [w["sentence"] for w in doc["exceptions"]] == [w.sentence for w in plan.exceptions]
    assert len(doc["exceptions"]) == sum(1 for v in plan.kpis.on_time_share.values() if v < 1 - 1e-9)


def test_exception_table_rows(campus) -> None:
    _, plan, _ = campus
    header, rows = exception_table(plan.exceptions)
    assert header == list(HEADER)
    assert len(rows) == sum(len(w.shortages) for w in plan.exceptions)
    assert rows[0][:9] == ["building-a week 64", "65.6%", "US$1.04 B", "gb200-nvl72", "309", "64", "67", "67",
                           "supplier_capacity"]  # fmt: skip
    assert all(len(r) == len(header) for r in rows)
    i = 0
    for w in plan.exceptions:
        assert rows[i][0] == f"{w.site} week {w.wave_week}"
        assert all(rows[i + k][:3] == ["", "", ""] for k in range(1, len(w.shortages))), "later rows leave it blank"
        i += len(w.shortages)
    assert on_time(0.99996) == "99.99%"
    assert on_time(1.0) == "100.0%"


def test_report_shows_exceptions_only_when_late(tmp_path: Path) -> None:
    capped = "suppliers: [{name: nvidia, country: TW, offers: [{part: gb200, capacity_per_week: 18}]}]"
    for suppliers, shown in (("", False), (capped, True)):
        path = tmp_path / "r.yaml"
        path.write_text(TINY.replace("COMPUTE", FAST).replace("SUPPLIERS", suppliers))
        html = render(run_plan(load_inputs(path)))
        supply = html[html.index('<section id="supply">') :]
        assert ("<h3>Exceptions</h3>" in supply) == shown
        if shown:
            assert supply.index("Exceptions") < supply.index("Status"), "at the top of the supply section"
            assert "dc week 70" in supply
            assert "supplier_capacity" in supply

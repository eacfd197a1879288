"""The command line end to end on the bundled scenario: contracts of JSON keys, files and exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from rackforge.cli import bundled_scenario

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "campus-1gw.yaml"


def test_example_is_the_bundled_scenario() -> None:
    assert EXAMPLE.read_bytes() == bundled_scenario().read_bytes()


def test_validate_ok(run) -> None:
    result = run("validate", EXAMPLE)
    assert result.code == 0
    assert result.out.startswith(f"ok: {EXAMPLE}: scenario 'tx-campus-1gw'")


def test_size_json_contract(run) -> None:
    result = run("size", EXAMPLE, "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    w = doc["workloads"][0]
    for key in ["name", "accelerators", "days", "gpu_hours", "training_flops", "mfu", "goodput", "tokens_per_second"]:
        assert key in w
    site = doc["sites"][0]
    for key in ["name", "accelerators", "systems", "racks", "fabric", "power"]:
        assert key in site
    assert set(site["fabric"]["switches"]) == {"leaf", "spine", "core"}
    assert set(site["fabric"]["links"]) == {"node_leaf", "leaf_spine", "spine_core"}
    assert {"tiers", "transceivers"} <= set(site["fabric"])
    assert {"it_mw", "facility_mw"} <= set(site["power"])


def test_bom_json_contract_and_total(run) -> None:
    result = run("bom", EXAMPLE, "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    for key in ["part", "family", "quantity", "unit_cost_usd", "origin"]:
        assert key in doc["lines"][0]
    total = sum(x["quantity"] * x["unit_cost_usd"] for x in doc["lines"])
    assert doc["total_cost_usd"] == pytest.approx(total, rel=1e-12)
    assert {"part", "week", "quantity"} <= set(doc["demand"][0])
    by_part: dict[str, float] = {}
    for d in doc["demand"]:
        by_part[d["part"]] = by_part.get(d["part"], 0) + d["quantity"]
    for line in doc["lines"]:
        assert by_part[line["part"]] == pytest.approx(line["quantity"]), "weekly demand sums to the line"


def test_bom_csv(run, tmp_path: Path) -> None:
    target = tmp_path / "demand.csv"
    result = run("bom", EXAMPLE, "--csv", target)
    assert result.code == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows
    assert {"part", "week", "need_by", "quantity", "unit_cost_usd"} <= set(rows[0])


def test_plan_writes_self_contained_report(run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("plan", "--out", out)
    assert result.code == 0, result.err
    for name in ["plan.json", "report.html", "workloads.csv", "sites.csv", "bom_lines.csv", "bom_demand.csv"]:
        assert (out / name).stat().st_size > 0, name
    plan = json.loads((out / "plan.json").read_text())
    assert plan["stages"] == ["sizing", "bom", "supply", "risk"]
    assert plan["supply"]["status"] == "optimal"
    assert "schedule" not in plan, "stages not built are absent"
    for name in ["supply_builds.csv", "supply_purchases.csv", "supply_shipments.csv"]:
        assert (out / name).stat().st_size > 0, name
    html = (out / "report.html").read_text()
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?(https?:)?//", html), "no external resources"
    for fig in ["fig-ramp", "fig-cost", "fig-weekly", "fig-treemap", "fig-domestic", "fig-utilization", "fig-gantt"]:
        assert f'id="{fig}"' in html
    assert "Plotly.newPlot" in html
    assert "tx-campus-1gw" in html


def test_plan_json_on_stdout_only(run, tmp_path: Path) -> None:
    result = run("plan", EXAMPLE, "--out", tmp_path, "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["scenario"]["name"] == "tx-campus-1gw"


def test_bundled_campus_is_about_a_gigawatt(run) -> None:
    doc = json.loads(run("size", EXAMPLE, "--json").out)
    facility = sum(s["power"]["facility_mw"] for s in doc["sites"])
    assert 850 <= facility <= 1150
    assert len(doc["sites"][0]["ramp"]) >= 3


def test_unwritable_out_is_an_input_error(run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    result = run("plan", EXAMPLE, "--out", blocker)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "choose a writable directory" in result.err
    assert blocker.read_text() == "keep me"


LAB_ASIC = """\
name: lab-asic
start: 2027-03-01
catalog:
  accelerators:
    - {id: lab-x1, name: Lab X1, family: compute, vendor: lab, dense_tflops: {bf16: 1500, fp8: 3000},
       hbm_gb: 216, hbm_tbps: 6.0, tdp_w: 900, power_w: 900, scale_up_gbps: 1200, default_system: lab-x1-node,
       unit_cost_usd: 12000, origin: US, source: "lab design review 2026-10", confidence: E}
  systems:
    - {id: lab-x1-node, name: X1 node, family: compute, accelerator: lab-x1, accelerators: 16, form: server,
       height_ru: 6, max_power_kw: 18.0, power_definition: design maximum, cooling: liquid, liquid_share: 0.9,
       scale_up_domain: 16, scale_out_ports: 16, scale_out_gbps: 400, systems_per_rack: 4,
       rack_kit: rack-kit-eia-48u-liquid, bom: [{part: lab-x1, qty: 16}, {part: server-chassis-6u, qty: 1}],
       source: "lab design review 2026-10", confidence: E}
workloads:
  - {name: w, type: training, model: {parameters: 1.0e11}, tokens: 1.0e13, accelerator: lab-x1,
     deadline_days: 30, mfu: 0.4, goodput: 0.9, site: s}
sites:
  - {name: s, fabric: {switch: qm9700}}
"""


def test_lab_designed_accelerator_sizes_and_costs(run, scenario_file) -> None:
    """A custom accelerator and system from the scenario's `catalog:` flow through sizing and the BOM."""
    path = scenario_file(LAB_ASIC)
    size = json.loads(run("size", path, "--json").out)
    w = size["workloads"][0]
    assert w["accelerators"] % 16 == 0
    assert 6e11 * 1e13 / (w["accelerators"] * 1500e12 * 0.4 * 0.9) / 86400 == pytest.approx(w["days"])
    assert w["days"] <= 30
    bom = json.loads(run("bom", path, "--json").out)
    chips = next(x for x in bom["lines"] if x["part"] == "lab-x1")
    assert chips["quantity"] == w["accelerators"]
    assert chips["origin"] == "US"

"""Cross-references of the supply network, projects and on-hand stock: every bad name is a located error
with a did-you-mean, and ``validate`` fails exactly when ``plan`` fails on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom
from rackforge.supply import supply_data
from tests.conftest import BASE, assert_located, line_of

SUPPLY = """\
name: refs
start: 2027-01-04
horizon_weeks: 90
clusters: [{name: c, site: dc, system: gb200-nvl72, count: 2}]
sites:
  - name: dc
    on_hand: {transformer-mv-2500kva: 2}
    waves: [{week: 70, share: 0.5}, {week: 80, share: 0.5}]
facilities:
  - name: houston
    lines:
      - {family: compute, capacity_per_week: 40, ramp_weeks: 4, start_week: 30}
      - {family: racks, capacity_per_week: 2}
      - {family: power, capacity_per_week: 40}
      - {family: cooling, capacity_per_week: 40}
      - {family: cables, capacity_per_week: 40}
      - {family: networking, capacity_per_week: 40}
    build_cost_usd: {racks: 20000, compute: 500}
suppliers:
  - name: acme
    country: US
    offers: [{part: grace-cpu, price_usd: 3900, lead_time_weeks: 10, capacity_per_week: 100}]
lanes:
  - {from: houston, to: dc, transit_weeks: 2, cost_per_unit_usd: 5000}
  - {from: acme, to: houston, transit_weeks: 1}
"""

PROJECTS = """\
resources:
  - {name: eng, capacity: 4}
  - {name: lab, capacity: 1}
projects:
  - name: gen2
    family: compute
    due_week: 40
    tasks:
      - {name: design, duration_weeks: 10, needs: {eng: 2}}
      - {name: evt, duration_weeks: 4, after: [design], needs: {lab: 1}}
"""


def edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def supply(old: str, new: str) -> str:
    return edit(SUPPLY, old, new)


LANE = "  - {from: houston, to: dc, transit_weeks: 2, cost_per_unit_usd: 5000}\n"
COST = "    build_cost_usd: {racks: 20000, compute: 500}\n"
RACK_PLANT = "  - {name: dallas, lines: [{family: racks, capacity_per_week: 2}], qualified: [%s]}\nsuppliers:\n"
BUILT = "gb200-nvl72, gb200-compute-tray, nvlink-switch-tray, nvlink-spine-cartridge, rack-liquid-manifold-nvl72"


def qualified(ids: str) -> str:
    """The base with houston qualified for ``ids`` only."""
    return supply(COST, f"    qualified: [{ids}]\n" + COST)


# (id, scenario text, expected fragment, text of the line the error must point at)
CASES = [
    (
        "offer-unknown-part",
        supply("part: grace-cpu", "part: grace-cpx"),
        "suppliers[0].offers[0].part: unknown part `grace-cpx`; did you mean `grace-cpu`?",
        "part: grace-cpx",
    ),
    (
        "offer-far-off-part",
        supply("part: grace-cpu", "part: flux-capacitor"),
        "unknown part `flux-capacitor`; use one of the part ids:",
        "flux-capacitor",
    ),
    (
        "lane-from-misspelled",
        supply("{from: houston, to: dc", "{from: houstn, to: dc"),
        "lanes[0].from: unknown supplier or facility `houstn`; did you mean `houston`?",
        "from: houstn",
    ),
    (
        "lane-to-misspelled",
        supply("{from: houston, to: dc", "{from: houston, to: dcc"),
        "lanes[0].to: unknown facility or site `dcc`; did you mean `dc`?",
        "to: dcc",
    ),
    (
        "lane-from-a-site",
        supply(LANE, LANE + "  - {from: dc, to: houston}\n"),
        "lanes[1].from: unknown supplier or facility `dc`",
        "{from: dc, to: houston}",
    ),
    (
        "lane-to-a-supplier",
        supply(LANE, LANE + "  - {from: houston, to: acme}\n"),
        "lanes[1].to: unknown facility or site `acme`",
        "{from: houston, to: acme}",
    ),
    (
        "lane-to-itself",
        supply(LANE, LANE + "  - {from: houston, to: houston}\n"),
        "lanes[1].to: the lane runs from `houston` to itself",
        "{from: houston, to: houston}",
    ),
    (
        "lane-twice",
        supply(LANE, LANE + "  - {from: houston, to: dc, transit_weeks: 9}\n"),
        "lanes[1]: a second lane from `houston` to `dc`",
        "transit_weeks: 9",
    ),
    (
        "facility-twice",
        SUPPLY.replace(
            "suppliers:\n", "  - {name: houston, lines: [{family: racks, capacity_per_week: 1}]}\nsuppliers:\n"
        ),
        "facilities[1].name: duplicate name `houston`",
        "{name: houston, lines:",
    ),
    (
        "supplier-twice",
        supply("lanes:\n", "  - {name: acme, country: MX, offers: [{part: grace-cpu}]}\nlanes:\n"),
        "suppliers[1].name: duplicate name `acme`",
        "{name: acme, country: MX",
    ),
    (
        "supplier-named-like-facility",
        supply("lanes:\n", "  - {name: houston, country: MX, offers: [{part: grace-cpu}]}\nlanes:\n"),
        "`houston` names both a facility and a supplier",
        "{name: houston, country: MX",
    ),
    (
        "on-hand-misspelled",
        supply("transformer-mv-2500kva: 2", "transformer-mv-2500kv: 2"),
        "sites[0].on_hand.transformer-mv-2500kv: unknown item `transformer-mv-2500kv`; did you mean "
        "`transformer-mv-2500kva`?",
        "transformer-mv-2500kv: 2",
    ),
    (
        "on-hand-negative",
        supply("transformer-mv-2500kva: 2", "transformer-mv-2500kva: -2"),
        "negative quantity -2",
        "transformer-mv-2500kva: -2",
    ),
    (
        "qualified-unknown-assembly",
        qualified("gb200-nvl7"),
        "facilities[0].qualified[0]: unknown assembly `gb200-nvl7`; did you mean `gb200-nvl72`?",
        "qualified: [gb200-nvl7]",
    ),
    (
        "qualified-far-off-assembly",
        qualified(f"{BUILT}, flux-capacitor"),
        "facilities[0].qualified[5]: unknown assembly `flux-capacitor`; use one of the assembly ids:",
        "flux-capacitor",
    ),
    (
        "qualified-a-bought-part",
        qualified("grace-cpu"),
        "facilities[0].qualified[0]: `grace-cpu` is a bought part, not an assembly; list assemblies only",
        "qualified: [grace-cpu]",
    ),
    (
        "qualified-without-its-family-line",
        SUPPLY.replace("suppliers:\n", RACK_PLANT % "power-shelf-33kw"),
        "facilities[1].qualified[0]: `power-shelf-33kw` is a power assembly and `dallas` has no power line; add "
        "a line of family power to `dallas` or remove `power-shelf-33kw`",
        "qualified: [power-shelf-33kw]",
    ),
    (
        "needed-assembly-qualified-nowhere",
        qualified(BUILT),
        "facilities: no facility is qualified to build power-shelf-33kw; add `power-shelf-33kw` to the "
        "`qualified` list of a facility with a power line",
        "facilities:",
    ),
    (
        "no-line-for-a-family",
        supply("      - {family: compute, capacity_per_week: 40, ramp_weeks: 4, start_week: 30}\n", ""),
        "facilities: no facility has a line for compute",
        "facilities:",
    ),
    (
        "family-gated-past-horizon",
        SUPPLY + PROJECTS.replace("duration_weeks: 10,", "duration_weeks: 95,"),
        "projects[0].family: project `gen2` cannot complete before week 99 even with every resource free, so no "
        "compute line opens within the 90-week horizon; shorten its tasks, release it earlier or raise "
        "`horizon_weeks`",
        "    family: compute",
    ),
    (
        "project-family-misspelled",
        SUPPLY + PROJECTS.replace("family: compute", "family: compte"),
        "projects[0].family: `compte` is not one of compute, racks, cables, networking, power, cooling; did you "
        "mean `compute`?",
        "family: compte",
    ),
    (
        "task-after-misspelled",
        SUPPLY + PROJECTS.replace("after: [design]", "after: [desing]"),
        "projects[0].tasks[1].after[0]: unknown task `desing`; did you mean `design`?",
        "after: [desing]",
    ),
    (
        "task-needs-unknown-resource",
        SUPPLY + PROJECTS.replace("needs: {lab: 1}", "needs: {labs: 1}"),
        "projects[0].tasks[1].needs.labs: unknown resource `labs`; did you mean `lab`?",
        "needs: {labs: 1}",
    ),
    (
        "catalog-file-missing",
        SUPPLY + "catalog_files: [{file: bom-export.csv}]\n",
        "catalog_files[0].file: no such file `bom-export.csv` next to the scenario",
        "catalog_files:",
    ),
    (
        "experts-per-token-over-experts",
        edit(BASE, "{parameters: 7.0e10}", "{parameters: 7.0e10, experts: 8, experts_per_token: 16}"),
        "workloads[0].model.experts_per_token: 16 experts per token but only 8 experts",
        "experts_per_token: 16",
    ),
]


@pytest.mark.parametrize(("text", "fragment", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_reference(run, scenario_file, tmp_path: Path, text: str, fragment: str, where: str) -> None:
    """``validate`` names the key and line with a fix; ``plan`` fails with the same first error, writing nothing."""
    path = scenario_file(text)
    checked = run("validate", path)
    assert checked.code == 2, checked
    assert checked.out == ""
    assert_located(checked.err, path, fragment, line_of(text, where))
    planned = run("plan", path, "--out", tmp_path / "out", "--json")
    assert planned.code == 2, planned
    assert planned.err.splitlines()[0] == checked.err.splitlines()[0]
    assert not (tmp_path / "out").exists()


def test_supply_base_is_valid(run, scenario_file) -> None:
    """The base of the cases above passes, so each case fails for its own edit only."""
    assert run("validate", scenario_file(SUPPLY)).code == 0
    assert run("validate", scenario_file(SUPPLY + PROJECTS)).code == 0


def test_two_lines_of_a_family_add_up(scenario_file) -> None:
    """A second compute line in one facility is accepted and adds its capacity week by week (decision)."""
    second = "      - {family: compute, capacity_per_week: 10, start_week: 60}\n"
    text = supply("      - {family: racks,", second + "      - {family: racks,")
    one, two = (load_inputs(scenario_file(t, f"{k}.yaml")) for k, t in enumerate((SUPPLY, text)))
    cap = [supply_data(i.scenario, i.catalog, run_bom(i)).capacity[0, 0] for i in (one, two)]
    assert cap[1][:59].tolist() == cap[0][:59].tolist()
    assert (cap[1][59:] - cap[0][59:]).tolist() == [10.0] * (90 - 59)


def test_cost_of_a_family_without_line_is_accepted(run, scenario_file) -> None:
    """A build cost for a family the facility has no line for applies to nothing and is no error (decision),
    as long as another facility builds that family."""
    other = "  - {name: dallas, lines: [{family: racks, capacity_per_week: 2}]}\n"
    text = supply("      - {family: racks, capacity_per_week: 2}\n", "").replace("suppliers:\n", other + "suppliers:\n")
    assert "build_cost_usd: {racks: 20000" in text
    assert run("validate", scenario_file(text)).code == 0


def test_supply_rejects_a_gate_past_the_horizon_as_validate_does(run, scenario_file) -> None:
    text = next(c[1] for c in CASES if c[0] == "family-gated-past-horizon")
    path = scenario_file(text)
    checked, supplied = run("validate", path), run("supply", path)
    assert checked.code == supplied.code == 2
    assert supplied.err.splitlines()[0] == checked.err.splitlines()[0]

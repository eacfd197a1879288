"""Per-assembly qualification: a facility's ``qualified`` list restricts which assemblies its lines build;
without the key every assembly of its lines' families builds there, as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rackforge.errors import InputError
from rackforge.inputs import Inputs, load_inputs
from rackforge.pipeline import run_bom
from rackforge.supply import build_model, plan_supply, supply_data

LINES = """\
    lines:
      - {family: compute, capacity_per_week: 40, ramp_weeks: 4, start_week: 50}
      - {family: racks, capacity_per_week: 2}
      - {family: power, capacity_per_week: 40}
      - {family: cooling, capacity_per_week: 40}
      - {family: cables, capacity_per_week: 40}
      - {family: networking, capacity_per_week: 40}
"""

TWO_PLANTS = f"""\
name: two-plants
start: 2027-01-04
horizon_weeks: 90
clusters: [{{name: c, site: dc, system: gb200-nvl72, count: 4}}]
sites:
  - {{name: dc, waves: [{{week: 70, share: 0.5}}, {{week: 80, share: 0.5}}]}}
facilities:
  - name: houston
{LINES}    build_cost_usd: {{compute: 500}}
  - name: austin
{LINES}    build_cost_usd: {{compute: 200}}
lanes:
  - {{from: houston, to: dc, transit_weeks: 2, cost_per_unit_usd: 5000}}
  - {{from: austin, to: dc, transit_weeks: 2, cost_per_unit_usd: 5000}}
  - {{from: austin, to: houston, transit_weeks: 1, cost_per_unit_usd: 50}}
"""

RACK = "gb200-nvl72"
SUBASSEMBLIES = (
    "gb200-compute-tray",
    "nvlink-switch-tray",
    "nvlink-spine-cartridge",
    "power-shelf-33kw",
    "rack-liquid-manifold-nvl72",
)


def _austin(ids: tuple[str, ...] | None) -> str:
    """The two-plant scenario with austin (the cheaper plant) qualified for ``ids`` (no key: ``None``)."""
    if ids is None:
        return TWO_PLANTS
    cheap = "    build_cost_usd: {compute: 200}\n"
    return TWO_PLANTS.replace(cheap, f"    qualified: [{', '.join(ids)}]\n{cheap}")


def _inputs(tmp_path: Path, ids: tuple[str, ...] | None, name: str = "s.yaml") -> Inputs:
    path = tmp_path / name
    path.write_text(_austin(ids))
    return load_inputs(path)


def _built_at(inputs: Inputs) -> tuple[float, dict[str, set[str]]]:
    """The plan's objective and, per assembly, the facilities that build it."""
    plan = plan_supply(inputs.scenario, inputs.catalog, run_bom(inputs), threads=1, mip_gap=1e-9)
    assert plan.status == "optimal"
    where: dict[str, set[str]] = {}
    for b in plan.builds:
        if b.quantity > 1e-6:
            where.setdefault(b.item, set()).add(b.facility)
    return plan.objective, where


def test_a_qualified_list_restricts_where_an_assembly_is_built(tmp_path: Path) -> None:
    """Austin builds compute cheaper, so it builds the rack while it may; qualified for the sub-assemblies only,
    it leaves the rack to houston and still builds the trays."""
    _, free = _built_at(_inputs(tmp_path, None, "free.yaml"))
    assert free[RACK] == {"austin"}, "the cheaper plant builds the rack when both may"
    _, restricted = _built_at(_inputs(tmp_path, SUBASSEMBLIES, "restricted.yaml"))
    assert restricted[RACK] == {"houston"}
    assert "austin" in restricted["gb200-compute-tray"], "austin still builds what it is qualified for"


def test_buildable_follows_the_list(tmp_path: Path) -> None:
    inputs = _inputs(tmp_path, SUBASSEMBLIES)
    data = supply_data(inputs.scenario, inputs.catalog, run_bom(inputs))
    houston, austin = data.buildable
    assert houston.tolist() == data.assembly.tolist(), "no list: every assembly of its lines"
    assert {data.items[j] for j in np.flatnonzero(houston)} == {RACK, *SUBASSEMBLIES}, "what the rack needs"
    assert {data.items[j] for j in np.flatnonzero(austin)} == set(SUBASSEMBLIES)


def test_listing_every_assembly_changes_nothing(tmp_path: Path) -> None:
    """A list of every assembly the plant's lines could build plans exactly as no list at all."""
    absent = _built_at(_inputs(tmp_path, None, "absent.yaml"))
    listed = _built_at(_inputs(tmp_path, (RACK, *SUBASSEMBLIES), "listed.yaml"))
    assert listed[1] == absent[1]
    assert listed[0] == pytest.approx(absent[0], rel=1e-9)


def test_an_assembly_no_facility_is_qualified_for_is_an_input_error(tmp_path: Path) -> None:
    text = _austin(SUBASSEMBLIES).replace(f"  - name: houston\n{LINES}", f"  - name: houston\n{LINES}"
                                          f"    qualified: [{', '.join(SUBASSEMBLIES)}]\n")  # fmt: skip
    path = tmp_path / "nowhere.yaml"
    path.write_text(text)
    inputs = load_inputs(path)
    with pytest.raises(InputError) as caught:
        build_model(inputs.scenario, inputs.catalog, run_bom(inputs))
    (problem,) = caught.value.problems
    assert problem.key == ("facilities",)
    assert problem.what == f"no facility is qualified to build {RACK}"
    assert problem.fix == f"add `{RACK}` to the `qualified` list of a facility with a compute line"

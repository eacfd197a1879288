"""Columns outside their windows are fixed at zero and never reach the solver; the optimum is unchanged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from rackforge.generate import generate, write_scenario
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom
from rackforge.supply.data import supply_data
from rackforge.supply.formulation import build
from rackforge.supply.highs import solve
from tests.test_supply import SMALL

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "campus-1gw.yaml"
# Weeks of each generated case: seed 1 over 30 weeks drops 2,791 of 7,838 columns and its whole-unit optimum
# is 9e-7 above the LP's (over 40 weeks: 3,987 of 10,615 and 3e-7), its 1e-9 MIPs in a third of the time.
WEEKS = {"generated1": 30}


def _instance(tmp_path: Path, which: str) -> Path:
    path = tmp_path / f"{which}.yaml"
    if which == "campus":
        return EXAMPLE
    if which == "small":
        path.write_text(SMALL)
    else:
        simple = which.startswith("generated")
        weeks = WEEKS.get(which, 40)
        write_scenario(
            generate(parts=40, facilities=3, suppliers=8, weeks=weeks, seed=int(which[-1]), simple=simple), path
        )
    return path


@pytest.mark.parametrize("which", ["campus", "small", "generated1", "generated2", "programme1"])
def test_windows_keep_the_optimum_and_drop_columns(tmp_path: Path, which: str) -> None:
    inputs = load_inputs(_instance(tmp_path, which))
    data = supply_data(inputs.scenario, inputs.catalog, run_bom(inputs))
    policy = inputs.scenario.policy
    if which == "campus":  # its whole-unit MIP to 1e-9 takes minutes; the generated cases keep whole units
        policy = policy.model_copy(update={"whole_units": False})
    found = {}
    for windows in (False, True):
        lp, _ = build(data, policy, windows=windows)
        relaxed = dataclasses.replace(lp, integer=np.zeros_like(lp.integer), start=None)
        lp_sol = solve(relaxed, threads=1)
        mip_sol = solve(lp, threads=1, mip_gap=1e-9)
        found[windows] = (int(lp.open_columns.sum()), lp_sol.objective, mip_sol.objective, mip_sol.values, lp)
    (open_all, lp_all, mip_all, _, _), (open_win, lp_win, mip_win, values, lp) = found[False], found[True]
    assert open_win < open_all, "some columns can never be positive"
    assert lp_win == pytest.approx(lp_all, rel=1e-9), "the LP relaxation's optimum is unchanged"
    assert mip_win == pytest.approx(mip_all, rel=1e-6), "the plan's optimum is unchanged"
    assert np.all(values[~lp.open_columns] == 0.0), "columns outside their windows are zero in the plan"


def test_flows_too_late_to_reach_a_site_are_closed(tmp_path: Path) -> None:
    """The campus's racks ship a week to the halls: nothing built or shipped in the last week can arrive,
    and no order arrives after its last use; stocks keep their windows."""
    from rackforge.supply.windows import latest_at_factories

    inputs = load_inputs(_instance(tmp_path, "campus"))
    data = supply_data(inputs.scenario, inputs.catalog, run_bom(inputs))
    lp, v = build(data, inputs.scenario.policy)
    open_ = lp.open_columns
    assert not open_[v.q[:, -1]].any(), "a shipment in week T arrives after the horizon"
    assert not open_[v.x[:, -1]].any(), "a build completed in week T cannot reach a hall by then"
    _, need = latest_at_factories(data)
    fac = tuple(f.name for f in data.facilities)
    for i, (o, f) in enumerate(v.yf_pairs):
        weeks = np.flatnonzero(open_[v.yf[i]]) + 1
        assert np.all(weeks + data.delivery(o, fac[f])[0] <= need[f, data.offers[o].part])
    assert open_[v.inv[:, -1]].any(), "stocks are not cut at the end"

"""Compose the stages: inputs -> sizing -> bill of materials -> supply plan (when facilities are given).

Stages that are not built yet are absent from the result, never faked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rackforge import __version__
from rackforge.bom import BillOfMaterials, build_bom
from rackforge.errors import InputError
from rackforge.inputs import Inputs
from rackforge.sizing import Sizing, size

if TYPE_CHECKING:
    from rackforge.schedule import ScheduleResult
    from rackforge.supply import SupplyPlan

STAGES = ("sizing", "bom", "schedule", "supply")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanResult:
    """Every stage's result for one scenario."""

    inputs: Inputs
    sizing: Sizing
    bom: BillOfMaterials
    supply: SupplyPlan | None = None
    schedule: ScheduleResult | None = None

    @property
    def stages(self) -> list[str]:
        """The stages this result holds."""
        held = {"schedule": self.schedule, "supply": self.supply}
        return ["sizing", "bom"] + [name for name, result in held.items() if result is not None]

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable ``plan.json``."""
        s = self.inputs.scenario
        return (
            {
                "rackforge": __version__,
                "scenario": {
                    "name": s.name,
                    "file": self.inputs.file,
                    "start": s.start.isoformat(),
                    "horizon_weeks": s.horizon_weeks,
                },
                "stages": self.stages,
                "sizing": self.sizing.to_dict(),
                "bom": self.bom.to_dict(),
            }
            | ({"schedule": self.schedule.to_dict()} if self.schedule is not None else {})
            | ({"supply": self.supply.to_dict()} if self.supply is not None else {})
        )


def _quiet(stage: str) -> None:
    del stage


@contextmanager
def placed(inputs: Inputs) -> Iterator[None]:
    """Re-raise a stage's input error with file, line and column of the scenario."""
    try:
        yield
    except InputError as exc:
        raise inputs.place(exc) from None


def run_size(inputs: Inputs) -> Sizing:
    """The sizing stage alone."""
    with placed(inputs):
        return size(inputs.scenario, inputs.catalog)


def run_bom(inputs: Inputs, sizing: Sizing | None = None) -> BillOfMaterials:
    """The bill of materials (sizing first unless given)."""
    sizing = sizing or run_size(inputs)
    with placed(inputs):
        return build_bom(sizing, inputs.catalog, inputs.scenario.start)


def run_schedule(
    inputs: Inputs, time_limit: float | None = None, threads: int | None = None, seed: int = 0,
    previous: ScheduleResult | None = None, now_week: int | None = None,
) -> ScheduleResult | None:  # fmt: skip
    """The development portfolio's schedule (``None`` without projects); with ``previous`` and
    ``now_week``, a reschedule that keeps the tasks already started."""
    from rackforge.schedule import reschedule, solve_instance
    from rackforge.schedule.portfolio import instance_of

    s = inputs.scenario
    if not s.projects:
        return None
    limit = s.schedule.time_limit_s if time_limit is None else time_limit
    with placed(inputs):
        inst = instance_of(s)
        if previous is not None and now_week is not None:
            return reschedule(inst, previous, now_week - 1, limit, threads, seed)
        return solve_instance(inst, s.schedule.objective, limit, threads, seed)


def run_supply(
    inputs: Inputs, sizing: Sizing | None = None, bom: BillOfMaterials | None = None,
    time_limit: float | None = None, threads: int | None = None, seed: int = 0, export_mps: Path | None = None,
    schedule: ScheduleResult | None = None,
) -> SupplyPlan:  # fmt: skip
    """The supply plan (sizing and BOM first unless given), with lines of families that development
    projects introduce gated by their completion (the schedule is solved first unless given);
    optionally the exact model as MPS."""
    from rackforge.schedule.portfolio import gated, gates
    from rackforge.supply import build_model, plan_supply, write_mps

    bom = bom or run_bom(inputs, sizing)
    schedule = schedule or run_schedule(inputs, threads=threads, seed=seed)
    scenario = gated(inputs.scenario, gates(inputs.scenario, schedule)) if schedule else inputs.scenario
    with placed(inputs):
        if export_mps is not None:
            write_mps(build_model(scenario, inputs.catalog, bom)[1], str(export_mps))
        return plan_supply(scenario, inputs.catalog, bom, time_limit, threads, seed)


def run_plan(inputs: Inputs, progress: Progress = _quiet) -> PlanResult:
    """Run every built stage in order, calling ``progress(stage)`` before each."""
    progress("sizing")
    sizing = run_size(inputs)
    progress("bom")
    bom = run_bom(inputs, sizing)
    progress("schedule")
    schedule = run_schedule(inputs)
    progress("supply")
    supply = run_supply(inputs, sizing, bom, schedule=schedule) if inputs.scenario.facilities else None
    return PlanResult(inputs, sizing, bom, supply, schedule)


def check_inputs(inputs: Inputs) -> None:
    """Run every input check of every stage without solving: sizing, the bill of materials, the schedule
    instance and, with facilities, the supply model.

    The supply model is built with each family introduced by a development project gated at the
    earliest week the project can complete (its critical path from release, resources ignored): a
    family whose lines no schedule can open within the horizon is then found here. A later gate that
    only the solved schedule reveals (resources delaying a project) is not.

    Raises
    ------
    InputError
        The first stage's problems, placed in the scenario file.
    """
    from rackforge.schedule.network import project_critical_paths
    from rackforge.schedule.portfolio import gated, instance_of
    from rackforge.supply import build_model

    bom = run_bom(inputs)
    s = inputs.scenario
    with placed(inputs):
        earliest: dict[str, int] = {}
        if s.projects:
            finishes = project_critical_paths(instance_of(s))
            for proj, finish in zip(s.projects, finishes, strict=True):
                if proj.family is not None:
                    earliest[proj.family] = min(earliest.get(proj.family, int(finish) + 1), int(finish) + 1)
        if s.facilities:
            build_model(gated(s, earliest), inputs.catalog, bom)

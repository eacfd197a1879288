"""Compose the stages: inputs -> sizing -> bill of materials -> schedule -> supply plan (when facilities
are given) -> risk (when the supply plan has a result).

Stages that are not built yet are absent from the result, never faked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rackforge import __version__
from rackforge.bom import BillOfMaterials, build_bom
from rackforge.errors import InputError, Problem
from rackforge.inputs import Inputs
from rackforge.sizing import Sizing, size
from rackforge.status import OnProgress

if TYPE_CHECKING:
    from rackforge.risk.stage import RiskResult
    from rackforge.schedule import ScheduleResult
    from rackforge.supply import SupplyPlan
    from rackforge.supply.reconcile import Reconciliation

STAGES = ("sizing", "bom", "schedule", "supply", "risk")
DASK_SAMPLES = 100_000
SCHEDULE_SHARE = 0.25
MIN_STAGE_S = 1e-3
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanResult:
    """Every stage's result for one scenario."""

    inputs: Inputs
    sizing: Sizing
    bom: BillOfMaterials
    supply: SupplyPlan | None = None
    schedule: ScheduleResult | None = None
    risk: RiskResult | None = None

    @cached_property
    def reconciliation(self) -> Reconciliation | None:
        """BOM hardware cost reconciled line by line with the supply plan's spend (``None`` without a plan)."""
        from rackforge.supply.reconcile import reconcile

        if self.supply is None or self.supply.kpis is None:
            return None
        on_hand = {site.name: site.on_hand for site in self.inputs.scenario.sites}
        return reconcile(self.bom, self.supply, on_hand)

    @property
    def stages(self) -> list[str]:
        """The stages this result holds."""
        held = {"schedule": self.schedule, "supply": self.supply, "risk": self.risk}
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
            | ({"reconciliation": self._reconciled()} if self.reconciliation is not None else {})
            | ({"risk": self.risk.to_dict()} if self.risk is not None else {})
        )

    def _reconciled(self) -> dict[str, Any]:
        r = self.reconciliation
        assert r is not None
        return asdict(r) | {"spend_usd": r.spend_usd, "residual_usd": r.residual_usd}


def _quiet(stage: str) -> None:
    del stage


@contextmanager
def placed(inputs: Inputs) -> Iterator[None]:
    """Re-raise a stage's input error with file, line and column of the scenario."""
    try:
        yield
    except InputError as exc:
        raise inputs.place(exc) from None


def run_size(inputs: Inputs, with_sensitivity: bool = False) -> Sizing:
    """The sizing stage alone (with each workload's tornado when asked)."""
    with placed(inputs):
        return size(inputs.scenario, inputs.catalog, with_sensitivity)


def run_bom(inputs: Inputs, sizing: Sizing | None = None) -> BillOfMaterials:
    """The bill of materials (sizing first unless given)."""
    sizing = sizing or run_size(inputs)
    with placed(inputs):
        return build_bom(sizing, inputs.catalog, inputs.scenario.start)


def run_schedule(
    inputs: Inputs, time_limit: float | None = None, threads: int | None = None, seed: int = 0,
    previous: ScheduleResult | None = None, now_week: int | None = None, on_progress: OnProgress | None = None,
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
        return solve_instance(inst, s.schedule.objective, limit, threads, seed, on_progress)


def schedule_gates(inputs: Inputs, schedule: ScheduleResult | None) -> dict[str, int]:
    """First week each product family may be built, from the development schedule (none without one)."""
    from rackforge.schedule.portfolio import gates

    return gates(inputs.scenario, schedule) if schedule is not None else {}


def run_supply(
    inputs: Inputs, sizing: Sizing | None = None, bom: BillOfMaterials | None = None,
    time_limit: float | None = None, threads: int | None = None, seed: int = 0, export_mps: Path | None = None,
    gates: Mapping[str, int] | None = None, on_progress: OnProgress | None = None,
) -> SupplyPlan:  # fmt: skip
    """The supply plan (sizing and BOM first unless given); ``gates`` hold a product family's lines until
    a week (see :func:`schedule_gates`); optionally the exact model as MPS."""
    from rackforge.supply import build_model, plan_supply, write_mps

    bom = bom or run_bom(inputs, sizing)
    with placed(inputs):
        if export_mps is not None:
            write_mps(build_model(inputs.scenario, inputs.catalog, bom, gates)[1], str(export_mps))
        return plan_supply(inputs.scenario, inputs.catalog, bom, time_limit, threads, seed, gates=gates,
                           on_progress=on_progress)  # fmt: skip


@dataclass(frozen=True)
class RiskOptions:
    """Overrides of the scenario's ``risk:`` for one run: samples, seed, the plan week the network is
    taken at, and where the work runs (``dask``: a scheduler address, ``local`` for a ``LocalCluster``,
    ``None`` for this process unless the samples reach ``DASK_SAMPLES``, then a ``LocalCluster``)."""

    samples: int | None = None
    seed: int | None = None
    week: int | None = None
    dask: str | None = None


def run_risk(
    inputs: Inputs, bom: BillOfMaterials, supply: SupplyPlan, gates: Mapping[str, int] | None = None,
    options: RiskOptions = RiskOptions(),
) -> RiskResult:  # fmt: skip
    """The risk stage on a supply plan that has a result (``gates`` as the plan was made with)."""
    from rackforge.cluster import dask_mapper
    from rackforge.risk.stage import assess_plan
    from rackforge.supply.data import supply_data

    s = inputs.scenario
    data = supply_data(s, inputs.catalog, bom, gates)
    o = options
    if o.dask is None and (o.samples or s.risk.samples) < DASK_SAMPLES:
        return assess_plan(s, inputs.catalog, bom, supply, data, o.samples, o.seed, map, o.week)
    with dask_mapper(None if o.dask in (None, "local") else o.dask) as mapper:
        return assess_plan(s, inputs.catalog, bom, supply, data, o.samples, o.seed, mapper, o.week)


@dataclass(frozen=True)
class Budget:
    """The time a whole plan may take, shared out between the solves (seconds; ``None``: no limit)."""

    time_limit: float | None = None
    started: float = field(default_factory=time.perf_counter)

    def left(self) -> float | None:
        """Seconds left, never below ``MIN_STAGE_S`` (a solve needs a moment even at the limit)."""
        if self.time_limit is None:
            return None
        return max(self.time_limit - (time.perf_counter() - self.started), MIN_STAGE_S)

    def schedule_s(self, scenario_limit: float, with_supply: bool) -> float:
        """The schedule's limit: its scenario limit, at most ``SCHEDULE_SHARE`` of what is left when a
        supply plan follows (all of it otherwise)."""
        left = self.left()
        if left is None:
            return scenario_limit
        return min(scenario_limit, left * (SCHEDULE_SHARE if with_supply else 1.0))


def run_plan(
    inputs: Inputs, progress: Progress = _quiet, time_limit: float | None = None, threads: int | None = None,
    on_progress: OnProgress | None = None, risk: RiskOptions = RiskOptions(),
) -> PlanResult:  # fmt: skip
    """Run every stage in order, calling ``progress(stage)`` before each; ``time_limit`` bounds the whole
    job (the schedule gets at most ``SCHEDULE_SHARE`` of it when a supply plan follows, the supply the
    rest). A supply plan without a result is kept in the result with its status and diagnosis; a plan
    with one is assessed for risk (``risk`` overrides the scenario's ``risk:``)."""
    budget = Budget(time_limit)
    progress("sizing")
    sizing = run_size(inputs, with_sensitivity=True)
    progress("bom")
    bom = run_bom(inputs, sizing)
    check_gates(inputs, bom)
    progress("schedule")
    s = inputs.scenario
    limit = budget.schedule_s(s.schedule.time_limit_s, bool(s.facilities))
    schedule = run_schedule(inputs, limit, threads, on_progress=on_progress)
    progress("supply")
    gates = schedule_gates(inputs, schedule)
    supply = (
        run_supply(inputs, sizing, bom, budget.left(), threads, gates=gates, on_progress=on_progress)
        if s.facilities
        else None
    )
    progress("risk")
    assessed = run_risk(inputs, bom, supply, gates, risk) if supply is not None and supply.has_plan else None
    return PlanResult(inputs, sizing, bom, supply, schedule, assessed)


def check_inputs(inputs: Inputs) -> None:
    """Run every input check of every stage without solving: sizing, the bill of materials, the schedule
    instance and, with facilities, the development gates and the supply model (its families gated at
    their projects' earliest completion, :func:`rackforge.schedule.portfolio.earliest_gates`).

    Raises
    ------
    InputError
        The first stage's problems, placed in the scenario file.
    """
    from rackforge.supply import build_model

    bom = run_bom(inputs)
    earliest = check_gates(inputs, bom)
    if inputs.scenario.facilities:
        with placed(inputs):
            build_model(inputs.scenario, inputs.catalog, bom, gates=earliest)


def check_gates(inputs: Inputs, bom: BillOfMaterials) -> dict[str, int]:
    """The development gates at their earliest (:func:`rackforge.schedule.portfolio.earliest_gates`).

    A family the plan must build whose introducing projects cannot complete within the horizon even
    with every resource free is an input error (placed in the file) at each such project's ``family``.
    A gate that only the solved schedule pushes past the horizon makes a late plan instead."""
    from rackforge.schedule.portfolio import earliest_gates
    from rackforge.supply.data import built_families

    s = inputs.scenario
    earliest = earliest_gates(s)
    late = {f for f, week in earliest.items() if week > s.horizon_weeks}
    if not (late and s.facilities):
        return earliest
    needed = built_families(inputs.catalog, bom) & late
    problems = []
    for i, proj in enumerate(s.projects):
        if proj.family in needed:
            what = (
                f"project `{proj.name}` cannot complete before week {earliest[proj.family] - 1} even with every "
                f"resource free, so no {proj.family} line opens within the {s.horizon_weeks}-week horizon"
            )
            fix = "shorten its tasks, release it earlier or raise `horizon_weeks`"
            problems.append(Problem(("projects", i, "family"), what, fix))
    if problems:
        raise inputs.place(InputError(problems))
    return earliest

"""rackforge: from AI compute demand to a buildable, US-manufactured hardware programme.

The public API: load a scenario with :func:`load_inputs`, run every stage with :func:`run_plan`
(or one stage with ``run_size``, ``run_bom``, ``run_schedule``, ``run_supply``, ``run_risk``), and read the typed
results. Every error rackforge raises on purpose is a :class:`RackforgeError`.

>>> import rackforge
>>> result = rackforge.run_plan(rackforge.load_inputs("examples/campus-1gw.yaml"))  # doctest: +SKIP
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rackforge.bom import BillOfMaterials
    from rackforge.errors import (
        InfeasibleError,
        InputError,
        NoResultError,
        Problem,
        RackforgeError,
        SolverError,
        TimeLimitError,
    )
    from rackforge.inputs import Inputs, load_inputs
    from rackforge.pipeline import (
        PlanResult,
        RiskOptions,
        run_bom,
        run_plan,
        run_risk,
        run_schedule,
        run_size,
        run_supply,
        schedule_gates,
    )
    from rackforge.report import write_plan
    from rackforge.risk import RiskResult
    from rackforge.scenario import Scenario
    from rackforge.schedule import ScheduleResult
    from rackforge.sizing import Sizing
    from rackforge.status import SolveProgress, SolveStatus
    from rackforge.supply import SupplyPlan

_HOME = {
    "BillOfMaterials": "bom",
    "InfeasibleError": "errors",
    "InputError": "errors",
    "Inputs": "inputs",
    "NoResultError": "errors",
    "PlanResult": "pipeline",
    "Problem": "errors",
    "RackforgeError": "errors",
    "RiskOptions": "pipeline",
    "RiskResult": "risk",
    "Scenario": "scenario",
    "ScheduleResult": "schedule",
    "Sizing": "sizing",
    "SolveProgress": "status",
    "SolveStatus": "status",
    "SolverError": "errors",
    "SupplyPlan": "supply",
    "TimeLimitError": "errors",
    "load_inputs": "inputs",
    "run_bom": "pipeline",
    "run_plan": "pipeline",
    "run_risk": "pipeline",
    "run_schedule": "pipeline",
    "run_size": "pipeline",
    "run_supply": "pipeline",
    "schedule_gates": "pipeline",
    "write_plan": "report",
}
"""Where each public name lives: imported on first use, so ``import rackforge.errors`` stays light."""

__all__ = [
    "BillOfMaterials",
    "InfeasibleError",
    "InputError",
    "Inputs",
    "NoResultError",
    "PlanResult",
    "Problem",
    "RackforgeError",
    "RiskOptions",
    "RiskResult",
    "Scenario",
    "ScheduleResult",
    "Sizing",
    "SolveProgress",
    "SolveStatus",
    "SolverError",
    "SupplyPlan",
    "TimeLimitError",
    "__version__",
    "load_inputs",
    "run_bom",
    "run_plan",
    "run_risk",
    "run_schedule",
    "run_size",
    "run_supply",
    "schedule_gates",
    "write_plan",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'rackforge' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"rackforge.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__

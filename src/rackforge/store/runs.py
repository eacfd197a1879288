"""A plan run recorded in the store: the scenario saved as a version (none added when unchanged), the run
started, its progress written stage by stage, and its result document written when it ends."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rackforge.inputs import Inputs
from rackforge.pipeline import STAGES, PlanResult
from rackforge.store.store import Store

Plan = Callable[[Callable[[str], None]], PlanResult]


def record_plan(
    store: Store, inputs: Inputs, text: str, plan: Plan, tags: Iterable[str] = (), name: str | None = None
) -> tuple[PlanResult, int]:
    """Save ``text`` (the scenario of ``inputs``; under ``name``, its own name by default) and run
    ``plan(progress)`` as a recorded run; the result and the run's id. A plan that raises is recorded as
    failed with the reason and the error goes on."""
    record, _ = store.save_scenario(name or inputs.scenario.name, text, tags)
    run_id = store.start_run(record)

    def progress(stage: str) -> None:
        if stage in STAGES:
            store.progress(run_id, STAGES.index(stage) / len(STAGES))

    try:
        result = plan(progress)
    except BaseException as exc:
        store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
        raise
    store.finish_run(run_id, result.to_dict())
    return result, run_id

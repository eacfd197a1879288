"""Compose the stages: inputs -> sizing -> bill of materials.

Stages that are not built yet are absent from the result, never faked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rackforge import __version__
from rackforge.bom import BillOfMaterials, build_bom
from rackforge.inputs import Inputs
from rackforge.sizing import Sizing, size

STAGES = ("sizing", "bom")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanResult:
    """Every stage's result for one scenario."""

    inputs: Inputs
    sizing: Sizing
    bom: BillOfMaterials

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable ``plan.json``."""
        s = self.inputs.scenario
        return {
            "rackforge": __version__,
            "scenario": {
                "name": s.name,
                "file": self.inputs.file,
                "start": s.start.isoformat(),
                "horizon_weeks": s.horizon_weeks,
            },
            "stages": list(STAGES),
            "sizing": self.sizing.to_dict(),
            "bom": self.bom.to_dict(),
        }


def _quiet(stage: str) -> None:
    del stage


def run_plan(inputs: Inputs, progress: Progress = _quiet) -> PlanResult:
    """Run every built stage in order, calling ``progress(stage)`` before each."""
    progress("sizing")
    sizing = size(inputs.scenario, inputs.catalog)
    progress("bom")
    bom = build_bom(sizing, inputs.catalog)
    return PlanResult(inputs, sizing, bom)

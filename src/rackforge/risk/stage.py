"""The risk stage on a supply plan: the plan's network and the resilience of every node and group
(:mod:`.derive`, :mod:`.resilience`), the concentration of its sources (:mod:`.concentration`) and the
Monte Carlo probability that each wave lands on time (:mod:`.montecarlo`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rackforge.bom import BillOfMaterials
from rackforge.catalog import Catalog
from rackforge.risk.concentration import Concentration, concentration
from rackforge.risk.derive import derive_network, first_due
from rackforge.risk.montecarlo import Outlook, prepare, simulate
from rackforge.risk.network import Network
from rackforge.risk.resilience import NodeRisk, assess
from rackforge.scenario import Scenario
from rackforge.supply.data import SupplyData
from rackforge.supply.result import SupplyPlan

Mapper = Callable[..., Iterable[Any]]


@dataclass(frozen=True)
class RiskResult:
    """The risk stage's result: the network at ``week`` of the plan, every node's and group's TTS/TTR,
    the concentration of sources and the on-time outlook of the waves (seconds in ``runtime_s``)."""

    week: int
    network: Network
    nodes: tuple[NodeRisk, ...]
    groups: tuple[NodeRisk, ...]
    concentration: Concentration
    outlook: Outlook
    runtime_s: float

    @property
    def flagged(self) -> tuple[NodeRisk, ...]:
        """Nodes and groups that run short before they recover, worst exposure first."""
        return tuple(sorted((r for r in (*self.nodes, *self.groups) if r.flagged), key=lambda r: (-r.rei, r.id)))

    def to_dict(self) -> dict[str, Any]:
        """``plan.json``'s ``risk`` and ``risk SCENARIO --json``."""
        net = self.network
        return {
            "week": self.week,
            "network": {"nodes": len(net.nodes), "edges": len(net.edges), "groups": len(net.groups)},
            "nodes": [r.to_dict() for r in self.nodes],
            "groups": [r.to_dict() for r in self.groups],
            "concentration": self.concentration.to_dict(),
            "on_time": self.outlook.to_dict(),
            "runtime_s": self.runtime_s,
        }


def assess_plan(
    scenario: Scenario, catalog: Catalog, bom: BillOfMaterials, plan: SupplyPlan, data: SupplyData,
    samples: int | None = None, seed: int | None = None, mapper: Mapper = map, week: int | None = None,
) -> RiskResult:  # fmt: skip
    """Every part of the risk stage on ``plan`` (``data``: the supply network the plan was made on);
    ``samples`` and ``seed`` override ``risk:``; ``mapper`` runs the scenario batches and sample chunks
    (the built-in ``map``, or a Dask cluster's, :mod:`.dask`); ``week`` the week the network is taken
    at (the week before the first delivery is due by default)."""
    started = time.perf_counter()
    settings = scenario.risk
    at = first_due(data) if week is None else week
    net = derive_network(data, plan, settings, catalog, scenario.policy, at)
    risks = assess(net, mapper=mapper)
    exposure = prepare(data, plan, bom.deliveries, settings, catalog)
    outlook = simulate(exposure, samples or settings.samples, settings.seed if seed is None else seed, mapper)
    shares = concentration(data, catalog, bom, plan)
    n = len(net.nodes)
    return RiskResult(at, net, risks[:n], risks[n:], shares, outlook, time.perf_counter() - started)

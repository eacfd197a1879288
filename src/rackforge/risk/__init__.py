"""The ``risk`` stage on a supply plan: the plan's network (:mod:`.derive`) and the time-to-survive,
time-to-recover, risk exposure and strategic stock of every node and group (:mod:`.resilience`, LPs on
HiGHS through :mod:`.highs`), concentration of sources (:mod:`.concentration`), the Monte Carlo on-time
outlook of the waves (:mod:`.montecarlo`), all composed by :func:`assess_plan` (:mod:`.stage`); Dask
runs the pieces on a cluster (:mod:`rackforge.cluster`)."""

from rackforge.risk.concentration import Concentration
from rackforge.risk.montecarlo import Outlook
from rackforge.risk.network import Edge, Group, GroupKind, Network, Node, NodeKind
from rackforge.risk.resilience import NodeRisk, assess
from rackforge.risk.stage import RiskResult, assess_plan

__all__ = [
    "Concentration",
    "Edge",
    "Group",
    "GroupKind",
    "Network",
    "Node",
    "NodeKind",
    "NodeRisk",
    "Outlook",
    "RiskResult",
    "assess",
    "assess_plan",
]

"""The ``risk`` stage: time-to-survive, time-to-recover and risk exposure of every node of the supply network
(:mod:`.resilience`, LPs on HiGHS through :mod:`.highs`) on the network of :mod:`.network`."""

from rackforge.risk.network import Edge, Network, Node, NodeKind
from rackforge.risk.resilience import NodeRisk, assess

__all__ = ["Edge", "Network", "Node", "NodeKind", "NodeRisk", "assess"]

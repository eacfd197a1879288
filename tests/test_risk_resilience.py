"""TTS and TTR (Simchi-Levi et al. 2015) on the published single-tier example of ``planning-methods.md`` §3.3 (a)
and a hand-checked two-tier network; LP optimality re-checked from the duals."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rackforge.risk import resilience
from rackforge.risk.file import load_network, write_network
from rackforge.risk.highs import Resolver
from rackforge.risk.network import Edge, Group, GroupKind, Network, Node, NodeKind
from rackforge.risk.resilience import TTS_CAP_WEEKS, Assessor, assess, program
from rackforge.status import SolveStatus

SUPPLIER, PRODUCT, ASSEMBLY = NodeKind.SUPPLIER, NodeKind.PRODUCT, NodeKind.ASSEMBLY


def single_tier() -> Network:
    """Three flexible suppliers (30, 45, 60 a period) and two products (P1: 75 a period, 20 on hand,
    5,000 a unit lost; P2: 50, 25, 6,500); recovery 2 periods everywhere."""
    suppliers = [Node(f"S{i}", SUPPLIER, capacity=c, recovery_weeks=2) for i, c in ((1, 30), (2, 45), (3, 60))]
    products = [
        Node("P1", PRODUCT, inventory=20, demand=75, loss=5000, recovery_weeks=2),
        Node("P2", PRODUCT, inventory=25, demand=50, loss=6500, recovery_weeks=2),
    ]
    edges = [Edge(s.id, p.id, "part") for s in suppliers for p in products]
    return Network((*suppliers, *products), tuple(edges))


def test_the_published_single_tier_example() -> None:
    """Published: S1 down costs 0 with TTS 2.25; S2 down 125,000 (25 units) with TTS 1.2857; S3 down 275,000
    (55 units) with TTS 0.90; REI 0.455 and 1.000 among the suppliers."""
    risks = {r.id: r for r in assess(single_tier())}
    assert risks["S1"].ttr_loss == pytest.approx(0.0, abs=1e-6)
    assert risks["S2"].ttr_loss == pytest.approx(125_000)
    assert risks["S3"].ttr_loss == pytest.approx(275_000)
    assert (risks["S2"].lost_units, risks["S3"].lost_units) == pytest.approx((25, 55))
    assert (risks["S1"].tts, risks["S2"].tts, risks["S3"].tts) == pytest.approx((2.25, 9 / 7, 0.9))
    assert risks["S2"].ttr_loss / risks["S3"].ttr_loss == pytest.approx(0.4545, abs=1e-4)
    assert risks["P1"].tts == pytest.approx(20 / 75), "a product down lives on its own stock"
    assert risks["P1"].ttr_loss == pytest.approx((150 - 20) * 5000)
    assert max(r.rei for r in risks.values()) == 1.0


def test_a_two_tier_network_with_alternative_sources_and_bom_ratios() -> None:
    """A rack takes 2 trays; trays come from plant A (10 a week) or plant B (4 a week); each tray takes
    3 boards from one supplier (100 a week). Racks: 4 a week demanded, 2 on hand; plant A holds 6 trays.
    Hand check: plant A down, trays from B (4 a week = 2 racks) and A's 6 trays on hand: racks made in t
    weeks are min(2t + 3, ...), demand 4t - 2, so 2t + 3 >= 4t - 2 gives t = 2.5. The board supplier
    down: trays only from A's stock, 6 trays = 3 racks, 4t - 2 <= 3 gives t = 1.25."""
    nodes = (
        Node("rack", PRODUCT, inventory=2, demand=4, loss=1e6, recovery_weeks=4),
        Node("plant-a", ASSEMBLY, inventory=6, capacity=10, recovery_weeks=4),
        Node("plant-b", ASSEMBLY, capacity=4, recovery_weeks=4),
        Node("boards", SUPPLIER, capacity=100, recovery_weeks=4),
    )
    edges = (
        Edge("plant-a", "rack", "tray", 2),
        Edge("plant-b", "rack", "tray", 2),
        Edge("boards", "plant-a", "board", 3),
        Edge("boards", "plant-b", "board", 3),
    )
    risks = {r.id: r for r in assess(Network(nodes, edges))}
    assert risks["plant-a"].tts == pytest.approx(2.5)
    assert risks["boards"].tts == pytest.approx(1.25)
    assert risks["plant-b"].tts is None, "plant A alone makes 5 racks a week: the network survives"
    assert risks["plant-b"].ttr_loss == pytest.approx(0.0, abs=1e-6)
    assert risks["plant-a"].lost_units == pytest.approx(4 * 4 - 2 - (2 * 4 + 3)), "over 4 weeks of recovery"
    assert risks["boards"].lost_units == pytest.approx(4 * 4 - 2 - 3)
    assert risks["rack"].lost_units == pytest.approx(4 * 4 - 2), "the rack line down: only its stock ships"
    assert risks["rack"].rei == 1.0
    assert risks["boards"].rei == pytest.approx(11 / 14)


@pytest.mark.parametrize("down", range(5))
def test_ttr_optimality_is_rechecked_from_the_duals(down: int) -> None:
    """Dual feasibility (signs against the active bounds) and a zero duality gap, recomputed here."""
    net = single_tier()
    prog = program(net)
    cost = np.zeros(prog.size)
    cost[prog.lost()] = [net.nodes[j].loss for j in prog.products]
    lo, hi = Assessor(net).bounds(net.outages()[down])
    lo[prog.t] = hi[prog.t] = 2.0
    sol = Resolver(prog.matrix, prog.row_lo, prog.row_hi).solve(cost, lo, hi)
    assert sol.status == SolveStatus.OPTIMAL
    y, d = sol.row_dual, sol.reduced_cost
    assert np.allclose(cost - prog.matrix.T @ y, d, atol=1e-6)
    assert np.all((y <= 1e-9) | np.isfinite(prog.row_lo)), "a positive dual needs a lower row bound"
    assert np.all((y >= -1e-9) | np.isfinite(prog.row_hi)), "a negative dual needs an upper row bound"
    assert np.all((d <= 1e-9) | np.isfinite(lo))
    assert np.all((d >= -1e-9) | np.isfinite(hi))
    bound = lambda v, low, high: np.where(v > 0, low, np.where(v < 0, high, 0.0))  # noqa: E731
    dual = float(y @ bound(y, prog.row_lo, prog.row_hi) + d @ bound(d, lo, hi))
    assert dual == pytest.approx(sol.objective, rel=1e-9, abs=1e-6)
    activity = prog.matrix @ sol.values
    assert np.all(activity >= prog.row_lo - 1e-6)
    assert np.all(activity <= prog.row_hi + 1e-6)


def test_a_network_that_never_runs_short_survives_indefinitely() -> None:
    """Two suppliers, each enough alone: either down, the product never runs short (``tts`` is ``None``)."""
    nodes = (Node("p", PRODUCT, demand=1, loss=1), Node("s1", SUPPLIER, capacity=2), Node("s2", SUPPLIER, capacity=2))
    risks = {r.id: r for r in assess(Network(nodes, (Edge("s1", "p", "x"), Edge("s2", "p", "x"))))}
    assert risks["s1"].tts is None
    assert risks["s2"].tts is None
    assert risks["p"].tts == pytest.approx(0.0)
    assert TTS_CAP_WEEKS >= 1000


NETWORK = Path(__file__).resolve().parents[1] / "examples" / "risk-network.yaml"


def test_the_published_example_through_the_network_file(run) -> None:  # type: ignore[no-untyped-def]
    """``risk --network FILE --json``: the §3.3 (a) figures with the keys of DESIGN.md; the table flags every
    node that runs short before it recovers."""
    result = run("risk", "--network", NETWORK, "--json")
    assert result.code == 0, result.err
    nodes = {n["id"]: n for n in json.loads(result.out)["nodes"]}
    assert {"id", "tts", "ttr_loss", "rei"} <= set(nodes["S1"])
    assert [nodes[s]["ttr_loss"] for s in ("S1", "S2", "S3")] == pytest.approx([0, 125_000, 275_000], abs=1e-6)
    assert [nodes[s]["tts"] for s in ("S1", "S2", "S3")] == pytest.approx([2.25, 9 / 7, 0.9])
    longer = json.loads(run("risk", "--network", NETWORK, "--json", "--ttr", "1").out)
    assert {n["id"]: n["ttr_loss"] for n in longer["nodes"]}["S3"] == pytest.approx(5 * 5000), (
        "S3 down for one period: 75 made and 45 on hand against 125 demanded, 5 of P1 lost"
    )
    table = run("risk", "--network", NETWORK)
    assert table.code == 0
    assert "4 of 5 nodes run short before they recover" in table.out


def test_an_edge_to_an_unknown_node_is_placed_at_its_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "net.yaml"
    bad.write_text((NETWORK).read_text().replace("{from: S3, to: P2", "{from: S4, to: P2"))
    result = run("risk", "--network", bad, "--json")
    assert result.code == 2
    line = 1 + next(i for i, x in enumerate(bad.read_text().splitlines()) if "S4" in x)
    assert f"{bad}:{line}:" in result.err
    assert "edges[5].from" in result.err
    assert "did you mean `S3`" in result.err or "S1, S2, S3" in result.err
    assert "Traceback" not in result.err
    assert not result.out
    negative = tmp_path / "neg.yaml"
    negative.write_text((NETWORK).read_text().replace("capacity: 45", "capacity: -45"))
    result = run("risk", "--network", negative)
    assert result.code == 2
    line = 1 + next(i for i, x in enumerate(negative.read_text().splitlines()) if "-45" in x)
    assert f"{negative}:{line}:" in result.err
    assert "nodes[1].capacity" in result.err


def test_a_network_survives_its_file(tmp_path: Path) -> None:
    """Written and read back, the network is the same and so are its figures."""
    net = single_tier()
    write_network(net, tmp_path / "n.json")
    back = load_network(tmp_path / "n.json")
    assert back == net
    assert assess(back) == assess(net)


@pytest.mark.parametrize(("text", "what"), [("", "the file is empty"), ("[1, 2]\n", "the top level is a list")])
def test_an_empty_or_listed_network_file_says_what_it_should_hold(run, tmp_path: Path, text: str, what: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "net.yaml"
    bad.write_text(text)
    result = run("risk", "--network", bad)
    assert result.code == 2
    assert what in result.err
    assert "write `nodes:`" in result.err
    assert "scenario" not in result.err


def test_strategic_stock_is_the_least_cost_stock_that_makes_the_loss_zero() -> None:
    """S3 down for 2 periods loses 55 units; a part at a supplier costs 100 and a finished unit 5,000, so
    the least-cost stock is 55 parts (5,500). With that stock on hand the loss is zero and TTS >= TTR."""
    net = single_tier()
    costed = Network(tuple(replace(n, unit_cost=100.0 if n.kind == SUPPLIER else 5000.0) for n in net.nodes), net.edges)
    risks = {r.id: r for r in assess(costed)}
    s3 = risks["S3"]
    assert s3.flagged
    assert s3.stock_cost == pytest.approx(5500)
    assert sum(u for _, u in s3.stock) == pytest.approx(55)
    assert {n for n, _ in s3.stock} <= {"S1", "S2", "S3"}
    assert not risks["S1"].flagged
    assert risks["S1"].stock == ()
    held = dict(s3.stock)
    stocked = Network(tuple(replace(n, inventory=n.inventory + held.get(n.id, 0.0)) for n in costed.nodes),
                      costed.edges)  # fmt: skip
    after = {r.id: r for r in assess(stocked)}["S3"]
    assert after.ttr_loss == pytest.approx(0.0, abs=1e-6)
    assert after.tts is not None
    assert after.tts >= 2.0 - 1e-9


def two_tier(groups: tuple[Group, ...] = (), lane: str = "", plant: str = "") -> Network:
    nodes = (
        Node("rack", PRODUCT, inventory=2, demand=4, loss=1e6, recovery_weeks=4, unit_cost=10),
        Node("plant-a", ASSEMBLY, inventory=6, capacity=10, recovery_weeks=4, unit_cost=4, group=plant),
        Node("plant-b", ASSEMBLY, capacity=4, recovery_weeks=4, unit_cost=4, group=plant),
        Node("boards", SUPPLIER, capacity=100, recovery_weeks=4, unit_cost=1),
    )
    edges = (
        Edge("plant-a", "rack", "tray", 2, lane),
        Edge("plant-b", "rack", "tray", 2),
        Edge("boards", "plant-a", "board", 3),
        Edge("boards", "plant-b", "board", 3),
    )
    return Network(nodes, edges, groups)


def test_multi_tier_strategic_stock_sits_where_it_is_cheapest() -> None:
    """Plant A down 4 weeks: 3 racks short. Trays (4 each, 2 a rack: 24) beat racks (10 each: 30); boards
    cannot help, plant B's 4 trays a week bind."""
    a = {r.id: r for r in assess(two_tier())}["plant-a"]
    assert a.lost_units == pytest.approx(3)
    assert a.stock_cost == pytest.approx(24)
    assert sum(u for n, u in a.stock if n.startswith("plant")) == pytest.approx(6)


def test_a_group_stops_its_nodes_and_a_lane_its_edges_together() -> None:
    """Both plants in one group: the 2 racks on hand and plant A's 6 trays (3 racks) ship, 4t <= 5 gives
    TTS 1.25 (a stopped node still ships its stock). The lane from plant A to the racks
    down: racks from plant B alone (2 a week) and stock, 2t + 2 >= 4t gives TTS 1."""
    groups = (Group("campus", GroupKind.FACTORY, 4), Group("a->site", GroupKind.LANE, 3))
    risks = {r.id: r for r in assess(two_tier(groups, lane="a->site", plant="campus"))}
    assert risks["campus"].tts == pytest.approx(1.25)
    assert risks["campus"].kind == "factory"
    assert risks["a->site"].tts == pytest.approx(1.0)
    assert risks["a->site"].lost_units == pytest.approx(4 * 3 - 2 - 2 * 3)
    assert risks["plant-a"].tts == pytest.approx(2.5), "single nodes are still assessed alone"


def test_batches_give_the_figures_of_one_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scenarios solved in batches of one (fresh LPs) give the figures of one batch (warm-started)."""
    net = two_tier((Group("campus", GroupKind.FACTORY, 4),), plant="campus")
    whole = assess(net)
    monkeypatch.setattr(resilience, "BATCH", 1)
    single = assess(net)
    assert len(single) == len(whole)
    for a, b in zip(whole, single, strict=True):
        assert (a.id, a.ttr_loss, a.stock_cost) == pytest.approx((b.id, b.ttr_loss, b.stock_cost))
        assert (a.tts is None) == (b.tts is None)

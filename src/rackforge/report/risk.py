"""What ``rackforge risk`` prints: disruption of every node and group (TTS / TTR), the strategic stock
that closes each gap, concentration of sources, and the on-time outlook of the waves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rackforge.report.tabular import View, table

if TYPE_CHECKING:
    from rackforge.risk import NodeRisk
    from rackforge.risk.concentration import Concentration
    from rackforge.risk.montecarlo import Outlook
    from rackforge.risk.stage import RiskResult

TOP = 15


def risk_view(risks: tuple[NodeRisk, ...]) -> View:
    """Every scenario, worst exposure first: weeks the network survives, weeks to recover, the demand lost
    meanwhile and its cost; those that run short before they recover are flagged."""
    rows = [_risk_row(r) for r in sorted(risks, key=lambda r: (-r.rei, r.id))]
    columns = ["node", "survives, weeks", "recovers, weeks", "units lost", "cost of loss", "REI", ""]
    flagged = sum(r.flagged for r in risks)
    return [table("Disruption of each node (TTS / TTR)", columns, rows, text=(0, 1, 6)),
            f"{flagged} of {len(risks)} nodes run short before they recover."]  # fmt: skip


def _risk_row(r: NodeRisk) -> list[Any]:
    survives = "indefinitely" if r.tts is None else f"{r.tts:.2f}"
    flag = "TTS < TTR" if r.flagged else ""
    return [r.id, survives, f"{r.ttr:g}", round(r.lost_units, 1), round(r.ttr_loss), f"{r.rei:.3f}", flag]


def risk_summary(result: RiskResult) -> str:
    """One line for ``plan``: what runs short before it recovers, and the least likely wave."""
    worst = min(result.outlook.waves, key=lambda w: w.on_time, default=None)
    wave = f"; least likely on time: {worst.name} ({worst.on_time:.0%})" if worst is not None else ""
    return (f"  risk: {len(result.flagged)} of {len(result.nodes) + len(result.groups)} nodes, factories, suppliers "
            f"and lanes run short before they recover{wave}")  # fmt: skip


def plan_risk_view(result: RiskResult) -> View:
    """The plan's supply risk: groups, the worst flagged nodes with their strategic stock, concentration,
    and the on-time outlook."""
    net = result.network
    flagged = result.flagged
    head = (
        f"supply network at the end of week {result.week}: {len(net.nodes)} nodes, {len(net.edges)} edges, "
        f"{len(net.groups)} factories, suppliers and lanes ({result.runtime_s:.1f} s)"
    )
    columns = ["factory, supplier or lane", "kind", "survives, weeks", "recovers, weeks", "cost of loss", "REI",
               "strategic stock US$"]  # fmt: skip
    groups = [_group_row(r) for r in sorted(result.groups, key=lambda r: (-r.rei, r.id))]
    worst = [r for r in flagged if r.kind in ("assembly", "supplier", "product")][:TOP]
    nodes = [[r.id, _weeks(r.tts), f"{r.ttr:g}", round(r.ttr_loss), _stock(r), round(r.stock_cost)] for r in worst]
    summary = (
        f"{len(flagged)} of {len(result.nodes) + len(result.groups)} nodes and groups run short before they "
        f"recover; the stock that closes the worst gap costs US${max((r.stock_cost for r in flagged), default=0):,.0f}."
    )
    return [
        head,
        table("Disruption of each factory, supplier and lane (TTS / TTR)", columns, groups, text=(0, 1, 2)),
        table(
            f"Nodes that run short before they recover (worst {len(worst)})",
            ["node", "survives, weeks", "recovers, weeks", "cost of loss", "strategic stock", "US$"],
            nodes,
            text=(0, 1, 4),
        ),
        summary,
        *concentration_view(result.concentration),
        *outlook_view(result.outlook),
    ]


def _weeks(tts: float | None) -> str:
    return "indefinitely" if tts is None else f"{tts:.1f}"


def _group_row(r: NodeRisk) -> list[Any]:
    return [r.id, r.kind, _weeks(r.tts), f"{r.ttr:g}", round(r.ttr_loss), f"{r.rei:.3f}",
            round(r.stock_cost) if r.flagged else "-"]  # fmt: skip


def _stock(r: NodeRisk) -> str:
    held = sorted(r.stock, key=lambda s: -s[1])
    text = "; ".join(f"{units:,.0f} at {node}" for node, units in held[:2])
    return text + (f" (+{len(held) - 2} more)" if len(held) > 2 else "")


def concentration_view(c: Concentration) -> View:
    """Families with supplier and country HHI, exposure by country and tariff regime, and the single losses
    that stop an end product."""
    families = [
        [f.family, round(f.spend_usd), _top(f.suppliers), round(f.hhi_suppliers), _top(f.countries),
         round(f.hhi_countries), "concentrated" if f.suppliers_concentrated or f.countries_concentrated else ""]
        for f in c.families
    ]  # fmt: skip
    single = sum(s.single_supplier for s in c.sole_sources)
    view: View = [
        table(
            f"Concentration of spend by family (HHI 0-10,000; above {c.hhi_threshold:,.0f} is concentrated)",
            ["family", "spend US$", "largest supplier", "supplier HHI", "largest country", "country HHI", ""],
            families,
            text=(0, 2, 4, 6),
        ),
        f"{single} of the parts bought have one supplier; "
        f"{sum(s.single_country for s in c.sole_sources)} come from one country.",
        "Spend by country: " + ", ".join(f"{s.name} {s.share:.1%}" for s in c.countries),
        "Spend by tariff regime: " + ", ".join(f"{s.name} {s.share:.1%}" for s in c.regimes),
    ]
    if c.losses:
        rows = [[str(x.kind), x.name, len(x.stops), round(x.value_usd)] for x in c.losses[:TOP]]
        view.append(table("Single losses that stop an end product outright",
                          ["kind", "name", "end products stopped", "their value US$"], rows, text=(0, 1)))  # fmt: skip
    return view


def _top(shares: tuple[Any, ...]) -> str:
    return f"{shares[0].name} {shares[0].share:.0%}" if shares else "-"


def outlook_view(o: Outlook) -> View:
    """Probability that each wave is complete on time, its P50 and P90 delay, and the parts, factories and
    lanes most often behind a late wave."""
    rows = [[w.name, f"{w.on_time:.1%}", f"{w.p50_delay_weeks:g}", f"{w.p90_delay_weeks:g}"] for w in o.waves]
    critical = [[c.part, c.kind, f"{c.late_share:.1%}"] for c in o.critical[:10]]
    return [
        table(
            f"On-time outlook of the waves ({o.samples:,} samples, seed {o.seed})",
            ["wave", "on time", "P50 delay, weeks", "P90 delay, weeks"],
            rows,
        ),
        table(
            "What most often makes a wave late",
            ["part, factory or lane", "kind", "share of samples"],
            critical,
            text=(0, 1),
        ),
    ]

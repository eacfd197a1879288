"""The synthetic catalog both structures share: bought leaves, assemblies, racks, their clusters and offers.

Leaf prices are log-normal around family medians (USD), origins mixed, HTS codes from the built-in catalog so
tariffs apply; assemblies build in 1-4 weeks, leaves take 2-40 weeks to buy.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import numpy as np

Doc = dict[str, Any]
Items = dict[str, Doc]
Rng = np.random.Generator
FAMILIES = ("compute", "networking", "cables", "power", "cooling", "racks")
SHARE = (0.30, 0.16, 0.16, 0.14, 0.12, 0.12)
PRICE = {"compute": (400, 1.3), "networking": (150, 1.1), "cables": (25, 1.0), "power": (120, 1.0),
         "cooling": (90, 1.0), "racks": (60, 1.1)}  # fmt: skip
BUILD_COST = {"compute": 900, "networking": 300, "cables": 40, "power": 150, "cooling": 200, "racks": 1200}
HTS = {"compute": ("8473.30", "8542.31", "8542.32"), "networking": ("8517.62.0090", "8517.62.0020", "8542.31"),
       "cables": ("8544.42", "8544.70"), "power": ("8504.40.60", "8507.60", "8537.10"),
       "cooling": ("8414.59", "8419.50", "8418.69"), "racks": ("9403.20", "8473.30")}  # fmt: skip
ORIGINS = ("US", "TW", "CN", "MX", "KR", "unknown")
ORIGIN_P = (0.25, 0.25, 0.2, 0.12, 0.1, 0.08)
STATES = ("TX", "AZ", "OH", "NC", "TN", "GA", "WI", "CA")
PLACES = ("abilene", "reno", "columbus", "phoenix")
START = dt.date(2027, 1, 4)


def transit(origin: str, dest: str) -> int:
    """Weeks between countries: 1 within one, 2 across the US-Mexico border, 5 from Asia, 3 otherwise."""
    return 1 if origin == dest else 2 if {origin, dest} <= {"US", "MX"} else 5 if origin in ("TW", "CN", "KR") else 3


def leaves(rng: Rng, parts: int, lead_cap: int, tag: Doc) -> list[Doc]:
    """``parts`` bought leaves; each family gets one, the rest are drawn by ``SHARE``."""
    fams = rng.permutation(np.concatenate([np.arange(6), rng.choice(6, parts - 6, p=SHARE)]))
    out = []
    for i, f in enumerate(fams):
        family = FAMILIES[f]
        price = float(np.clip(PRICE[family][0] * rng.lognormal(0.0, PRICE[family][1]), 0.2, 60000.0))
        lead = int(np.clip(round(rng.lognormal(np.log(8.0), 0.7)), 2, lead_cap))
        out.append({"id": f"syn-p{i + 1:04d}", "name": f"Synthetic {family} part {i + 1}", "family": family,
                    "unit_cost_usd": round(price, 2), "origin": str(rng.choice(ORIGINS, p=ORIGIN_P)),
                    "hts": str(rng.choice(HTS[family])), "lead_time_weeks": lead, **tag})  # fmt: skip
    return out


def assembly(rng: Rng, item_id: str, family: str, bom: list[Doc], tag: Doc) -> Doc:
    """A made item of ``family`` with its children, built in 1-4 weeks."""
    weeks = int(rng.choice(4, p=(0.4, 0.3, 0.2, 0.1))) + 1
    return {"id": item_id, "name": f"Synthetic {family} assembly {item_id}", "family": family, "make_or_buy": "make",
            "origin": "US", "hts": HTS[family][0], "lead_time_weeks": weeks, "bom": bom, **tag}  # fmt: skip


def assemblies(rng: Rng, leaves: list[Doc], systems: int, tag: Doc) -> list[Doc]:
    """Sub-assemblies of about six leaves, each held by one system in turn and by each other at 30 %, in modules."""
    out: list[Doc] = []
    turn = 0
    for family in FAMILIES:
        ids = sorted(p["id"] for p in leaves if p["family"] == family)
        subs, modules = [], []
        for k, chunk in enumerate(np.array_split(rng.permutation(ids), max(1, round(len(ids) / 6)))):
            bom = [{"part": str(p), "qty": int(rng.integers(1, 13 if family == "cables" else 5))} for p in chunk]
            subs.append(assembly(rng, f"syn-a-{family}-{k + 1}", family, bom, tag))
        qtys = (1, 2, 4, 9, 18) if family == "compute" else (1, 2, 4)
        for s in range(systems):
            held = [x for k, x in enumerate(subs, turn) if k % systems == s or rng.random() < 0.3]
            bom = [{"part": x["id"], "qty": int(rng.choice(qtys))} for x in held]
            modules += [assembly(rng, f"syn-m{s + 1}-{family}", family, bom, tag)] if bom else []
        out, turn = out + subs + modules, turn + len(subs)
    return out


def system(rng: Rng, s: int, modules: list[Doc], tag: Doc) -> Doc:
    """A liquid-cooled rack of 36 or 72 ``gb200`` at 1.6-1.9 kW per accelerator, holding its modules."""
    acc = int(rng.choice((36, 72)))
    kw = round(float(rng.uniform(1.6, 1.9)) * acc, 1)
    bom = [{"part": m["id"], "qty": 1} for m in modules if m["id"].startswith(f"syn-m{s + 1}-")]
    rack = assembly(rng, f"syn-rack-{s + 1}", "compute", bom, tag)
    return rack | {"name": f"Synthetic GB200 NVL{acc} rack {s + 1}", "hts": "8471.50", "accelerator": "gb200",
                   "accelerators": acc, "form": "rack", "height_ru": 48, "max_power_kw": kw, "power_w": kw * 1000,
                   "power_definition": "Generated rack IT power for provisioning (kW).", "cooling": "hybrid",
                   "liquid_share": 0.85, "scale_up_domain": acc, "scale_out_ports": acc, "scale_out_gbps": 400,
                   "systems_per_rack": 1}  # fmt: skip


def need(items: Items, racks: dict[tuple[int, str], int]) -> dict[str, float]:
    """Units of every item (systems, assemblies, leaves) the whole programme needs."""
    out: dict[str, float] = defaultdict(float)
    stack = [(sid, float(n)) for (_, sid), n in racks.items()]
    while stack:
        item, qty = stack.pop()
        out[item] += qty
        stack += [(line["part"], qty * line["qty"]) for line in items[item].get("bom", ())]
    return out


def clusters(rng: Rng, systems: list[str], sites: int, size: tuple[int, int]) -> dict[tuple[int, str], int]:
    """``(site, system) -> racks`` (``size[0]`` to ``size[1] - 1`` per cluster): every site hosts one and every
    system is deployed."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    for k in range(max(sites, len(systems))):
        out[(k if k < sites else int(rng.integers(sites)), systems[k % len(systems)])] += int(rng.integers(*size))
    return dict(sorted(out.items()))


def offer(rng: Rng, leaf: Doc, need: float, capped: bool) -> Doc:
    """An offer near the catalog price and lead time; a quarter set a minimum order of 1-4 % of the need; a
    ``capped`` one sells 3-12 % of the need a week."""
    out = {"part": leaf["id"], "price_usd": round(leaf["unit_cost_usd"] * float(rng.lognormal(0, 0.12)), 2),
           "lead_time_weeks": int(max(2, leaf["lead_time_weeks"] + rng.integers(-2, 1)))}  # fmt: skip
    if capped:
        out["capacity_per_week"] = float(math.ceil(need * rng.uniform(0.03, 0.12)))
    if rng.random() < 0.25:
        out["min_order"] = float(min(math.ceil(need * rng.uniform(0.01, 0.04)), out.get("capacity_per_week", need)))
    return out


def homes(rng: Rng, count: int) -> dict[str, list[int]]:
    """Which of ``count`` factories run a line of each family: every factory at least one family, every family
    at ``max(1, round(0.3·count))`` factories or more (contract plants specialize: trays, cables, racks)."""
    want = max(1, round(0.3 * count))
    held: dict[str, set[int]] = {f: set() for f in FAMILIES}
    for i, f in enumerate(rng.permutation(np.arange(max(count, len(FAMILIES))) % len(FAMILIES))):
        held[FAMILIES[f]].add(i % count)
    for at in held.values():
        spare = [i for i in rng.permutation(count) if i not in at]
        at.update(int(i) for i in spare[: max(0, want - len(at))])
    return {f: sorted(at) for f, at in held.items()}


def facility(rng: Rng, i: int, country: str, rate: dict[str, float], ready: int, families: list[str],
             qualified: list[str] | None = None) -> Doc:  # fmt: skip
    """A factory with a line per family it runs at 1.1-1.8 times ``rate`` (units a week), ramping up early;
    ``qualified`` lists the assemblies it may build (every one of its families when ``None``)."""
    lines = [{"family": f, "capacity_per_week": float(math.ceil(rate[f] * rng.uniform(1.1, 1.8))),
              "start_week": int(rng.integers(1, max(2, ready // 2))), "ramp_weeks": int(rng.integers(0, 7)),
              "ramp_start_share": round(float(rng.uniform(0.25, 0.5)), 2)} for f in families]  # fmt: skip
    factor = {"US": 1.0, "MX": 0.6, "TW": 0.75}[country]
    cost = {f: round(BUILD_COST[f] * factor * float(rng.lognormal(0.0, 0.2)), 2) for f in families}
    where = {"state": STATES[i % len(STATES)]} if country == "US" else {}
    listed = {} if qualified is None else {"qualified": qualified}
    return {"name": plant_name(i, country), "country": country, **where, "lines": lines, **listed,
            "build_cost_usd": cost}  # fmt: skip


def plant_name(i: int, country: str) -> str:
    """The name of factory ``i``: its number and state (US) or country."""
    return f"plant-{i + 1}-{(STATES[i % len(STATES)] if country == 'US' else country).lower()}"

"""Synthetic supply-planning scenarios of any size, drawn from a seed, for tests and scaling benchmarks.

Two or three rack-scale systems on the built-in ``gb200`` accelerator, each a module per family holding shared
sub-assemblies of about six bought leaf parts. Leaf prices are log-normal around family medians (USD), origins mixed,
HTS codes from the built-in catalog so tariffs apply; assemblies build in 1-4 weeks, leaves take 2-40 weeks to buy
(at most ``0.6·T - 16`` on a horizon of ``T`` weeks). Waves fall after the longest lead-time path and each line runs
at 1.1-1.8 times its share of the rate the most pressing wave needs: lines run full in busy weeks while an on-time
plan usually exists. The sites' fabric and facility equipment come from the built-in catalog with their real lead
times (switches 26 weeks, MV transformers 120); what no week-1 order could deliver by its wave is declared the
developer's stock (``on_hand``), so an on-time plan exists when lines and suppliers keep pace. Factories
specialize: each runs lines of some families, about 30 % of factories build each family, and assemblies move
between factories on plant-to-plant lanes.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from ruamel.yaml import YAML

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size

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


def _transit(origin: str, dest: str) -> int:
    """Weeks between countries: 1 within one, 2 across the US-Mexico border, 5 from Asia, 3 otherwise."""
    return 1 if origin == dest else 2 if {origin, dest} <= {"US", "MX"} else 5 if origin in ("TW", "CN", "KR") else 3


def _leaves(rng: Rng, parts: int, lead_cap: int, tag: Doc) -> list[Doc]:
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


def _assembly(rng: Rng, item_id: str, family: str, bom: list[Doc], tag: Doc) -> Doc:
    """A made item of ``family`` with its children, built in 1-4 weeks."""
    weeks = int(rng.choice(4, p=(0.4, 0.3, 0.2, 0.1))) + 1
    return {"id": item_id, "name": f"Synthetic {family} assembly {item_id}", "family": family, "make_or_buy": "make",
            "origin": "US", "hts": HTS[family][0], "lead_time_weeks": weeks, "bom": bom, **tag}  # fmt: skip


def _assemblies(rng: Rng, leaves: list[Doc], systems: int, tag: Doc) -> list[Doc]:
    """Sub-assemblies of about six leaves, each held by one system in turn and by each other at 30 %, in modules."""
    out: list[Doc] = []
    turn = 0
    for family in FAMILIES:
        ids = sorted(p["id"] for p in leaves if p["family"] == family)
        subs, modules = [], []
        for k, chunk in enumerate(np.array_split(rng.permutation(ids), max(1, round(len(ids) / 6)))):
            bom = [{"part": str(p), "qty": int(rng.integers(1, 13 if family == "cables" else 5))} for p in chunk]
            subs.append(_assembly(rng, f"syn-a-{family}-{k + 1}", family, bom, tag))
        qtys = (1, 2, 4, 9, 18) if family == "compute" else (1, 2, 4)
        for s in range(systems):
            held = [x for k, x in enumerate(subs, turn) if k % systems == s or rng.random() < 0.3]
            bom = [{"part": x["id"], "qty": int(rng.choice(qtys))} for x in held]
            modules += [_assembly(rng, f"syn-m{s + 1}-{family}", family, bom, tag)] if bom else []
        out, turn = out + subs + modules, turn + len(subs)
    return out


def _system(rng: Rng, s: int, modules: list[Doc], tag: Doc) -> Doc:
    """A liquid-cooled rack of 36 or 72 ``gb200`` at 1.6-1.9 kW per accelerator, holding its modules."""
    acc = int(rng.choice((36, 72)))
    kw = round(float(rng.uniform(1.6, 1.9)) * acc, 1)
    bom = [{"part": m["id"], "qty": 1} for m in modules if m["id"].startswith(f"syn-m{s + 1}-")]
    rack = _assembly(rng, f"syn-rack-{s + 1}", "compute", bom, tag)
    return rack | {"name": f"Synthetic GB200 NVL{acc} rack {s + 1}", "hts": "8471.50", "accelerator": "gb200",
                   "accelerators": acc, "form": "rack", "height_ru": 48, "max_power_kw": kw, "power_w": kw * 1000,
                   "power_definition": "Generated rack IT power for provisioning (kW).", "cooling": "hybrid",
                   "liquid_share": 0.85, "scale_up_domain": acc, "scale_out_ports": acc, "scale_out_gbps": 400,
                   "systems_per_rack": 1}  # fmt: skip


def _need(items: Items, racks: dict[tuple[int, str], int]) -> dict[str, float]:
    """Units of every item (systems, assemblies, leaves) the whole programme needs."""
    need: dict[str, float] = defaultdict(float)
    stack = [(sid, float(n)) for (_, sid), n in racks.items()]
    while stack:
        item, qty = stack.pop()
        need[item] += qty
        stack += [(line["part"], qty * line["qty"]) for line in items[item].get("bom", ())]
    return need


def _clusters(rng: Rng, systems: list[str], sites: int) -> dict[tuple[int, str], int]:
    """``(site, system) -> racks`` (8-32 per cluster): every site hosts one and every system is deployed."""
    out: dict[tuple[int, str], int] = defaultdict(int)
    for k in range(max(sites, len(systems))):
        out[(k if k < sites else int(rng.integers(sites)), systems[k % len(systems)])] += int(rng.integers(8, 33))
    return dict(sorted(out.items()))


def _offer(rng: Rng, leaf: Doc, need: float, capped: bool) -> Doc:
    """An offer near the catalog price and lead time; a quarter set a minimum order of 1-4 % of the need."""
    offer = {"part": leaf["id"], "price_usd": round(leaf["unit_cost_usd"] * float(rng.lognormal(0, 0.12)), 2),
             "lead_time_weeks": int(max(2, leaf["lead_time_weeks"] + rng.integers(-2, 1)))}  # fmt: skip
    if capped:
        offer["capacity_per_week"] = float(math.ceil(need * rng.uniform(0.03, 0.12)))
    if rng.random() < 0.25:
        offer["min_order"] = float(min(math.ceil(need * rng.uniform(0.01, 0.04)), offer.get("capacity_per_week", need)))
    return offer


def _suppliers(rng: Rng, items: Items, need: dict[str, float], count: int) -> list[Doc]:
    """Suppliers in countries drawn like the origins: each leaf gets 1-3 offers, the first uncapped."""
    offers: list[list[Doc]] = [[] for _ in range(count)]
    order = [int(s) for s in rng.permutation(count)]
    for i, leaf in enumerate(x for x in items.values() if "bom" not in x):
        others = [int(s) for s in rng.permutation(count) if s != order[i % count]]
        for n, s in enumerate([order[i % count], *others[: int(rng.integers(0, 3))]]):
            offers[s].append(_offer(rng, leaf, need[leaf["id"]], n > 0 and rng.random() < 0.4))
    countries = rng.choice(ORIGINS[:-1], count, p=np.array(ORIGIN_P[:-1]) / sum(ORIGIN_P[:-1]))
    return [{"name": f"sup-{s + 1:02d}-{c.lower()}", "country": str(c), "offers": offers[s]}
            for s, c in enumerate(countries)]  # fmt: skip


def _timing(items: Items, vendors: list[Doc], countries: list[str]) -> tuple[int, int]:
    """``(ready, path)``: weeks for every leaf to reach every factory, and for the slowest system to reach a site
    (every assembly moved once between factories on the slowest lane)."""
    leaf_weeks = {i: 10**6 for i, x in items.items() if "bom" not in x}
    for v in vendors:
        slowest = max(_transit(v["country"], c) for c in countries)
        for o in v["offers"]:
            leaf_weeks[o["part"]] = min(leaf_weeks[o["part"]], o["lead_time_weeks"] + slowest)
    done = dict(leaf_weeks)
    move = max(_transit(a, b) for a in countries for b in countries)
    for i, x in items.items():
        if "bom" in x:
            done[i] = x["lead_time_weeks"] + move + max(done[c["part"]] for c in x["bom"])
    path = max(done[i] for i in items if i.startswith("syn-rack-"))
    return max(leaf_weeks.values()), path + max(_transit(c, "US") for c in countries)


def _site(rng: Rng, k: int, first: int, weeks: int) -> Doc:
    """A site with two or three waves from week ``first`` to the horizon's last week, shares in steps of 5 %."""
    span = np.arange(min(first, weeks - 1), weeks)
    count = min(int(rng.integers(2, 4)), span.size)
    chosen = sorted(int(w) for w in rng.choice(span, count, replace=False))
    twentieths = rng.multinomial(20 - count, np.full(count, 1 / count)) + 1
    waves = [{"week": w, "share": float(n) / 20} for w, n in zip(chosen, twentieths, strict=True)]
    return {"name": f"dc-{PLACES[k]}", "pue": round(float(rng.uniform(1.15, 1.35)), 2), "waves": waves}


def _homes(rng: Rng, count: int) -> dict[str, list[int]]:
    """Which of ``count`` factories run a line of each family: every factory at least one family, every family
    at ``max(1, round(0.3·count))`` factories or more (contract plants specialize: trays, cables, racks)."""
    want = max(1, round(0.3 * count))
    homes: dict[str, set[int]] = {f: set() for f in FAMILIES}
    for i, f in enumerate(rng.permutation(np.arange(max(count, len(FAMILIES))) % len(FAMILIES))):
        homes[FAMILIES[f]].add(i % count)
    for held in homes.values():
        spare = [i for i in rng.permutation(count) if i not in held]
        held.update(int(i) for i in spare[: max(0, want - len(held))])
    return {f: sorted(held) for f, held in homes.items()}


def _facility(rng: Rng, i: int, country: str, rate: dict[str, float], ready: int, families: list[str]) -> Doc:
    """A factory with a line per family it runs at 1.1-1.8 times ``rate`` (units a week), ramping up early."""
    lines = [{"family": f, "capacity_per_week": float(math.ceil(rate[f] * rng.uniform(1.1, 1.8))),
              "start_week": int(rng.integers(1, max(2, ready // 2))), "ramp_weeks": int(rng.integers(0, 7)),
              "ramp_start_share": round(float(rng.uniform(0.25, 0.5)), 2)} for f in families]  # fmt: skip
    factor = {"US": 1.0, "MX": 0.6, "TW": 0.75}[country]
    cost = {f: round(BUILD_COST[f] * factor * float(rng.lognormal(0.0, 0.2)), 2) for f in families}
    where = {"state": STATES[i % len(STATES)]} if country == "US" else {}
    name = f"plant-{i + 1}-{where.get('state', country).lower()}"
    return {"name": name, "country": country, **where, "lines": lines, "build_cost_usd": cost}


def _rates(items: Items, racks: dict[tuple[int, str], int], sites: list[Doc], path: int,
           homes: dict[str, list[int]]) -> dict[str, float]:  # fmt: skip
    """Units a week each factory of a family builds so that every wave, of all sites together, is met.

    By wave week ``w`` the units due are ``Σ_k need_k·share_k(≤ w)``; they get ``w - path + 2`` weeks of building.
    """
    due: dict[str, dict[int, float]] = {f: defaultdict(float) for f in FAMILIES}
    weeks = sorted({w["week"] for s in sites for w in s["waves"]})
    for k, site in enumerate(sites):
        need = _need(items, {key: n for key, n in racks.items() if key[0] == k})
        for w in weeks:
            share = sum(x["share"] for x in site["waves"] if x["week"] <= w)
            for item, qty in need.items():
                if "bom" in items[item]:
                    due[items[item]["family"]][w] += qty * share
    return {f: 1.0 + max((due[f][w] / max(2, w - path + 2) for w in weeks), default=0.0) / len(homes[f])
            for f in FAMILIES}  # fmt: skip


def _lanes(rng: Rng, vendors: list[Doc], plants: list[Doc], sites: list[Doc]) -> list[Doc]:
    """Every supplier to every factory (about USD 2 a unit), factory to factory (USD 20-200) and factory to
    site (USD 800-4,000)."""
    pairs = [(v, p, round(float(rng.lognormal(np.log(2.0), 0.6)), 2)) for v in vendors for p in plants]
    pairs += [(p, q, round(float(rng.uniform(20, 200)))) for p in plants for q in plants if p is not q]
    pairs += [(p, {**s, "country": "US"}, round(float(rng.uniform(800, 4000)))) for p in plants for s in sites]
    return [{"from": a["name"], "to": b["name"], "transit_weeks": _transit(a["country"], b["country"]),
             "cost_per_unit_usd": cost} for a, b, cost in pairs]  # fmt: skip


def generate(parts: int, facilities: int, suppliers: int, weeks: int, seed: int) -> Doc:
    """A valid scenario mapping (the YAML document) of a synthetic programme; same seed, same document.

    Parameters
    ----------
    parts, facilities, suppliers
        Bought leaf parts (>= 6, one per family), factories (>= 1) and suppliers (1 to ``parts``).
    weeks
        Planning horizon (weeks, >= 20).
    seed
        Seed of the :class:`numpy.random.Generator`.

    Raises
    ------
    ValueError
        When a size is out of range.
    """
    if parts < len(FAMILIES) or facilities < 1 or not 1 <= suppliers <= parts or weeks < 20:
        raise ValueError("need parts >= 6, facilities >= 1, 1 <= suppliers <= parts and weeks >= 20")
    rng = np.random.default_rng(seed)
    tag = {"source": f"generated (seed {seed})", "confidence": "E"}
    leaves = _leaves(rng, parts, int(np.clip(0.6 * weeks - 16, 2, 40)), tag)
    made = _assemblies(rng, leaves, count := int(rng.integers(2, 4)), tag)
    items = {x["id"]: x for x in [*leaves, *made, *(_system(rng, s, made, tag) for s in range(count))]}
    racks = _clusters(rng, list(items)[-count:], int(rng.integers(2, 5)))
    need = _need(items, racks)
    vendors = _suppliers(rng, items, need, suppliers)
    countries = ["US", *(str(c) for c in rng.choice(("US", "MX", "TW"), facilities - 1, p=(0.8, 0.12, 0.08)))]
    ready, path = _timing(items, vendors, countries)
    sites = [_site(rng, k, path + max(2, weeks // 10), weeks) for k in range(1 + max(racks)[0])]
    homes = _homes(rng, facilities)
    rate = _rates(items, racks, sites, path, homes)
    plants = [
        _facility(rng, i, c, rate, ready, [f for f in FAMILIES if i in homes[f]]) for i, c in enumerate(countries)
    ]
    clusters = [{"name": f"{sites[k]['name']}-{sid}", "site": sites[k]["name"], "system": sid, "count": n}
                for (k, sid), n in racks.items()]  # fmt: skip
    catalog = {"parts": [x for x in items.values() if "accelerator" not in x],
               "systems": [x for x in items.values() if "accelerator" in x]}  # fmt: skip
    doc = {"name": f"generated-p{parts}-f{facilities}-s{suppliers}-w{weeks}-seed{seed}",
           "description": f"Synthetic programme from rackforge.generate (seed {seed}).", "start": START,
           "horizon_weeks": weeks, "catalog": catalog, "clusters": clusters, "sites": sites,
           "facilities": plants, "suppliers": vendors, "lanes": _lanes(rng, vendors, plants, sites)}  # fmt: skip
    return _developer_stock(doc)


def _developer_stock(doc: Doc) -> Doc:
    """Declare as each site's ``on_hand`` the built-in fabric and facility gear that no order placed in week 1
    could deliver by its wave (MV transformers take 120 weeks): the developer holds it, as on real campuses."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        write_scenario(doc, path)
        inputs = load_inputs(path)
        bom = run_bom(inputs, run_size(inputs))
    transit = inputs.scenario.policy.default_transit_weeks
    held: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for d in bom.deliveries:
        item = inputs.catalog.items[d.item]
        if not d.item.startswith("syn-") and 1 + math.ceil(item.lead_time_weeks) + transit > d.week:
            held[d.site][d.item] += d.quantity
    for site in doc["sites"]:
        if site["name"] in held:
            site["on_hand"] = {item: float(math.ceil(q)) for item, q in sorted(held[site["name"]].items())}
    return doc


def write_scenario(doc: Doc, path: str | Path) -> None:
    """Write ``doc`` as YAML to ``path``; the same document always gives the same bytes."""
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 4096
    with Path(path).open("w", encoding="utf-8") as out:
        yaml.dump(doc, out)

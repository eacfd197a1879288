"""The simple structure (``generate(..., simple=True)``, ``rackforge generate --simple``): the first generator's
network, kept byte for byte so that tests and benchmarks measured on it still reproduce.

Each leaf gets 1-3 offers (the first uncapped, a later one capped at 40 %) from suppliers drawn at random; every
supplier has a lane to every factory, every factory to every other and to every site. A factory of a family is
qualified for every assembly of it. Two or three waves per site fall after the slowest lead-time path (every
leaf on its slowest lane, every assembly moved once on the slowest plant-to-plant lane), at least
``max(2, T // 10)`` weeks after it, and each line runs at 1.1-1.8 times its share of the rate the most pressing
wave needs.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from rackforge.generate.parts import (
    FAMILIES,
    ORIGIN_P,
    ORIGINS,
    PLACES,
    Doc,
    Items,
    Rng,
    facility,
    homes,
    need,
    offer,
    transit,
)


def suppliers(rng: Rng, items: Items, needs: dict[str, float], count: int) -> list[Doc]:
    """Suppliers in countries drawn like the origins: each leaf gets 1-3 offers, the first uncapped."""
    offers: list[list[Doc]] = [[] for _ in range(count)]
    order = [int(s) for s in rng.permutation(count)]
    for i, leaf in enumerate(x for x in items.values() if "bom" not in x):
        others = [int(s) for s in rng.permutation(count) if s != order[i % count]]
        for n, s in enumerate([order[i % count], *others[: int(rng.integers(0, 3))]]):
            offers[s].append(offer(rng, leaf, needs[leaf["id"]], n > 0 and rng.random() < 0.4))
    countries = rng.choice(ORIGINS[:-1], count, p=np.array(ORIGIN_P[:-1]) / sum(ORIGIN_P[:-1]))
    return [{"name": f"sup-{s + 1:02d}-{c.lower()}", "country": str(c), "offers": offers[s]}
            for s, c in enumerate(countries)]  # fmt: skip


def timing(items: Items, vendors: list[Doc], countries: list[str]) -> tuple[int, int]:
    """``(ready, path)``: weeks for every leaf to reach every factory, and for the slowest system to reach a site
    (every assembly moved once between factories on the slowest lane)."""
    leaf_weeks = {i: 10**6 for i, x in items.items() if "bom" not in x}
    for v in vendors:
        slowest = max(transit(v["country"], c) for c in countries)
        for o in v["offers"]:
            leaf_weeks[o["part"]] = min(leaf_weeks[o["part"]], o["lead_time_weeks"] + slowest)
    done = dict(leaf_weeks)
    move = max(transit(a, b) for a in countries for b in countries)
    for i, x in items.items():
        if "bom" in x:
            done[i] = x["lead_time_weeks"] + move + max(done[c["part"]] for c in x["bom"])
    path = max(done[i] for i in items if i.startswith("syn-rack-"))
    return max(leaf_weeks.values()), path + max(transit(c, "US") for c in countries)


def site(rng: Rng, k: int, first: int, weeks: int) -> Doc:
    """A site with two or three waves from week ``first`` to the horizon's last week, shares in steps of 5 %."""
    span = np.arange(min(first, weeks - 1), weeks)
    count = min(int(rng.integers(2, 4)), span.size)
    chosen = sorted(int(w) for w in rng.choice(span, count, replace=False))
    twentieths = rng.multinomial(20 - count, np.full(count, 1 / count)) + 1
    waves = [{"week": w, "share": float(n) / 20} for w, n in zip(chosen, twentieths, strict=True)]
    return {"name": f"dc-{PLACES[k]}", "pue": round(float(rng.uniform(1.15, 1.35)), 2), "waves": waves}


def rates(items: Items, racks: dict[tuple[int, str], int], sites: list[Doc], path: int,
          lined: dict[str, list[int]]) -> dict[str, float]:  # fmt: skip
    """Units a week each factory of a family builds so that every wave, of all sites together, is met.

    By wave week ``w`` the units due are ``Σ_k need_k·share_k(≤ w)``; they get ``w - path + 2`` weeks of building.
    """
    due: dict[str, dict[int, float]] = {f: defaultdict(float) for f in FAMILIES}
    weeks = sorted({w["week"] for s in sites for w in s["waves"]})
    for k, s in enumerate(sites):
        needs = need(items, {key: n for key, n in racks.items() if key[0] == k})
        for w in weeks:
            share = sum(x["share"] for x in s["waves"] if x["week"] <= w)
            for item, qty in needs.items():
                if "bom" in items[item]:
                    due[items[item]["family"]][w] += qty * share
    return {f: 1.0 + max((due[f][w] / max(2, w - path + 2) for w in weeks), default=0.0) / len(lined[f])
            for f in FAMILIES}  # fmt: skip


def lanes(rng: Rng, vendors: list[Doc], plants: list[Doc], sites: list[Doc]) -> list[Doc]:
    """Every supplier to every factory (about USD 2 a unit), factory to factory (USD 20-200) and factory to
    site (USD 800-4,000)."""
    pairs = [(v, p, round(float(rng.lognormal(np.log(2.0), 0.6)), 2)) for v in vendors for p in plants]
    pairs += [(p, q, round(float(rng.uniform(20, 200)))) for p in plants for q in plants if p is not q]
    pairs += [(p, {**s, "country": "US"}, round(float(rng.uniform(800, 4000)))) for p in plants for s in sites]
    return [{"from": a["name"], "to": b["name"], "transit_weeks": transit(a["country"], b["country"]),
             "cost_per_unit_usd": cost} for a, b, cost in pairs]  # fmt: skip


def network(rng: Rng, items: Items, racks: dict[tuple[int, str], int], sizes: tuple[int, int, int]) -> Doc:
    """``sites``, ``facilities``, ``suppliers`` and ``lanes`` of the simple structure for ``sizes``
    (factories, suppliers, weeks)."""
    facilities, count, weeks = sizes
    vendors = suppliers(rng, items, need(items, racks), count)
    countries = ["US", *(str(c) for c in rng.choice(("US", "MX", "TW"), facilities - 1, p=(0.8, 0.12, 0.08)))]
    ready, path = timing(items, vendors, countries)
    sites = [site(rng, k, path + max(2, weeks // 10), weeks) for k in range(1 + max(racks)[0])]
    lined = homes(rng, facilities)
    rate = rates(items, racks, sites, path, lined)
    plants = [facility(rng, i, c, rate, ready, [f for f in FAMILIES if i in lined[f]]) for i, c in enumerate(countries)]
    return {"sites": sites, "facilities": plants, "suppliers": vendors, "lanes": lanes(rng, vendors, plants, sites)}

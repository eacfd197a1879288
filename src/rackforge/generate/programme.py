"""The programme structure (the default of :func:`rackforge.generate.generate`): what real programmes look like.

* **Qualification.** Each assembly is qualified at one factory, or at two with probability ``SECOND_PLANT``,
  among the factories that run a line of its family (about 30 % of them, as in the simple structure); the
  family's factories take its assemblies in turn, so each builds at least one while there are enough. A factory
  runs lines only of the families it is qualified for and lists its assemblies under ``qualified``.
* **Sourcing.** Suppliers specialize: the leaves, in family order, are dealt to the suppliers in contiguous
  runs, one primary offer each (uncapped, near the catalog price and lead time, a quarter with a minimum order
  of 1-4 % of the need). ``ALTERNATIVE_SHARE`` of the leaves (30 %, drawn) get a second offer from a supplier in
  another country — its own price, lead time, weekly capacity (3-12 % of the need) and minimum order — where
  one exists.
* **Lanes** only where goods flow: a supplier to each factory qualified for a parent of its parts (about USD 2 a
  unit), a factory to each factory qualified for a parent of an assembly it builds (USD 20-200), a factory
  qualified for a rack to each site deploying it (USD 800-4,000).
* **Deployment ramps.** Each site deploys 24-96 racks of each system it hosts in weekly or fortnightly waves
  from its start week to the horizon's end, the wave shares rising linearly over the first 30-60 % of the waves
  and flat after. The first site starts ``MARGIN_WEEKS`` after the earliest week every rack can reach a site
  (leaves ordered in week 1 on their primary offers, each assembly built and moved on its fastest route), the
  others up to a quarter of the remaining weeks later.
* **Lines** run at 1.1-1.8 times the rate the most pressing wave asks of the factory: each assembly's need
  shared equally among its factories, the units due by week ``w`` built over ``w - path + 2`` weeks, ``path``
  the slowest route between the qualified factories. Lines run full in busy weeks (a quarter to three quarters
  of them at some week on 30 parts x 5 factories x 52 weeks, seeds 1-3, as in the simple structure) while an
  on-time plan usually exists (on every instance of ``tests/test_generate.py``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

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

SECOND_PLANT = 0.5
ALTERNATIVE_SHARE = 0.3
MARGIN_WEEKS = 2
RACKS = (24, 97)
SHARE_UNITS = 10_000

Qualified = dict[str, list[int]]


def qualify(rng: Rng, items: Items, lined: dict[str, list[int]]) -> Qualified:
    """``assembly -> factories`` qualified for it: one of its family's factories in turn, a second at
    ``SECOND_PLANT``."""
    out: Qualified = {}
    for family in FAMILIES:
        plants = [int(i) for i in rng.permutation(lined[family])]
        made = [i for i, x in items.items() if "bom" in x and x["family"] == family]
        for n, k in enumerate(rng.permutation(len(made))):
            first = plants[n % len(plants)]
            others = [p for p in plants if p != first]
            second = [int(rng.choice(others))] if others and rng.random() < SECOND_PLANT else []
            out[made[int(k)]] = sorted([first, *second])
    return dict(sorted(out.items()))


def users(items: Items, qualified: Qualified) -> dict[str, set[int]]:
    """``item -> factories`` that draw it: those qualified for one of its parents."""
    out: dict[str, set[int]] = defaultdict(set)
    for parent, at in qualified.items():
        for line in items[parent]["bom"]:
            out[line["part"]].update(at)
    return out


def suppliers(rng: Rng, items: Items, needs: dict[str, float], count: int) -> list[Doc]:
    """Specialized suppliers: contiguous runs of the leaves in family order, one primary offer each, and a
    second offer from another country for ``ALTERNATIVE_SHARE`` of the leaves."""
    countries = [str(c) for c in rng.choice(ORIGINS[:-1], count, p=np.array(ORIGIN_P[:-1]) / sum(ORIGIN_P[:-1]))]
    bought = sorted((x for x in items.values() if "bom" not in x), key=lambda x: (FAMILIES.index(x["family"]), x["id"]))
    offers: list[list[Doc]] = [[] for _ in range(count)]
    primary: dict[str, int] = {}
    for s, run in zip(rng.permutation(count), np.array_split(np.arange(len(bought)), count), strict=True):
        for i in run:
            offers[int(s)].append(offer(rng, bought[i], needs[bought[i]["id"]], False))
            primary[bought[i]["id"]] = int(s)
    second = sorted(int(i) for i in rng.choice(len(bought), round(ALTERNATIVE_SHARE * len(bought)), replace=False))
    for i in second:
        leaf = bought[i]
        abroad = [s for s in range(count) if countries[s] != countries[primary[leaf["id"]]]]
        if abroad:
            offers[int(rng.choice(abroad))].append(offer(rng, leaf, needs[leaf["id"]], True))
    return [{"name": f"sup-{s + 1:02d}-{c.lower()}", "country": c, "offers": offers[s]}
            for s, c in enumerate(countries)]  # fmt: skip


def reach(items: Items, vendors: list[Doc], qualified: Qualified, countries: list[str]) -> tuple[int, int, int]:
    """``(ready, fastest, slowest)`` ordering in week 1, leaves on their primary offers: the week the last leaf
    reaches the factories using it, and the first week every rack can reach a site on its fastest route (as
    :func:`rackforge.supply.diagnose.earliest_at_factories` reckons) and on its slowest route between the
    factories qualified at each level."""
    hop = np.array([[0 if a == b else transit(countries[a], countries[b]) for b in range(len(countries))]
                    for a in range(len(countries))])  # fmt: skip
    bought = {o["part"]: np.array([1.0 + o["lead_time_weeks"] + transit(v["country"], c) for c in countries])
              for v in vendors for o in v["offers"] if "capacity_per_week" not in o}  # fmt: skip
    drawn = users(items, qualified)
    ready = max(int(weeks[sorted(drawn[p])].max()) for p, weeks in bought.items())
    to_site = np.array([transit(c, "US") for c in countries])
    fastest, slowest = (_arrival(items, bought, qualified, hop, to_site, pick) for pick in (np.min, np.max))
    return ready, fastest, slowest


def _arrival(items: Items, bought: dict[str, np.ndarray], qualified: Qualified, hop: np.ndarray,
             to_site: np.ndarray, pick: Any) -> int:  # fmt: skip
    """The week the last rack reaches a site, each assembly moved from the factory ``pick`` (``np.min``,
    ``np.max``) chooses among those qualified for it; ``stock[i][g]`` is when ``i`` can be in stock at ``g``."""
    stock = dict(bought)
    done: dict[str, np.ndarray] = {}
    for i, x in items.items():
        if "bom" in x:
            at = qualified[i]
            done[i] = np.max([stock[c["part"]][at] for c in x["bom"]], axis=0) + x["lead_time_weeks"]
            stock[i] = pick(done[i][:, None] + hop[at], axis=0)
    return int(max(pick(done[r] + to_site[qualified[r]]) for r in items if r.startswith("syn-rack-")))


def site(rng: Rng, k: int, first: int, weeks: int) -> Doc:
    """A site deploying weekly or fortnightly from ``first`` to the last week, wave shares ramping up."""
    span = np.arange(min(first, weeks), weeks + 1, int(rng.choice((1, 2))))
    rising = max(1, round(span.size * float(rng.uniform(0.3, 0.6))))
    weight = np.minimum(np.arange(1, span.size + 1), rising).astype(float)
    exact = (SHARE_UNITS - span.size) * weight / weight.sum()
    units = np.floor(exact).astype(int)
    units[np.argsort(units - exact, kind="stable")[: SHARE_UNITS - span.size - units.sum()]] += 1
    waves = [{"week": int(w), "share": float(n + 1) / SHARE_UNITS} for w, n in zip(span, units, strict=True)]
    return {"name": f"dc-{PLACES[k]}", "pue": round(float(rng.uniform(1.15, 1.35)), 2), "waves": waves}


def rates(items: Items, racks: dict[tuple[int, str], int], sites: list[Doc], path: int, qualified: Qualified,
          factories: int) -> list[dict[str, float]]:  # fmt: skip
    """Units a week each factory's line of each family builds so that every wave, of all sites together, is met:
    ``1 + max_w Σ_p due_p(w) / |Q_p| / max(2, w - path + 2)`` over the assemblies ``p`` qualified there."""
    weeks = np.array(sorted({w["week"] for s in sites for w in s["waves"]}))
    made = list(qualified)
    due = np.zeros((len(made), weeks.size))
    for k, s in enumerate(sites):
        needs = need(items, {key: n for key, n in racks.items() if key[0] == k})
        cumulative = np.array([sum(x["share"] for x in s["waves"] if x["week"] <= w) for w in weeks])
        due += np.outer([needs.get(p, 0.0) / len(qualified[p]) for p in made], cumulative)
    per_week = due / np.maximum(2, weeks - path + 2)
    out: list[dict[str, float]] = [dict.fromkeys(FAMILIES, 1.0) for _ in range(factories)]
    for family in FAMILIES:
        rows = [j for j, p in enumerate(made) if items[p]["family"] == family]
        for g in range(factories):
            mine = [j for j in rows if g in qualified[made[j]]]
            out[g][family] += float(per_week[mine].sum(axis=0).max()) if mine else 0.0
    return out


def lanes(rng: Rng, items: Items, plants: list[Doc], vendors: list[Doc], qualified: Qualified) -> list[Doc]:
    """Suppliers to the factories using their parts (about USD 2 a unit) and factories to those building a
    parent of what they build (USD 20-200)."""
    drawn = users(items, qualified)
    pairs = [(v, plants[g], round(float(rng.lognormal(np.log(2.0), 0.6)), 2))
             for v in vendors for g in sorted(set().union(*(drawn[o["part"]] for o in v["offers"])))]  # fmt: skip
    moves = sorted({(f, g) for i, at in qualified.items() for f in at for g in drawn.get(i, ()) if f != g})
    pairs += [(plants[f], plants[g], round(float(rng.uniform(20, 200)))) for f, g in moves]
    return [_lane(a, b, cost) for a, b, cost in pairs]


def site_lanes(rng: Rng, plants: list[Doc], sites: list[Doc], racks: dict[tuple[int, str], int],
               qualified: Qualified) -> list[Doc]:  # fmt: skip
    """Factories qualified for a rack to each site deploying it (USD 800-4,000 a unit)."""
    out = []
    for k, s in enumerate(sites):
        for g in sorted({g for (at, sid) in racks if at == k for g in qualified[sid]}):
            out.append(_lane(plants[g], {**s, "country": "US"}, round(float(rng.uniform(800, 4000)))))
    return out


def _lane(a: Doc, b: Doc, cost: float) -> Doc:
    return {"from": a["name"], "to": b["name"], "transit_weeks": transit(a["country"], b["country"]),
            "cost_per_unit_usd": cost}  # fmt: skip


def network(rng: Rng, items: Items, racks: dict[tuple[int, str], int], sizes: tuple[int, int, int]) -> Doc:
    """``sites``, ``facilities``, ``suppliers`` and ``lanes`` of the programme structure for ``sizes``
    (factories, suppliers, weeks)."""
    factories, count, weeks = sizes
    countries = ["US", *(str(c) for c in rng.choice(("US", "MX", "TW"), factories - 1, p=(0.8, 0.12, 0.08)))]
    lined = homes(rng, factories)
    qualified = qualify(rng, items, lined)
    vendors = suppliers(rng, items, need(items, racks), count)
    ready, fastest, path = reach(items, vendors, qualified, countries)
    first = fastest + MARGIN_WEEKS
    starts = [first, *(first + int(rng.integers(0, max(1, (weeks - first) // 4 + 1))) for _ in range(max(racks)[0]))]
    sites = [site(rng, k, start, weeks) for k, start in enumerate(starts)]
    rate = rates(items, racks, sites, path, qualified, factories)
    plants = []
    for g, country in enumerate(countries):
        mine = [i for i, at in qualified.items() if g in at]
        families = [f for f in FAMILIES if any(items[i]["family"] == f for i in mine)]
        families = families or [f for f in FAMILIES if g in lined[f]]
        plants.append(facility(rng, g, country, rate[g], ready, families, mine))
    lanes_ = lanes(rng, items, plants, vendors, qualified) + site_lanes(rng, plants, sites, racks, qualified)
    return {"sites": sites, "facilities": plants, "suppliers": vendors, "lanes": lanes_}

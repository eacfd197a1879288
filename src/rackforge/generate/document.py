"""The scenario document: the shared catalog and clusters, a structure's network, the developer's stock."""

from __future__ import annotations

import math
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from ruamel.yaml import YAML

from rackforge.generate import programme
from rackforge.generate.parts import FAMILIES, START, Doc, assemblies, clusters, leaves, system
from rackforge.generate.simple import network as simple_network
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size

SIMPLE_RACKS = (8, 33)


def generate(parts: int, facilities: int, suppliers: int, weeks: int, seed: int, simple: bool = False) -> Doc:
    """A valid scenario mapping (the YAML document) of a synthetic programme; same seed, same document.

    Parameters
    ----------
    parts, facilities, suppliers
        Bought leaf parts (>= 6, one per family), factories (>= 1) and suppliers (1 to ``parts``).
    weeks
        Planning horizon (weeks, >= 20).
    seed
        Seed of the :class:`numpy.random.Generator`.
    simple
        The first generator's structure, byte for byte (:mod:`rackforge.generate.simple`): every factory of a
        family qualified for all its assemblies, blanket lanes, two or three late waves per site. The default
        is the programme structure (:mod:`rackforge.generate.programme`).

    Raises
    ------
    ValueError
        When a size is out of range.
    """
    if parts < len(FAMILIES) or facilities < 1 or not 1 <= suppliers <= parts or weeks < 20:
        raise ValueError("need parts >= 6, facilities >= 1, 1 <= suppliers <= parts and weeks >= 20")
    rng = np.random.default_rng(seed)
    tag = {"source": f"generated (seed {seed})", "confidence": "E"}
    bought = leaves(rng, parts, int(np.clip(0.6 * weeks - 16, 2, 40)), tag)
    made = assemblies(rng, bought, count := int(rng.integers(2, 4)), tag)
    items = {x["id"]: x for x in [*bought, *made, *(system(rng, s, made, tag) for s in range(count))]}
    racks = clusters(rng, list(items)[-count:], int(rng.integers(2, 5)), SIMPLE_RACKS if simple else programme.RACKS)
    build = simple_network if simple else programme.network
    net = build(rng, items, racks, (facilities, suppliers, weeks))
    sites = net["sites"]
    deployed = [{"name": f"{sites[k]['name']}-{sid}", "site": sites[k]["name"], "system": sid, "count": n}
                for (k, sid), n in racks.items()]  # fmt: skip
    catalog = {"parts": [x for x in items.values() if "accelerator" not in x],
               "systems": [x for x in items.values() if "accelerator" in x]}  # fmt: skip
    doc = {"name": f"generated-p{parts}-f{facilities}-s{suppliers}-w{weeks}-seed{seed}",
           "description": f"Synthetic programme from rackforge.generate (seed {seed}).", "start": START,
           "horizon_weeks": weeks, "catalog": catalog, "clusters": deployed, **net}  # fmt: skip
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

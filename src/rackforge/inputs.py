"""A scenario together with the catalog it refers to, checked against each other."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rackforge.catalog import Catalog, load_catalog
from rackforge.catalog.importer import import_located
from rackforge.catalog.load import Source
from rackforge.errors import InputError, Problem
from rackforge.scenario import CatalogFile, Locator, Scenario, load_scenario, load_scenario_text
from rackforge.validation import suggest


@dataclass(frozen=True)
class Inputs:
    """A validated scenario, its catalog, and the file it came from."""

    scenario: Scenario
    catalog: Catalog
    file: str
    locate: Locator

    def place(self, exc: InputError) -> InputError:
        """``exc`` (raised by a stage with scenario-relative key paths) placed in the scenario file."""
        return exc.located(self.file, self.locate)


def bundled_scenario() -> Path:
    """The example scenario shipped with the package."""
    return Path(str(resources.files("rackforge") / "examples" / "campus-1gw.yaml"))


def load_inputs(path: str | Path) -> Inputs:
    """Load ``path``, build its catalog and check every catalog id it names.

    Raises
    ------
    InputError
        With every problem found, each placed at its file, line and column.
    """
    scenario, locate = load_scenario(path)
    imports = [_imported(path, i, f, scenario, locate) for i, f in enumerate(scenario.catalog_files)]
    return _checked(scenario, locate, str(path), imports)


def load_text(text: str, name: str) -> Inputs:
    """:func:`load_inputs` of a scenario ``text`` received under the label ``name`` (the web application's):
    it may name no files (``catalog_files``), since it has no folder to read them from.

    Raises
    ------
    InputError
        With every problem found, each placed at its line and column of ``name``.
    """
    scenario, locate = load_scenario_text(text, name)
    if scenario.catalog_files:
        what = "a scenario sent to the server may not name files on it"
        fix = "put the catalog data in the scenario's `catalog` section, or plan it from the command line"
        raise InputError(Problem(("catalog_files",), what, fix)).located(name, locate)
    return _checked(scenario, locate, name, [])


def _checked(scenario: Scenario, locate: Locator, name: str, imports: list[Source]) -> Inputs:
    catalog = load_catalog(scenario.catalog, name, locate, imports)
    problems = list(reference_problems(scenario, catalog))
    if problems:
        raise InputError(problems).located(name, locate)
    return Inputs(scenario, catalog, name, locate)


def _imported(path: str | Path, index: int, entry: CatalogFile, scenario: Scenario, locate: Locator) -> Source:
    """Import one ERP file named by the scenario; a missing file is placed at its scenario key."""
    target = Path(path).parent / entry.file
    if not target.is_file():
        what = f"no such file `{entry.file}` next to the scenario"
        problem = Problem(("catalog_files", index, "file"), what, "give the path relative to the scenario file")
        raise InputError(problem).located(str(path), locate)
    imp = import_located(target, entry.kind, sheet=entry.sheet, today=scenario.start)
    return imp.catalog, imp.file, imp.locate


def _unknown(key: tuple[str | int, ...], kind: str, bad: str, known: Iterable[str]) -> Problem:
    return Problem(key, f"unknown {kind} `{bad}`", suggest(bad, list(known), f"{kind} ids"))


def offer_parts(s: Scenario, c: Catalog) -> Iterator[Problem]:
    """Every supplier offer names a catalog item (an unknown part would be dropped from the plan unseen)."""
    for i, sup in enumerate(s.suppliers):
        for j, offer in enumerate(sup.offers):
            if offer.part not in c.items:
                yield _unknown(("suppliers", i, "offers", j, "part"), "part", offer.part, c.items)


def qualified_items(s: Scenario, c: Catalog) -> Iterator[Problem]:
    """Every id a facility is qualified for is a catalog assembly of a family the facility has a line for."""
    assemblies = [i for i, item in c.items.items() if item.bom]
    for i, fac in enumerate(s.facilities):
        lined = {line.family for line in fac.lines}
        for k, item_id in enumerate(fac.qualified or ()):
            key = ("facilities", i, "qualified", k)
            item = c.items.get(item_id)
            if item is None:
                yield _unknown(key, "assembly", item_id, assemblies)
            elif not item.bom:
                fix = "list assemblies only (items with a `bom`); parts are bought on supplier offers"
                yield Problem(key, f"`{item_id}` is a bought part, not an assembly", fix)
            elif item.family not in lined:
                what = f"`{item_id}` is a {item.family} assembly and `{fac.name}` has no {item.family} line"
                yield Problem(key, what, f"add a line of family {item.family} to `{fac.name}` or remove `{item_id}`")


def reference_problems(s: Scenario, c: Catalog) -> Iterator[Problem]:
    """Unknown accelerator, system, switch, on-hand, offered and qualified ids; a system that does not hold the
    workload's accelerator; a qualified id that is no assembly of the facility's lines."""
    for i, w in enumerate(s.workloads):
        if w.accelerator not in c.accelerators:
            yield _unknown(("workloads", i, "accelerator"), "accelerator", w.accelerator, c.accelerators)
            continue
        peaks = c.accelerators[w.accelerator].dense_tflops
        if w.precision not in peaks:
            what = f"`{w.accelerator}` has no {w.precision} tensor peak"
            yield Problem(("workloads", i, "precision"), what, f"use one of: {', '.join(sorted(peaks))}")
        elif w.system is not None and w.system not in c.systems:
            yield _unknown(("workloads", i, "system"), "system", w.system, c.systems)
        elif w.system is not None and c.systems[w.system].accelerator != w.accelerator:
            held = c.systems[w.system].accelerator
            fix = f"use `accelerator: {held}` or a system built on `{w.accelerator}`"
            yield Problem(("workloads", i, "system"), f"system `{w.system}` holds `{held}`, not `{w.accelerator}`", fix)
    for i, cl in enumerate(s.clusters):
        if cl.system not in c.systems:
            yield _unknown(("clusters", i, "system"), "system", cl.system, c.systems)
    for i, site in enumerate(s.sites):
        for item, qty in site.on_hand.items():
            if item not in c.items:
                yield _unknown(("sites", i, "on_hand", item), "item", item, c.items)
            elif qty < 0:
                yield Problem(("sites", i, "on_hand", item), f"negative quantity {qty:g}", "use 0 or more units")
        for net, fabric in (("fabric", site.fabric), ("storage", site.storage)):
            if fabric is not None and fabric.switch not in c.switches:
                yield _unknown(("sites", i, net, "switch"), "switch", fabric.switch, c.switches)
    yield from offer_parts(s, c)
    yield from qualified_items(s, c)
    yield from risk_names(s)


def risk_names(s: Scenario) -> Iterator[Problem]:
    """Every ``risk.overrides`` key names a supplier, facility, lane (``FROM->TO``) or offer (``SUPPLIER/PART``)
    of the scenario (a misspelt name would leave the defaults in force unseen)."""
    names = {x.name for x in s.suppliers} | {x.name for x in s.facilities}
    names |= {f"{lane.origin}->{lane.to}" for lane in s.lanes}
    names |= {f"{sup.name}/{o.part}" for sup in s.suppliers for o in sup.offers}
    for key in s.risk.overrides:
        if key not in names and not key.startswith("catalog:"):
            what = f"`{key}` is no supplier, facility, lane `FROM->TO` or offer `SUPPLIER/PART` of the scenario"
            yield Problem(("risk", "overrides", key), what, suggest(key, sorted(names), "names"))

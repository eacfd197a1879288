"""Integrity rules over a whole catalog, one function per rule.

Each rule yields ``(item_id, key, what, fix)``; the loader places it in the file
the item came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from rackforge.catalog.models import Accelerator, Item, System
from rackforge.validation import suggest

Finding = tuple[str, tuple[str | int, ...], str, str]
Rule = Callable[[Mapping[str, Item]], Iterator[Finding]]


def bom_children_exist(items: Mapping[str, Item]) -> Iterator[Finding]:
    """Every BOM line names an item of the catalog."""
    for item in items.values():
        for j, line in enumerate(item.bom):
            if line.part not in items:
                yield (
                    item.id,
                    ("bom", j, "part"),
                    f"unknown part `{line.part}`",
                    suggest(line.part, items, "catalog ids"),
                )


def leaves_have_prices(items: Mapping[str, Item]) -> Iterator[Finding]:
    """A leaf item (no children) carries a unit cost."""
    for item in items.values():
        if not item.bom and item.unit_cost_usd is None:
            yield item.id, ("unit_cost_usd",), "a leaf part has no price", "add `unit_cost_usd` or a `bom`"


def system_references(items: Mapping[str, Item]) -> Iterator[Finding]:
    """Systems name an existing accelerator and rack kit; accelerators an existing default system."""
    for item in items.values():
        if isinstance(item, System):
            if not isinstance(items.get(item.accelerator), Accelerator):
                yield (
                    item.id,
                    ("accelerator",),
                    f"unknown accelerator `{item.accelerator}`",
                    _fix(item.accelerator, items, Accelerator),
                )
            if item.rack_kit is not None and item.rack_kit not in items:
                yield (
                    item.id,
                    ("rack_kit",),
                    f"unknown rack kit `{item.rack_kit}`",
                    suggest(item.rack_kit, items, "catalog ids"),
                )
        if isinstance(item, Accelerator):
            system = items.get(item.default_system)
            if not isinstance(system, System):
                yield (
                    item.id,
                    ("default_system",),
                    f"unknown system `{item.default_system}`",
                    _fix(item.default_system, items, System),
                )
            elif system.accelerator != item.id:
                yield (
                    item.id,
                    ("default_system",),
                    f"system `{system.id}` holds `{system.accelerator}`, not `{item.id}`",
                    "name a system built on this accelerator",
                )


def _fix(bad: str, items: Mapping[str, Item], kind: type[Item]) -> str:
    return suggest(bad, [i for i, x in items.items() if isinstance(x, kind)], f"{kind.__name__.lower()} ids")


def no_cycles(items: Mapping[str, Item]) -> Iterator[Finding]:
    """The BOM graph is acyclic; a cycle is reported once, with its members in order."""
    state: dict[str, int] = {}
    for root in sorted(items):
        cycle = _find_cycle(root, items, state, [])
        if cycle:
            path = " -> ".join(cycle)
            yield cycle[0], ("bom",), f"the bill of materials has a cycle: {path}", "remove one of these BOM lines"
            return


def _find_cycle(node: str, items: Mapping[str, Item], state: dict[str, int], stack: list[str]) -> list[str]:
    """Depth-first search; ``state`` is 1 while on the stack and 2 when done."""
    if state.get(node) == 2 or node not in items:
        return []
    if state.get(node) == 1:
        return [*stack[stack.index(node) :], node]
    state[node] = 1
    stack.append(node)
    for line in items[node].bom:
        found = _find_cycle(line.part, items, state, stack)
        if found:
            return found
    stack.pop()
    state[node] = 2
    return []


RULES: tuple[Rule, ...] = (bom_children_exist, leaves_have_prices, system_references, no_cycles)


def check(items: Mapping[str, Item]) -> list[Finding]:
    """Apply every rule."""
    return [f for rule in RULES for f in rule(items)]

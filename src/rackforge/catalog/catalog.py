"""The validated catalog: read-only maps of items by kind, and parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from rackforge.catalog.models import Accelerator, Item, Parameter, Switch, System


@dataclass(frozen=True)
class Catalog:
    """Every item by id (``items``), typed views by kind, and sourced parameters."""

    items: Mapping[str, Item]
    parameters: Mapping[str, Parameter]

    @classmethod
    def build(cls, items: Mapping[str, Item], parameters: Mapping[str, Parameter]) -> Catalog:
        """Freeze the given maps (sorted by id for stable output)."""
        return cls(
            MappingProxyType(dict(sorted(items.items()))),
            MappingProxyType(dict(sorted(parameters.items()))),
        )

    def _of(self, kind: type[Item]) -> dict[str, Item]:
        return {k: v for k, v in self.items.items() if type(v) is kind}

    @property
    def accelerators(self) -> Mapping[str, Accelerator]:
        """Accelerators by id."""
        return self._of(Accelerator)  # type: ignore[return-value]

    @property
    def systems(self) -> Mapping[str, System]:
        """Systems by id."""
        return self._of(System)  # type: ignore[return-value]

    @property
    def switches(self) -> Mapping[str, Switch]:
        """Switches by id."""
        return self._of(Switch)  # type: ignore[return-value]

    @property
    def parts(self) -> Mapping[str, Item]:
        """Plain parts and assemblies by id."""
        return self._of(Item)

    def param(self, key: str) -> float:
        """The value of parameter ``key``."""
        return self.parameters[key].value

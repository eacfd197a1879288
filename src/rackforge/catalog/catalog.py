"""The validated catalog: read-only maps of items by kind, and parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from rackforge.catalog.models import Accelerator, ContentRule, Item, Parameter, Switch, System, TariffRule


@dataclass(frozen=True)
class Catalog:
    """Every item by id (``items``), typed views by kind, and sourced parameters."""

    items: Mapping[str, Item]
    parameters: Mapping[str, Parameter]
    tariffs: tuple[TariffRule, ...] = ()
    content_rules: tuple[ContentRule, ...] = ()

    @classmethod
    def build(
        cls,
        items: Mapping[str, Item],
        parameters: Mapping[str, Parameter],
        tariffs: Mapping[str, TariffRule] | None = None,
        content_rules: Mapping[str, ContentRule] | None = None,
    ) -> Catalog:
        """Freeze the given maps (sorted by id for stable output)."""
        return cls(
            MappingProxyType(dict(sorted(items.items()))),
            MappingProxyType(dict(sorted(parameters.items()))),
            tuple(v for _, v in sorted((tariffs or {}).items())),
            tuple(v for _, v in sorted((content_rules or {}).items())),
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

    def threshold(self, regime: str, year: int) -> float | None:
        """The domestic-content threshold of ``regime`` for deliveries in ``year``, if any rule covers it."""
        return next((r.threshold for r in self.content_rules if r.covers(regime, year)), None)

    def param(self, key: str) -> float:
        """The value of parameter ``key``."""
        return self.parameters[key].value

    def with_values(self, values: Mapping[str, float], source: str) -> Catalog:
        """A copy with the values of existing parameters replaced (each citing ``source``)."""
        changed = {k: self.parameters[k].model_copy(update={"value": v, "source": source}) for k, v in values.items()}
        return replace(self, parameters=MappingProxyType({**self.parameters, **changed}))

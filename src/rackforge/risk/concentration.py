"""Supply concentration of a plan: sole sources, spend shares per family, cost exposure by country and tariff
regime, and the single losses that stop an end product outright.

Amounts are USD; a share is a fraction, and the shares of one table sum to 1.

* **Spend** of a purchase is its quantity × unit price (duty and freight excluded). Without a plan, the
  bill of materials' leaf cost (quantity × catalog price, at the catalog origin) stands in for it.
* A **part** is a leaf item the sites' deliveries reach. It is *single-sourced* when its offers name one
  supplier and *single-country* when they name one country (so every single-sourced part is
  single-country). ``catalog:<origin>`` is the catalog's stand-in supplier where the scenario names none.
* Per product family φ of the purchased parts, with ``s_i`` supplier ``i``'s share of φ's spend, the
  Herfindahl–Hirschman index is ``HHI = Σ_i (100·s_i)²`` on 0–10,000 (likewise for countries). A family
  is *concentrated* when its HHI is above the catalog parameter ``risk_hhi_concentrated``.
* The **tariff regime** of a purchase is the set of legal programs (MFN, Section 301, Section 232, ...;
  one program's lists and reviews count as one) whose catalog rules with a positive rate apply to the
  part's HTS code and country on the order date, joined with ``" + "`` where duties stack. An import no
  such rule covers is ``none/duty-free``; a US-made part is ``US`` (no import).
* A **loss** (one facility with all its lines, one supplier with all its offers, or one lane listed in
  the scenario) *stops* an end product (a top-level item delivered to a site) outright when the product
  can be made and delivered with nothing lost and cannot after the loss, capacity, lead times and the
  horizon aside (:mod:`rackforge.risk.stops`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from rackforge.bom import BillOfMaterials, week_date
from rackforge.catalog import Catalog
from rackforge.risk.stops import EndProduct, Loss, losses
from rackforge.supply.data import SupplyData
from rackforge.supply.result import Purchase, SupplyPlan

DOMESTIC = "US"
DUTY_FREE = "none/duty-free"
_PROGRAM = re.compile(r"^(MFN|Section \d+)\b")


@dataclass(frozen=True)
class Share:
    """One holder's part of a total: ``usd`` of it and ``share`` (fraction of the table's total)."""

    name: str
    usd: float
    share: float


@dataclass(frozen=True)
class SoleSource:
    """A part whose offers name one country (``countries``), and perhaps one supplier (``suppliers``);
    ``spend_usd`` is the plan's spend on it (``None`` without a plan), ``bom_cost_usd`` its BOM leaf cost."""

    part: str
    family: str
    suppliers: tuple[str, ...]
    countries: tuple[str, ...]
    spend_usd: float | None
    bom_cost_usd: float

    @property
    def single_supplier(self) -> bool:
        """Exactly one supplier can sell the part."""
        return len(self.suppliers) == 1

    @property
    def single_country(self) -> bool:
        """Every offer on the part comes from one country."""
        return len(self.countries) == 1


@dataclass(frozen=True)
class FamilyConcentration:
    """Spend on the parts of one product family (USD), its shares by supplier and by country (largest
    first), their HHI (0–10,000) and whether each HHI is above the concentration threshold."""

    family: str
    spend_usd: float
    suppliers: tuple[Share, ...]
    countries: tuple[Share, ...]
    hhi_suppliers: float
    hhi_countries: float
    suppliers_concentrated: bool
    countries_concentrated: bool


@dataclass(frozen=True)
class Concentration:
    """Result of :func:`concentration`. ``basis`` is ``"plan"`` when spend comes from the plan's purchases,
    ``"bom"`` when from the bill of materials (no plan); ``families`` is empty without a plan (who is paid
    is not known); ``losses`` holds the losses that stop at least one end product, most stopped first;
    ``unreachable`` the end products no path makes even with nothing lost."""

    basis: str
    hhi_threshold: float
    sole_sources: tuple[SoleSource, ...]
    families: tuple[FamilyConcentration, ...]
    countries: tuple[Share, ...]
    regimes: tuple[Share, ...]
    losses: tuple[Loss, ...]
    unreachable: tuple[EndProduct, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (plain types; single-supplier and single-country flags spelled out)."""
        return {
            "basis": self.basis,
            "hhi_threshold": self.hhi_threshold,
            "sole_sources": [
                asdict(s) | {"single_supplier": s.single_supplier, "single_country": s.single_country}
                for s in self.sole_sources
            ],
            "families": [asdict(f) for f in self.families],
            "countries": [asdict(s) for s in self.countries],
            "regimes": [asdict(s) for s in self.regimes],
            "losses": [asdict(x) | {"kind": str(x.kind)} for x in self.losses],
            "unreachable": [asdict(x) for x in self.unreachable],
        }


def concentration(data: SupplyData, catalog: Catalog, bom: BillOfMaterials, plan: SupplyPlan | None) -> Concentration:
    """Sole sources, family shares and HHI, country and tariff-regime exposure, and stopping losses of the
    supply network ``data``, weighted by the spend of ``plan`` (by the BOM's cost without a plan)."""
    threshold = catalog.param("risk_hhi_concentrated")
    purchases = plan.purchases if plan is not None and plan.has_plan else None
    spent = _spend_rows(purchases, data.start) if purchases is not None else _bom_rows(bom, catalog, data.start)
    stopping, unreachable = losses(data)
    return Concentration(
        basis="bom" if purchases is None else "plan",
        hhi_threshold=threshold,
        sole_sources=sole_sources(data, catalog, bom, purchases),
        families=() if purchases is None else family_concentration(purchases, catalog, threshold),
        countries=shares((country, usd) for _, country, _, usd in spent),
        regimes=shares((regime(catalog, part, country, day), usd) for part, country, day, usd in spent),
        losses=stopping,
        unreachable=unreachable,
    )


def hhi(fractions: Iterable[float]) -> float:
    """Herfindahl–Hirschman index ``Σ (100·s)²`` of shares ``s`` (fractions), on 0–10,000."""
    return float(sum((100.0 * s) ** 2 for s in fractions))


def shares(amounts: Iterable[tuple[str, float]]) -> tuple[Share, ...]:
    """Amounts (USD) summed by name, as shares of their total, largest first (empty for a zero total)."""
    total: dict[str, float] = defaultdict(float)
    for name, usd in amounts:
        total[name] += usd
    whole = sum(total.values())
    if whole <= 0:
        return ()
    ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Share(name, usd, usd / whole) for name, usd in ranked if usd > 0)


def family_concentration(
    purchases: Iterable[Purchase], catalog: Catalog, threshold: float
) -> tuple[FamilyConcentration, ...]:
    """Supplier and country shares of spend and their HHI per family of the purchased part."""
    by_family: dict[str, list[Purchase]] = defaultdict(list)
    for p in purchases:
        by_family[catalog.items[p.part].family].append(p)
    out = []
    for family, bought in sorted(by_family.items()):
        suppliers = shares((p.supplier, _spend(p)) for p in bought)
        countries = shares((p.country, _spend(p)) for p in bought)
        if not suppliers:
            continue
        h_s, h_c = hhi(s.share for s in suppliers), hhi(s.share for s in countries)
        out.append(
            FamilyConcentration(
                family=family,
                spend_usd=sum(s.usd for s in suppliers),
                suppliers=suppliers,
                countries=countries,
                hhi_suppliers=h_s,
                hhi_countries=h_c,
                suppliers_concentrated=h_s > threshold,
                countries_concentrated=h_c > threshold,
            )
        )
    return tuple(out)


def sole_sources(
    data: SupplyData, catalog: Catalog, bom: BillOfMaterials, purchases: Iterable[Purchase] | None
) -> tuple[SoleSource, ...]:
    """The parts of ``data`` whose offers name one country (single-sourced ones among them), largest
    spend (BOM cost without a plan) first."""
    suppliers: dict[int, set[str]] = defaultdict(set)
    countries: dict[int, set[str]] = defaultdict(set)
    for off in data.offers:
        suppliers[off.part].add(off.supplier)
        countries[off.part].add(off.country)
    spend: dict[str, float] | None = None
    if purchases is not None:
        spend = defaultdict(float)
        for p in purchases:
            spend[p.part] += _spend(p)
    cost = {line.part: line.extended_cost_usd for line in bom.lines}
    out = [
        SoleSource(
            part=item,
            family=catalog.items[item].family,
            suppliers=tuple(sorted(suppliers[j])),
            countries=tuple(sorted(countries[j])),
            spend_usd=None if spend is None else spend.get(item, 0.0),
            bom_cost_usd=cost.get(item, 0.0),
        )
        for j, item in enumerate(data.items)
        if not data.assembly[j] and len(countries[j]) == 1
    ]
    return tuple(sorted(out, key=lambda s: (-(s.spend_usd if s.spend_usd is not None else s.bom_cost_usd), s.part)))


def regime(catalog: Catalog, part: str, country: str, day: dt.date) -> str:
    """The tariff regime of ``part`` bought from ``country`` on ``day`` (see the module docstring)."""
    if country == DOMESTIC:
        return DOMESTIC
    hts = catalog.items[part].hts
    programs = {_program(r.program) for r in catalog.tariffs if r.rate > 0 and r.applies(hts, country, day)}
    return " + ".join(sorted(programs)) or DUTY_FREE


def _program(name: str) -> str:
    """A rule's legal program: ``MFN`` or ``Section <n>`` where it names one, else its name before any
    parenthesis or comma."""
    found = _PROGRAM.match(name)
    return found.group(1) if found else re.split(r"[(,]", name)[0].strip()


def _spend(p: Purchase) -> float:
    return p.quantity * p.unit_price_usd


Row = tuple[str, str, dt.date, float]


def _spend_rows(purchases: Iterable[Purchase], start: dt.date) -> list[Row]:
    """``(part, country, order date, spend USD)`` of every purchase."""
    return [(p.part, p.country, week_date(start, p.order_week), _spend(p)) for p in purchases]


def _bom_rows(bom: BillOfMaterials, catalog: Catalog, start: dt.date) -> list[Row]:
    """``(part, catalog origin, need-by date, cost USD)`` of every weekly requirement of a leaf part."""
    price = {line.part: (line.unit_cost_usd, line.origin) for line in bom.lines}
    return [
        (d.part, price[d.part][1], week_date(start, d.week), d.quantity * price[d.part][0])
        for d in bom.demand
        if d.kind == "buy" and d.part in price
    ]

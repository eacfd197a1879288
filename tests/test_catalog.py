"""The built-in catalog: complete, sourced, internally consistent; scenario extensions work."""

from __future__ import annotations

import pytest

from rackforge.bom import BomMatrix
from rackforge.catalog import load_catalog
from rackforge.errors import InputError

DESIGN_IDS = {
    "accelerators": ["a100-sxm", "h100-sxm", "h200-sxm", "b200", "gb200", "gb300", "mi300x", "mi355x"],
    "systems": ["dgx-a100", "dgx-h100", "dgx-h200", "dgx-b200", "dgx-b300", "gb200-nvl72", "gb300-nvl72"],
    "switches": ["qm9700", "q3400", "sn5600"],
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_fixed_ids_present(catalog) -> None:
    for kind, ids in DESIGN_IDS.items():
        assert set(ids) <= set(getattr(catalog, kind)), kind


def test_every_record_is_sourced(catalog) -> None:
    for item in catalog.items.values():
        assert item.source.strip(), item.id
    for param in catalog.parameters.values():
        assert param.source.strip(), param.id


def test_bom_families_needed_are_present(catalog) -> None:
    families = {item.family for item in catalog.items.values()}
    assert families == {"compute", "racks", "cables", "networking", "power", "cooling"}
    media = {item.medium for item in catalog.parts.values() if item.medium}
    assert {"dac", "acc", "mmf", "smf"} <= media


def test_dense_not_sparse_peaks(catalog) -> None:
    """NVIDIA pages quote 2:4-sparse TFLOPS; the catalog holds dense = half (hardware-facts §0)."""
    assert catalog.accelerators["h100-sxm"].dense_tflops["bf16"] == pytest.approx(989, rel=0.01)
    assert catalog.accelerators["a100-sxm"].dense_tflops["bf16"] == pytest.approx(312, rel=0.01)
    assert catalog.accelerators["b200"].dense_tflops["fp8"] == pytest.approx(4500, rel=0.01)
    assert catalog.accelerators["gb200"].dense_tflops["bf16"] == pytest.approx(2500, rel=0.01)


def test_systems_hold_their_accelerators(catalog) -> None:
    for acc in catalog.accelerators.values():
        assert catalog.systems[acc.default_system].accelerator == acc.id
    nvl = catalog.systems["gb200-nvl72"]
    assert (nvl.accelerators, nvl.form, nvl.scale_up_domain) == (72, "rack", 72)


@pytest.mark.parametrize("system", ["gb200-nvl72", "gb300-nvl72", "dgx-h100", "dgx-b200"])
def test_system_bom_holds_its_accelerators(catalog, system: str) -> None:
    """Exploding one system yields exactly its accelerator count of accelerator packages."""
    matrix = BomMatrix.of(catalog)
    s = catalog.systems[system]
    need = matrix.explode(matrix.vector({system: 1}))
    assert need[matrix.index[s.accelerator]] == s.accelerators


def test_nvl72_rack_structure(catalog) -> None:
    """18 compute trays, 9 NVLink switch trays, 8 x 33 kW power shelves (S34, S36)."""
    matrix = BomMatrix.of(catalog)
    need = matrix.explode(matrix.vector({"gb200-nvl72": 1}))
    kinds = {i: need[matrix.index[i]] for i in matrix.ids if need[matrix.index[i]]}
    shelves = [i for i in kinds if catalog.items[i].family == "power" and catalog.items[i].capacity_kw == 33]
    assert shelves
    assert sum(kinds[i] for i in shelves) == 8
    assert any("compute-tray" in i and kinds[i] == 18 for i in kinds)
    assert any("nvlink-switch-tray" in i and kinds[i] == 9 for i in kinds)


def test_scenario_override_and_addition() -> None:
    extension = {
        "accelerators": [{"id": "h100-sxm", "unit_cost_usd": 1.0, "source": "test quote"}],
        "parts": [{"id": "my-bracket", "name": "Bracket", "family": "racks", "unit_cost_usd": 3.0,
                   "origin": "US", "source": "drawing 42", "confidence": "E"}],
    }  # fmt: skip
    c = load_catalog(extension)
    assert c.accelerators["h100-sxm"].unit_cost_usd == 1.0
    assert c.accelerators["h100-sxm"].hbm_gb == load_catalog().accelerators["h100-sxm"].hbm_gb
    assert c.items["my-bracket"].origin == "US"


def test_bad_extension_lists_every_problem() -> None:
    extension = {"parts": [{"id": "x", "name": "X", "family": "racks", "source": "s", "confidence": "Z"}]}
    with pytest.raises(InputError) as info:
        load_catalog(extension)
    text = str(info.value)
    assert "confidence" in text

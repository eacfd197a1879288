"""The plan document's models (:mod:`rackforge.api.documents`) hold real plans: as ``plan.json`` writes them,
as the store keeps them and as another organization reads them, every stage present or absent."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from rackforge.api.documents import CauseName, GroupKindName, PlanDocument, StageName
from rackforge.api.redact import CATALOG_PRICED, PLAN_FIGURES, redact_document
from rackforge.inputs import bundled_scenario, load_inputs
from rackforge.pipeline import STAGES, run_plan
from rackforge.risk.network import GroupKind
from rackforge.store.figures import storable
from rackforge.supply.limits import Cause
from tests.test_supply import SMALL

PORTFOLIO = Path(__file__).resolve().parents[1] / "examples" / "portfolio.yaml"
HARD = SMALL + "policy: {on_time: hard, budget_usd: 2.0e7}\n"
"""SMALL with every wave on time and a tight budget: no supply plan (infeasible), so no risk."""
NOTED = """\
workloads:
  - {name: big, type: training, model: {parameters: 1.0e12}, tokens: 1.0e12, accelerator: h100-sxm,
     accelerators: 8, mfu: 0.4, goodput: 0.9, site: dc}
"""
BARE = SMALL[: SMALL.index("facilities:")].replace("{name: dc, ", "{name: dc, storage: {switch: sn5600}, ") + NOTED
"""SMALL without facilities (no supply, no risk), with a storage fabric and a training run whose layout does
not fit (its sizing only noted)."""

SCENARIOS = {"bundled": None, "portfolio": PORTFOLIO, "small": SMALL, "infeasible": HARD, "bare": BARE}


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each scenario's plan document, as ``PlanResult.to_dict()`` returns it."""
    folder = tmp_path_factory.mktemp("documents")
    out = {}
    for name, source in SCENARIOS.items():
        if source is None:
            path = bundled_scenario()
        elif isinstance(source, Path):
            path = source
        else:
            path = folder / f"{name}.yaml"
            path.write_text(source)
        out[name] = run_plan(load_inputs(path)).to_dict()
    return out


def stored(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as the store keeps it."""
    kept: dict[str, Any] = storable(doc)
    return kept


def redacted(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as the result route serves it to another organization's reader, every figure hidden."""
    out, hidden = redact_document(stored(doc), PLAN_FIGURES + CATALOG_PRICED)
    result: dict[str, Any] = out | {"redacted": hidden}
    return result


def test_the_scenarios_cover_every_shape(plans: dict[str, dict[str, Any]]) -> None:
    assert plans["bundled"]["stages"] == ["sizing", "bom", "supply", "risk"]
    assert plans["portfolio"]["stages"] == list(STAGES)
    assert plans["infeasible"]["stages"] == ["sizing", "bom", "supply"]
    assert plans["infeasible"]["supply"]["status"] == "infeasible"
    assert plans["infeasible"]["supply"]["kpis"] == {}
    assert plans["infeasible"]["supply"]["objective"] is None
    assert "reconciliation" not in plans["infeasible"]
    assert plans["bare"]["stages"] == ["sizing", "bom"]
    site = plans["bare"]["sizing"]["sites"][0]
    assert site["storage"] is not None
    assert {"note"} in [set(w["detail"]) for w in plans["bare"]["sizing"]["workloads"]]
    assert any(w["detail"] and "serving" in w["detail"] for w in plans["bundled"]["sizing"]["workloads"])
    assert any(s["exceptions"] for s in (p.get("supply") for p in plans.values()) if s)


@pytest.mark.parametrize("name", SCENARIOS)
def test_plan_documents_validate(plans: dict[str, dict[str, Any]], name: str) -> None:
    doc = plans[name]
    PlanDocument.model_validate(doc)
    PlanDocument.model_validate(stored(doc))


@pytest.mark.parametrize("name", SCENARIOS)
def test_redacted_documents_validate(plans: dict[str, dict[str, Any]], name: str) -> None:
    doc = redacted(plans[name])
    parsed = PlanDocument.model_validate(doc)
    assert parsed.redacted == doc["redacted"]
    assert parsed.redacted, "every document has figures to hide"
    assert parsed.bom.total_cost_usd is None


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_models_give_the_document_back(plans: dict[str, dict[str, Any]], name: str) -> None:
    """Serialised as the API serialises a response model (with ``response_model_exclude_unset``), a document
    comes back as it was, to the text: no key lost or added, whole quantities still integers, ``pass``
    spelled as the contract spells it."""
    for doc in (stored(plans[name]), redacted(plans[name])):
        back = PlanDocument.model_validate(doc).model_dump(mode="json", by_alias=True, exclude_unset=True)
        assert json.dumps(back, sort_keys=True) == json.dumps(doc, sort_keys=True)


def test_non_finite_figures_are_null_in_the_store(plans: dict[str, dict[str, Any]]) -> None:
    """A network that survives indefinitely has no TTS; the model takes the ``null`` the store keeps."""
    doc = stored(plans["bundled"])
    assert any(r["tts"] is None for r in doc["risk"]["nodes"] + doc["risk"]["groups"])
    doc["risk"]["on_time"]["waves"][0]["mean_delay_weeks"] = None
    PlanDocument.model_validate(doc)


@pytest.mark.parametrize(
    "where",
    [(), ("sizing",), ("bom", "tariffs"), ("supply",), ("supply", "kpis"), ("risk", "concentration")],
)
def test_an_unknown_key_is_refused(plans: dict[str, dict[str, Any]], where: tuple[str, ...]) -> None:
    doc = stored(plans["small"])
    node = doc
    for key in where:
        node = node[key]
    node["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        PlanDocument.model_validate(doc)


def test_a_missing_key_is_refused(plans: dict[str, dict[str, Any]]) -> None:
    doc = stored(plans["small"])
    del doc["supply"]["purchases"][0]["duty_usd"]
    with pytest.raises(ValidationError, match="duty_usd"):
        PlanDocument.model_validate(doc)


def test_no_kpis_is_an_empty_object_only(plans: dict[str, dict[str, Any]]) -> None:
    doc = stored(plans["infeasible"])
    doc["supply"]["kpis"] = {"units_late": 0.0}
    with pytest.raises(ValidationError):
        PlanDocument.model_validate(doc)


def test_the_vocabularies_are_the_code_s() -> None:
    assert typing.get_args(StageName) == STAGES
    assert typing.get_args(CauseName) == tuple(c.value for c in Cause)
    assert typing.get_args(GroupKindName) == tuple(k.value for k in GroupKind)


def test_the_schema_describes_every_stage() -> None:
    schema = PlanDocument.model_json_schema(by_alias=True)
    top = schema["properties"]
    assert set(top) == {"rackforge", "scenario", "stages", *STAGES, "reconciliation", "redacted"}
    assert set(schema["required"]) == {"rackforge", "scenario", "stages", "sizing", "bom"}
    models = schema["$defs"]
    assert "pass" in models["DomesticContent"]["properties"]
    assert all(m.get("additionalProperties") is False for m in models.values() if m.get("type") == "object")
    assert all(m.get("description") for m in models.values() if m.get("type") == "object")


MONEY = re.compile(r"usd|cost|price|spend|labour|sentence")
PUBLIC_MONEY = {
    "bom.domestic_content.*.threshold",
}
"""Key paths named like money that are not priced from an organization's own figures."""


def _money_paths(doc: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every key path to a number or text whose own key (or an enclosing one) names money."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _money_paths(value, (*path, str(key)))
    elif isinstance(doc, list):
        for value in doc:
            yield from _money_paths(value, (*path, "*"))
    elif any(MONEY.search(part) for part in path) and not isinstance(doc, bool):
        yield path


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_money_figure_is_hidden_from_another_organization(plans: dict[str, dict[str, Any]], name: str) -> None:
    """A figure named like money (``usd``, ``cost``, ``price``, ``spend``, ``labour``) in any plan is hidden
    by the redaction table, so a new one cannot reach a partner unnoticed."""
    hidden = redacted(plans[name])
    paths = set(_money_paths(stored(plans[name]))) - {tuple(p.split(".")) for p in PUBLIC_MONEY}
    assert paths, "the plan has money figures"
    exposed = {".".join(p) for p in paths if any(v is not None for v in _leaves(hidden, p))}
    assert exposed == set()


def _leaves(doc: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """The values at ``path`` (``*`` for every list item or mapping value)."""
    if not path:
        yield doc
        return
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(doc, list):
        for item in doc:
            yield from _leaves(item, rest)
    elif isinstance(doc, dict) and head in doc:
        yield from _leaves(doc[head], rest)

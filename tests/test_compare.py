"""Comparison of two scenarios and their runs: input changes by key path on hand-made documents, KPI
deltas recomputed from real plan documents, documents that lack stages, the JSON document, and the Rich
and HTML views."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

import pytest
from rich.console import Console

import rackforge.compare
from rackforge.compare import ChangeKind, DeltaKind, Diff, Unit, diff, input_changes, kpi_deltas
from rackforge.errors import InputError
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_plan
from rackforge.report.compare import compare_html, compare_view
from tests.test_schedule_portfolio import PORTFOLIO
from tests.test_supply import SMALL

A_DOC = """\
name: what-if
start: 2027-01-04
horizon_weeks: 52
sites:
  - {name: s1, pue: 1.2, waves: [{week: 10, share: 0.5}, {week: 20, share: 0.5}]}
  - {name: s2, pue: 1.3}
  - {name: old-site, pue: 1.1}
policy: {objective: cost, lateness_penalty_rate: 0.05}
tags: [x, y]
"""
# B: s1 and s2 swapped (no change), s1's pue and second wave changed, old-site renamed new-site,
# horizon 52.0 (equal to 52), a policy key dropped, a tag changed and one added, a description added.
B_DOC = """\
name: what-if
start: 2027-01-04
horizon_weeks: 52.0
sites:
  - {name: s2, pue: 1.3}
  - {name: s1, pue: 1.25, waves: [{week: 10, share: 0.5}, {week: 24, share: 0.5}]}
  - {name: new-site, pue: 1.1}
policy: {objective: cost}
tags: [x, z, w]
description: cut-over
"""
A_TO_B = [
    ("description", ChangeKind.ADDED, None, "cut-over"),
    ("policy.lateness_penalty_rate", ChangeKind.REMOVED, 0.05, None),
    ("sites[new-site]", ChangeKind.ADDED, None, {"name": "new-site", "pue": 1.1}),
    ("sites[old-site]", ChangeKind.REMOVED, {"name": "old-site", "pue": 1.1}, None),
    ("sites[s1].pue", ChangeKind.CHANGED, 1.2, 1.25),
    ("sites[s1].waves.1.week", ChangeKind.CHANGED, 20, 24),
    ("tags.1", ChangeKind.CHANGED, "y", "z"),
    ("tags.2", ChangeKind.ADDED, None, "w"),
]

BIGGER = SMALL.replace("count: 8}", "count: 12}")
BARE = SMALL[: SMALL.index("facilities:")]
RACK_ACCELERATORS = 72


def rows(changes: Any) -> list[tuple[Any, ...]]:
    return [(c.path, c.kind, c.old, c.new) for c in changes]


def test_input_changes_of_hand_made_documents() -> None:
    assert rows(input_changes(A_DOC, B_DOC)) == A_TO_B


def test_texts_and_parsed_mappings_give_the_same_changes() -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    assert rows(input_changes(yaml.load(A_DOC), yaml.load(B_DOC))) == A_TO_B
    assert input_changes(A_DOC, A_DOC) == ()


def test_a_reordered_named_list_is_no_change_and_a_renamed_item_is_two() -> None:
    a = "sites: [{name: a, pue: 1.2}, {name: b, pue: 1.3}]"
    assert input_changes(a, "sites: [{name: b, pue: 1.3}, {name: a, pue: 1.2}]") == ()
    renamed = input_changes(a, "sites: [{name: a, pue: 1.2}, {name: c, pue: 1.3}]")
    assert [(c.path, c.kind) for c in renamed] == [("sites[b]", "removed"), ("sites[c]", "added")]


def test_a_list_with_repeated_or_missing_names_is_compared_by_position() -> None:
    a = "waves: [{name: w, week: 1}, {name: w, week: 2}]"
    assert rows(input_changes(a, "waves: [{name: w, week: 1}, {name: w, week: 3}]")) == [
        ("waves.1.week", ChangeKind.CHANGED, 2, 3)
    ]
    assert rows(input_changes("xs: [{week: 1}]", "xs: [{week: 1}, {week: 2}]")) == [
        ("xs.1", ChangeKind.ADDED, None, {"week": 2})
    ]


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        ("1", "1.0", False),
        ("1.0e3", "1000", False),
        (".nan", ".nan", False),
        ("true", "1", True),
        ("'1'", "1", True),
        ("null", "0", True),
        ("2027-01-04", "'2027-01-04'", False),
        ("2027-01-04", "2027-01-11", True),
        ("[1]", "{a: 1}", True),
    ],
)
def test_scalars_compare_with_their_types(old: str, new: str, changed: bool) -> None:
    assert bool(input_changes(f"x: {old}", f"x: {new}")) is changed


def test_dates_become_iso_text() -> None:
    (change,) = input_changes("start: 2027-01-04", "start: 2027-01-11")
    assert (change.old, change.new) == ("2027-01-04", "2027-01-11")
    (change,) = input_changes({"start": dt.date(2027, 1, 4)}, {})
    assert change.to_dict() == {"path": "start", "kind": "removed", "old": "2027-01-04", "new": None}


def test_list_positions_sort_as_numbers() -> None:
    a = {"xs": list(range(12))}
    b = {"xs": [*range(2), 20, *range(3, 10), 100, 11]}
    assert [c.path for c in input_changes(a, b)] == ["xs.2", "xs.10"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1", r"^B:1:\d+: \(root\): not valid YAML: .*; fix the YAML syntax at this position$"),
        ("a: 1\na: 2", r"^B:2:1: \(root\): not valid YAML: found duplicate key"),
        ("- 1\n- 2", r"^B:1:1: \(root\): the top level is a list, not a mapping; give a scenario document"),
    ],
)
def test_a_bad_yaml_text_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        diff("A", A_DOC, None, "B", text, None)
    assert re.match(message, str(caught.value.problems[0]))


# --- real plan documents ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each scenario's text and its ``plan.json`` document, planned once for the module."""
    out = {}
    folder = tmp_path_factory.mktemp("compare")
    for name, text in {"small": SMALL, "bigger": BIGGER, "bare": BARE, "portfolio": SMALL + PORTFOLIO}.items():
        path = folder / f"{name}.yaml"
        path.write_text(text)
        out[name] = (text, json.loads(json.dumps(run_plan(load_inputs(path)).to_dict())))
    return out


@pytest.fixture(scope="module")
def bigger(plans: dict[str, tuple[str, dict[str, Any]]]) -> Diff:
    return diff("small", *plans["small"], "bigger", *plans["bigger"])


def by_key(d: Diff) -> dict[str, Any]:
    assert d.kpis is not None
    return {k.key: k for k in d.kpis}


def test_a_cluster_count_change_shows_as_one_input_change(bigger: Diff) -> None:
    assert rows(bigger.changes) == [("clusters[c].count", ChangeKind.CHANGED, 8, 12)]
    assert (bigger.a.scenario, bigger.b.scenario) == ("small", "small")
    assert bigger.a.stages == bigger.b.stages == ("sizing", "bom", "supply", "risk")


def test_sizing_and_bom_deltas_recomputed_by_hand(plans, bigger: Diff) -> None:  # type: ignore[no-untyped-def]
    a, b = plans["small"][1], plans["bigger"][1]
    k = by_key(bigger)
    acc = k["sizing.accelerators"]
    assert acc.delta == 4 * RACK_ACCELERATORS
    assert (acc.old, acc.new) == tuple(sum(s["accelerators"] for s in d["sizing"]["sites"]) for d in (a, b))
    assert acc.relative == pytest.approx(0.5)
    for key, site_key in (("sizing.it_mw", "it_mw"), ("sizing.facility_mw", "facility_mw")):
        olds = sum(s["power"][site_key] for s in a["sizing"]["sites"])
        news = sum(s["power"][site_key] for s in b["sizing"]["sites"])
        assert k[key].delta == pytest.approx(news - olds)
    total = k["bom.total_cost_usd"]
    assert total.delta == b["bom"]["total_cost_usd"] - a["bom"]["total_cost_usd"]
    assert total.relative == pytest.approx(total.delta / a["bom"]["total_cost_usd"])
    assert k["bom.duties_usd"].delta == b["bom"]["tariffs"]["total_usd"] - a["bom"]["tariffs"]["total_usd"]
    families = {x.item: x for x in bigger.metric("bom.cost_by_family")}
    assert set(families) == set(a["bom"]["cost_by_family"]) | set(b["bom"]["cost_by_family"])
    for family, x in families.items():
        assert x.delta == b["bom"]["cost_by_family"][family] - a["bom"]["cost_by_family"][family]
    assert sum(x.delta for x in families.values()) == pytest.approx(total.delta)
    for row in b["bom"]["domestic_content"]:
        assert k[f"bom.domestic_share[{row['product']}/{row['year']}]"].new == row["share"]


def test_supply_and_risk_kpis_read_from_the_documents(plans, bigger: Diff) -> None:  # type: ignore[no-untyped-def]
    a, b = plans["small"][1], plans["bigger"][1]
    k = by_key(bigger)
    assert k["supply.cost_usd"].old == a["supply"]["kpis"]["cost_usd"]["total"]
    assert k["supply.cost_usd"].new == b["supply"]["kpis"]["cost_usd"]["total"]
    assert k["supply.units_late"].delta == b["supply"]["kpis"]["units_late"] - a["supply"]["kpis"]["units_late"]
    for wave, share in b["supply"]["kpis"]["on_time_share"].items():
        x = k[f"supply.on_time_share[{wave}]"]
        assert (x.old, x.new, x.unit) == (a["supply"]["kpis"]["on_time_share"][wave], share, Unit.SHARE)
        assert x.relative is None, "shares change in points"
    flagged = [sum(r["flagged"] for r in (*d["risk"]["nodes"], *d["risk"]["groups"])) for d in (a, b)]
    assert (k["risk.flagged"].old, k["risk.flagged"].new) == tuple(flagged)
    for doc, side in ((a, "old"), (b, "new")):
        for w in doc["risk"]["on_time"]["waves"]:
            assert getattr(k[f"risk.on_time[{w['name']}]"], side) == w["on_time"]
    worst = set()
    for doc in (a, b):
        ranked = sorted(doc["risk"]["groups"], key=lambda g: (-g["rei"], g["id"]))
        worst |= {g["id"] for g in ranked[: rackforge.compare.TOP_GROUPS]}
    for metric, field in (("risk.group_rei", "rei"), ("risk.group_ttr_loss_usd", "ttr_loss")):
        shown = bigger.metric(metric)
        assert {x.item for x in shown} == worst
        group = {g["id"]: g for g in b["risk"]["groups"]}
        assert all(x.new == group[x.item][field] for x in shown)
    assert not bigger.metric("schedule.makespan"), "neither side has a schedule"


def test_a_document_without_schedule_and_risk_against_one_with_them(plans) -> None:  # type: ignore[no-untyped-def]
    bare, portfolio = plans["bare"], plans["portfolio"]
    assert not {"schedule", "supply", "risk"} & set(bare[1])
    d = diff("bare", *bare, "portfolio", *portfolio)
    assert d.a.stages == ("sizing", "bom")
    assert d.b.stages == ("sizing", "bom", "schedule", "supply", "risk")
    k = by_key(d)
    for key in ("schedule.makespan", "schedule.weeks_late", "supply.cost_usd", "risk.flagged"):
        assert (k[key].kind, k[key].old, k[key].delta) == (DeltaKind.ADDED, None, None)
    schedule = portfolio[1]["schedule"]
    assert k["schedule.makespan"].new == schedule["makespan"]
    due = {"gen2-compute": 55, "gen2-cooling": 20}
    late = sum(max(0, schedule["project_finish"][p] - week) for p, week in due.items())
    assert late > 0
    assert k["schedule.weeks_late"].new == late
    assert k["sizing.accelerators"].kind == DeltaKind.UNCHANGED
    back = by_key(diff("portfolio", *portfolio, "bare", *bare))
    assert {x.kind for x in back.values() if x.stage in ("schedule", "supply", "risk")} == {DeltaKind.REMOVED}


def test_partial_and_odd_documents_never_crash() -> None:
    a = {"bom": {"cost_by_family": {"compute": 1.0e6}}, "risk": {"groups": [{"id": "f", "rei": 0.5, "tts": 4.0}]}}
    b = {
        "bom": {"cost_by_family": {"compute": 3.0e6, "power": 2.0}, "total_cost_usd": "n/a", "tariffs": None},
        "supply": {"status": "infeasible", "kpis": None, "objective": 1.0},
        "schedule": "not a mapping",
        "risk": {
            "groups": [{"id": "f", "rei": 0.25, "tts": None, "flagged": True}, "junk"],
            "on_time": {"waves": [{"name": "w"}]},
        },
    }
    k = {x.key: x for x in kpi_deltas(a, b)}
    assert set(k) == {
        "bom.cost_by_family[compute]",
        "bom.cost_by_family[power]",
        "risk.group_rei[f]",
        "risk.group_tts_weeks[f]",
        "risk.flagged",
    }
    assert (k["bom.cost_by_family[compute]"].delta, k["bom.cost_by_family[compute]"].relative) == (2.0e6, 2.0)
    assert k["bom.cost_by_family[power]"].kind == DeltaKind.ADDED
    tts = k["risk.group_tts_weeks[f]"]
    assert (tts.kind, tts.new, tts.delta) == (DeltaKind.CHANGED, math.inf, None)
    assert tts.to_dict()["new"] is None
    assert (k["risk.flagged"].kind, k["risk.flagged"].new) == (DeltaKind.ADDED, 1.0)
    assert kpi_deltas({}, {}) == ()


def test_without_results_only_the_inputs_are_compared() -> None:
    d = diff("A", A_DOC, None, "B", B_DOC, None)
    assert d.kpis is None
    assert (d.a.stages, d.b.stages) == (None, None)
    doc = d.to_dict()
    assert doc["kpis"] is None
    assert [c["path"] for c in doc["changes"]] == [row[0] for row in A_TO_B]
    assert "KPIs not compared: no result for A and B" in compare_view(d)
    assert "KPIs not compared" in compare_html(d)


def plain(value: Any) -> bool:
    """Whether ``value`` is built of JSON's own types only."""
    if isinstance(value, dict):
        return all(type(k) is str and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    return value is None or type(value) in (bool, int, float, str)


def test_the_diff_document_round_trips_through_json(plans, bigger: Diff) -> None:  # type: ignore[no-untyped-def]
    for d in (bigger, diff("bare", *plans["bare"], "portfolio", *plans["portfolio"])):
        doc = d.to_dict()
        assert plain(doc)
        assert json.loads(json.dumps(doc, allow_nan=False)) == doc
    doc = bigger.to_dict()
    assert doc["a"] == {"label": "small", "scenario": "small", "stages": ["sizing", "bom", "supply", "risk"]}
    assert doc["changes"] == [{"path": "clusters[c].count", "kind": "changed", "old": 8, "new": 12}]
    acc = next(x for x in doc["kpis"] if x["key"] == "sizing.accelerators")
    assert acc == {
        "key": "sizing.accelerators",
        "metric": "sizing.accelerators",
        "item": None,
        "stage": "sizing",
        "label": "accelerators",
        "unit": "count",
        "kind": "changed",
        "old": 576.0,
        "new": 864.0,
        "delta": 288.0,
        "relative": 0.5,
    }


# --- views --------------------------------------------------------------------------------------


def test_the_rich_view_lists_input_changes_then_kpis(bigger: Diff) -> None:
    console = Console(record=True, width=160)
    for item in compare_view(bigger):
        console.print(item)
    text = console.export_text()
    assert text.index("clusters[c].count") < text.index("KPIs: Sizing") < text.index("KPIs: Supply risk")
    assert re.search(r"accelerators\s+│\s+576\s+│\s+864\s+│\s+\+288\s+│\s+\+50\.0%", text)


def test_the_html_page_is_self_contained_with_changes_before_kpis(bigger: Diff) -> None:
    page = compare_html(bigger)
    assert not re.search(r"<script[^>]*\ssrc=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href=[\"']?https?:", page, re.IGNORECASE)
    assert page.index('id="input-changes"') < page.index('id="kpi-deltas"') < page.index('id="fig-cost"')
    assert "clusters[c].count" in page
    for figure in ("fig-cost", "fig-on_time", "fig-probability"):
        assert f'id="{figure}"' in page
    assert page.count("<script") >= 4, "plotly.js inline and one script per figure"


def test_the_html_page_draws_on_time_probability_only_when_both_have_risk(plans) -> None:  # type: ignore[no-untyped-def]
    page = compare_html(diff("bare", *plans["bare"], "portfolio", *plans["portfolio"]))
    assert 'id="fig-cost"' in page
    assert 'id="fig-probability"' not in page


def test_the_public_api_is_pinned() -> None:
    assert rackforge.compare.__all__ == [
        "METRICS",
        "TOP_GROUPS",
        "Change",
        "ChangeKind",
        "DeltaKind",
        "Diff",
        "Document",
        "Json",
        "KpiDelta",
        "Metric",
        "Side",
        "Unit",
        "diff",
        "input_changes",
        "kpi_deltas",
        "load_document",
        "read_kpis",
    ]
    assert all(hasattr(rackforge.compare, name) for name in rackforge.compare.__all__)


def test_every_metric_names_its_plan_json_source() -> None:
    doc = rackforge.compare.metrics.__doc__ or ""
    for metric in rackforge.compare.METRICS:
        assert f"``{metric}``" in doc

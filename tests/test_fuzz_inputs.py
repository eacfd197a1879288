"""Property: however the example scenarios are damaged, the command line answers with exit 0, 1 or 2, never a
traceback, and ``validate`` reports every input error that ``plan`` reports.

Each case applies one to three mutations to the bundled scenario (``campus-1gw.yaml``) or the portfolio
example: delete a key, give a value another type, put an extreme number (0, -1, 1e308, ±inf, NaN, 10^30,
2^63, 1e-308) anywhere, scale a number (x0.1 to x1000, mostly still valid, so later stages run), misspell a
name that is referenced elsewhere, or duplicate a list item. The file is
written to a temporary directory and run through the real entry point in-process (``rackforge.cli.main``)
with ``validate``, and with ``plan --out TMP --json --time-limit 5`` on one case in :data:`PLAN_EVERY` (a
scaled scenario can make the supply MIP hard; the property holds at any limit), since a plan costs
about five validations (1-2 s against 0.2 s once the built-in catalog is parsed). Every case where
``validate`` rejects the input also runs ``plan``, which must fail as well and fails as cheaply.

The number of cases is set by the hypothesis profile :data:`PROFILE` (``make test``: 120 on the portfolio,
:data:`BUNDLED_EXAMPLES` on the bundled scenario, derandomized, one test per file so each runs on its own worker:
about 25 s wall each on two cores, validate 0.2 s a case, plan 0.1 s on a rejected input and 3-10 s on a valid
one on the bundled scenario, whose 80 cases still plan three valid inputs through every stage, as 120 did, and
compare validate with plan on 70 rejected ones);
``benchmarks/fuzz_inputs.py`` runs the same generator for thousands of random cases and prints the outcome
counts.
"""

from __future__ import annotations

import contextlib
import copy
import io
import math
import sys
import tempfile
import traceback
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from rackforge import cli

ROOT = Path(__file__).resolve().parents[1]
BASES = {
    "bundled": Path(str(resources.files("rackforge") / "examples" / "campus-1gw.yaml")),
    "portfolio": ROOT / "examples" / "portfolio.yaml",
}
EXTREMES: tuple[Any, ...] = (0, -1, 1e308, math.inf, -math.inf, math.nan, 10**30, 2**63, 1e-308)
OTHER_TYPES: tuple[Any, ...] = ("text", [1, 2], {"k": 1}, True, None, 3, 2.5)
SCALES = (0.1, 0.5, 2, 10, 1000)
MUTATIONS = ("delete", "retype", "extreme", "scale", "misspell", "duplicate")
PLAN_EVERY = 8
PLAN_LIMIT_S = 5
PROFILE = "inputs-fuzz"
BUNDLED_EXAMPLES = 80
settings.register_profile(
    PROFILE,
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Path_ = tuple[str | int, ...]


def _safe_yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    return yaml


DOCS = {name: _safe_yaml().load(path.read_text(encoding="utf-8")) for name, path in BASES.items()}


def paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every key path under ``node`` (containers and leaves), depth first."""
    children: list[tuple[str | int, Any]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    out: list[Path_] = []
    for key, child in children:
        out.append((*prefix, key))
        out += paths(child, (*prefix, key))
    return out


def get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def put(doc: Any, path: Path_, value: Any) -> None:
    get(doc, path[:-1])[path[-1]] = value


def _misspell(text: str, how: int) -> str:
    if how == 0 or len(text) < 2:
        return text + "x"
    if how == 1:
        return text[:-1]
    return text[1] + text[0] + text[2:]


def mutate(doc: Any, kind: str, draw: Any) -> None:
    """Apply one mutation of ``kind`` to ``doc`` in place, choosing where with ``draw``."""
    every = paths(doc)
    if kind == "delete":
        path = draw(st.sampled_from(every))
        del get(doc, path[:-1])[path[-1]]
    elif kind in ("retype", "extreme"):
        leaves = [p for p in every if not isinstance(get(doc, p), (dict, list))] or every
        path = draw(st.sampled_from(leaves))
        put(doc, path, copy.deepcopy(draw(st.sampled_from(OTHER_TYPES if kind == "retype" else EXTREMES))))
    elif kind == "scale":
        numbers = [p for p in every if type(get(doc, p)) in (int, float)] or every
        path = draw(st.sampled_from(numbers))
        value = get(doc, path)
        scaled = value * draw(st.sampled_from(SCALES)) if type(value) in (int, float) else value
        put(doc, path, type(value)(scaled) if isinstance(value, int) else scaled)
    elif kind == "misspell":
        text = [p for p in every if isinstance(get(doc, p), str)]
        shared = [p for p in text if sum(get(doc, q) == get(doc, p) for q in text) > 1] or text
        path = draw(st.sampled_from(shared))
        put(doc, path, _misspell(get(doc, path), draw(st.integers(0, 2))))
    else:
        lists = [p for p in every if isinstance(get(doc, p), list) and get(doc, p)]
        path = draw(st.sampled_from(lists))
        items = get(doc, path)
        items.append(copy.deepcopy(draw(st.sampled_from(items))))


@dataclass(frozen=True)
class Case:
    """A damaged copy of one example file and whether to run ``plan`` on it."""

    base: str
    mutations: tuple[str, ...]
    doc: Any
    plan: bool


@st.composite
def cases(draw: Any, base: str) -> Case:
    doc = copy.deepcopy(DOCS[base])
    kinds = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3))
    for kind in kinds:
        mutate(doc, kind, draw)
    return Case(base, tuple(kinds), doc, draw(st.integers(0, PLAN_EVERY - 1)) == 0)


@dataclass(frozen=True)
class Outcome:
    """Exit code and stderr of one run; ``crash`` holds the traceback of an uncaught exception."""

    code: int | str | None
    err: str
    crash: str = ""


def run_cli(*args: str | Path) -> Outcome:
    """``rackforge ARGS`` in-process through the real entry point."""
    argv = sys.argv
    sys.argv = ["rackforge", *map(str, args)]
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli.main()
        return Outcome(0, err.getvalue())
    except SystemExit as exc:
        return Outcome(exc.code, err.getvalue())
    except Exception:
        return Outcome("crash", err.getvalue(), traceback.format_exc())
    finally:
        sys.argv = argv


def run_case(case: Case, where: Path) -> tuple[Outcome, Outcome | None]:
    """Write ``case`` under ``where``; run ``validate``, and ``plan`` when sampled or when validate fails."""
    path = where / f"{case.base}.yaml"
    with path.open("w", encoding="utf-8") as fh:
        _safe_yaml().dump(case.doc, fh)
    checked = run_cli("validate", path)
    if not case.plan and checked.code != 2:
        return checked, None
    return checked, run_cli("plan", path, "--out", where / "out", "--json", "--time-limit", str(PLAN_LIMIT_S))


def problems(case: Case, checked: Outcome, planned: Outcome | None) -> list[str]:
    """What breaks the property in one case (empty when it holds)."""
    out = []
    for name, o in (("validate", checked), ("plan", planned)):
        if o is None:
            continue
        if o.crash or o.code not in (0, 1, 2) or "Traceback" in o.err:
            out.append(f"{name} crashed (exit {o.code}): {o.crash or o.err}")
    if planned is not None and planned.code == 2 and checked.code != 2:
        out.append(f"plan rejects the input but validate exits {checked.code}: {planned.err}")
    if planned is not None and checked.code == 2 and planned.code == 0:
        out.append(f"validate rejects the input but plan succeeds: {checked.err}")
    return out


def _check(case: Case) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        checked, planned = run_case(case, Path(tmp))
    found = problems(case, checked, planned)
    assert not found, (case.mutations, found)


@settings(settings.get_profile(PROFILE), max_examples=BUNDLED_EXAMPLES)
@given(case=cases("bundled"))
def test_damaged_bundled_scenario(case: Case) -> None:
    _check(case)


@settings(settings.get_profile(PROFILE))
@given(case=cases("portfolio"))
def test_damaged_portfolio(case: Case) -> None:
    _check(case)

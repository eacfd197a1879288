"""Cross-reference rules on a schema-valid scenario, one function per rule.

Each rule returns a list of problems (empty when the rule holds); key paths are
relative to the scenario root and get their line numbers from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rackforge.errors import KeyPath, Problem
from rackforge.scenario.models import Scenario, Workload
from rackforge.validation import suggest

Rule = Callable[[Scenario], list[Problem]]
SHARE_TOLERANCE = 1e-6


def _duplicates(section: str, names: Iterable[str]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, name in enumerate(names):
        if name in seen:
            out.append(Problem((section, i, "name"), f"duplicate name `{name}`", "give each entry a unique name"))
        seen.add(name)
    return out


def unique_names(s: Scenario) -> list[Problem]:
    """Workload, cluster and site names are unique within their section."""
    return (
        _duplicates("workloads", (w.name for w in s.workloads))
        + _duplicates("clusters", (c.name for c in s.clusters))
        + _duplicates("sites", (x.name for x in s.sites))
    )


def unique_supply_names(s: Scenario) -> list[Problem]:
    """Facility and supplier names are unique, and no name is both (a lane could not tell them apart)."""
    out = _duplicates("facilities", (f.name for f in s.facilities)) + _duplicates(
        "suppliers", (x.name for x in s.suppliers)
    )
    facilities = {f.name for f in s.facilities}
    for i, sup in enumerate(s.suppliers):
        if sup.name in facilities:
            what = f"`{sup.name}` names both a facility and a supplier"
            out.append(Problem(("suppliers", i, "name"), what, "rename one; lanes refer to them by name"))
    return out


def lane_ends(s: Scenario) -> list[Problem]:
    """A lane runs from a supplier or facility to a different facility or site, and each pair is given once."""
    sources = {x.name for x in s.suppliers} | {f.name for f in s.facilities}
    sinks = {f.name for f in s.facilities} | {x.name for x in s.sites}
    out, seen = [], set()
    for i, lane in enumerate(s.lanes):
        if lane.origin not in sources:
            fix = suggest(lane.origin, sources, "suppliers and facilities")
            out.append(Problem(("lanes", i, "from"), f"unknown supplier or facility `{lane.origin}`", fix))
        if lane.to not in sinks:
            fix = suggest(lane.to, sinks, "facilities and sites")
            out.append(Problem(("lanes", i, "to"), f"unknown facility or site `{lane.to}`", fix))
        if lane.origin == lane.to:
            fix = "a lane joins two different places; remove it or correct `to`"
            out.append(Problem(("lanes", i, "to"), f"the lane runs from `{lane.origin}` to itself", fix))
        if (lane.origin, lane.to) in seen:
            what = f"a second lane from `{lane.origin}` to `{lane.to}`"
            out.append(Problem(("lanes", i), what, "keep one lane per pair (the plan would use only the last)"))
        seen.add((lane.origin, lane.to))
    return out


def known_sites(s: Scenario) -> list[Problem]:
    """Every workload and cluster names a site of the scenario."""
    sites = {x.name for x in s.sites}
    out = []
    refs = [("workloads", i, w.site) for i, w in enumerate(s.workloads)]
    refs += [("clusters", i, c.site) for i, c in enumerate(s.clusters)]
    for section, i, site in refs:
        if site not in sites:
            fix = suggest(site, sites, "sites under `sites:`")
            out.append(Problem((section, i, "site"), f"unknown site `{site}`", fix))
    return out


def wave_shares(s: Scenario) -> list[Problem]:
    """Each site's wave shares sum to 1."""
    out = []
    for i, site in enumerate(s.sites):
        total = sum(w.share for w in site.waves)
        if abs(total - 1.0) > SHARE_TOLERANCE:
            out.append(
                Problem(
                    ("sites", i, "waves"),
                    f"wave shares sum to {total:.4g}, not 1",
                    "make the `share` values of this site's waves add up to 1",
                )
            )
    return out


def wave_weeks(s: Scenario) -> list[Problem]:
    """Wave weeks are distinct and inside the horizon."""
    out = []
    for i, site in enumerate(s.sites):
        seen: set[int] = set()
        for j, wave in enumerate(site.waves):
            key = ("sites", i, "waves", j, "week")
            if wave.week > s.horizon_weeks:
                fix = f"use a week up to {s.horizon_weeks} or raise `horizon_weeks`"
                out.append(Problem(key, f"week {wave.week} is past the horizon", fix))
            if wave.week in seen:
                out.append(Problem(key, f"two waves in week {wave.week}", "merge them into one wave"))
            seen.add(wave.week)
    return out


SERVING_KEYS = ("profile", "prompt_tokens", "output_tokens", "ttft_ms", "tpot_ms", "tokens_per_second")


def _serving_keys(w: Workload, key: KeyPath) -> list[Problem]:
    """A training workload that sets a key only serving reads."""
    given = [k for k in SERVING_KEYS if getattr(w, k) is not None]
    fix = "remove it, or make the workload `type: inference`"
    return [Problem((*key, k), f"`{k}` applies to inference only", fix) for k in given]


def workload_inputs(s: Scenario) -> list[Problem]:
    """Training gives tokens and exactly one of accelerators/deadline; inference gives tokens/s."""
    out = []
    for i, w in enumerate(s.workloads):
        key = ("workloads", i)
        if w.type == "training":
            if w.tokens is None:
                out.append(Problem((*key, "tokens"), "a training workload needs `tokens`", "add `tokens: 1.5e13`"))
            if (w.accelerators is None) == (w.deadline_days is None):
                both = w.accelerators is not None
                what = (
                    "gives both `accelerators` and `deadline_days`"
                    if both
                    else "gives neither `accelerators` nor `deadline_days`"
                )
                fix = "keep one: `accelerators` to get days, or `deadline_days` to get the count"
                out.append(Problem(key + (("deadline_days",) if both else ()), what, fix))
            out += _serving_keys(w, key)
        else:
            if w.tokens_per_second is None:
                fix = "add `tokens_per_second: 1.0e6`"
                out.append(Problem(key, "an inference workload needs `tokens_per_second`", fix))
            if w.deadline_days is not None:
                fix = "remove it; inference is sized from `tokens_per_second`"
                out.append(Problem((*key, "deadline_days"), "`deadline_days` applies to training only", fix))
    return out


def model_shapes(s: Scenario) -> list[Problem]:
    """Active parameters do not exceed the total, nor routed experts the experts; KV heads divide the heads."""
    out = []
    for i, w in enumerate(s.workloads):
        m, key = w.model, ("workloads", i, "model")
        if m.active_parameters is not None and m.active_parameters > m.parameters:
            fix = "`active_parameters` is the per-token share of `parameters`; make it smaller"
            out.append(Problem((*key, "active_parameters"), "more active parameters than parameters", fix))
        if m.experts is not None and m.experts_per_token is not None and m.experts_per_token > m.experts:
            fix = "route at most `experts` experts per token"
            what = f"{m.experts_per_token} experts per token but only {m.experts} experts"
            out.append(Problem((*key, "experts_per_token"), what, fix))
        if m.layers is not None and m.dense_layers >= m.layers:
            fix = "keep at least one MoE layer: `dense_layers` counts only the leading dense ones"
            what = f"{m.dense_layers} dense layers leave none of the {m.layers} layers for the experts"
            out.append(Problem((*key, "dense_layers"), what, fix))
        if (m.shared_experts or m.dense_layers or m.expert_node_limit) and not m.experts:
            fix = "give `experts` (and `experts_per_token`), or remove the MoE keys from a dense model"
            out.append(Problem((*key, "experts"), "MoE keys are given but not the number of experts", fix))
        if m.heads and m.kv_heads and m.heads % m.kv_heads:
            fix = "use a `kv_heads` that divides `heads` (GQA groups are equal)"
            out.append(Problem((*key, "kv_heads"), f"{m.kv_heads} KV heads do not divide {m.heads} heads", fix))
    return out


def something_to_size(s: Scenario) -> list[Problem]:
    """At least one workload or cluster."""
    if s.workloads or s.clusters:
        return []
    return [Problem((), "nothing to size", "add a `workloads:` or a `clusters:` entry")]


def _cycle(tasks: dict[str, list[str]]) -> str | None:
    """A task on a precedence cycle, if any (depth-first search)."""
    state: dict[str, int] = {}

    def visit(name: str) -> str | None:
        state[name] = 1
        for before in tasks.get(name, ()):
            if state.get(before) == 1:
                return before
            if before not in state and (hit := visit(before)):
                return hit
        state[name] = 2
        return None

    for name in tasks:
        if name not in state and (hit := visit(name)):
            return hit
    return None


def project_tasks(s: Scenario) -> list[Problem]:
    """Project and task names are unique, predecessors exist and form no cycle, needs name known
    resources within their largest capacity."""
    out = _duplicates("projects", (p.name for p in s.projects)) + _duplicates(
        "resources", (r.name for r in s.resources)
    )
    top = {r.name: max([r.capacity] + [c.capacity for c in r.calendar]) for r in s.resources}
    for i, proj in enumerate(s.projects):
        out += [Problem(("projects", i, *q.key[1:]), q.what, q.fix)
                for q in _duplicates("tasks", (t.name for t in proj.tasks))]  # fmt: skip
        names = {t.name for t in proj.tasks}
        graph: dict[str, list[str]] = {}
        for k, task in enumerate(proj.tasks):
            before = [a if isinstance(a, str) else a.task for a in task.after]
            graph[task.name] = [b for b in before if b in names]
            for m, b in enumerate(before):
                if b not in names:
                    fix = suggest(b, names, f"tasks of project `{proj.name}`")
                    out.append(Problem(("projects", i, "tasks", k, "after", m), f"unknown task `{b}`", fix))
            for res, units in task.needs.items():
                if res not in top:
                    fix = suggest(res, set(top), "resources under `resources:`")
                    out.append(Problem(("projects", i, "tasks", k, "needs", res), f"unknown resource `{res}`", fix))
                elif units > top[res]:
                    out.append(Problem(("projects", i, "tasks", k, "needs", res),
                                       f"needs {units} of `{res}`, which never has more than {top[res]}",
                                       f"lower the need or raise `{res}` capacity"))  # fmt: skip
        if (hit := _cycle(graph)) is not None:
            k = next(k for k, t in enumerate(proj.tasks) if t.name == hit)
            out.append(Problem(("projects", i, "tasks", k, "after"), f"task `{hit}` is on a precedence cycle",
                               "remove one predecessor of the cycle"))  # fmt: skip
    for i, team in enumerate(s.resources):
        weeks = [c.from_week for c in team.calendar]
        if weeks != sorted(set(weeks)):
            out.append(Problem(("resources", i, "calendar"), "calendar weeks are not increasing",
                               "list capacity changes once per week, in week order"))  # fmt: skip
    return out


RULES: tuple[Rule, ...] = (
    unique_names,
    unique_supply_names,
    lane_ends,
    known_sites,
    wave_shares,
    wave_weeks,
    workload_inputs,
    model_shapes,
    something_to_size,
    project_tasks,
)


def check(s: Scenario) -> list[Problem]:
    """Apply every rule and collect the problems."""
    return [p for rule in RULES for p in rule(s)]

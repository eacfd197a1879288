"""MPLIB multi-project instances (``.rcmp``; the Set-3 ``.txt`` files share the format)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rackforge.errors import KeyPath
from rackforge.schedule.instance import Instance, Job, Mode, Precedence, Project, Resource
from rackforge.schedule.readers.source import RESTORE, Line, Source, StrPath

_SUCCESSOR = re.compile(r"(\d+):(\d+)")


class _Cursor:
    """Walks the non-blank lines of an MPLIB file one at a time."""

    def __init__(self, src: Source) -> None:
        self.src = src
        self.pos = 0

    def next(self, key: KeyPath, what: str) -> Line:
        """The next line; a located error if the file ends first."""
        if self.pos >= len(self.src.lines):
            raise self.src.error(key, f"the file ends where {what} was expected", RESTORE, self.src.end)
        self.pos += 1
        return self.src.lines[self.pos - 1]

    def ints(self, count: int, key: KeyPath, what: str) -> tuple[int, ...]:
        """The next line as exactly ``count`` non-negative integers."""
        line = self.next(key, what)
        if len(line.tokens) != count:
            raise self.src.error(key, f"{len(line.tokens)} values; expected {count} ({what})", RESTORE, line.number)
        return tuple(self.src.integer(line, i, key) for i in range(count))


@dataclass(frozen=True)
class _Activity:
    """One MPLIB activity: its job, and its successors as ``(name, column)``, unresolved."""

    job: Job
    successors: tuple[tuple[str, int], ...]
    line: Line


def _activity(cur: _Cursor, p: int, a: int, n_res: int) -> _Activity:
    """Parse ``d r_1..r_K s p:a...`` for activity ``a`` of project ``p`` (both 1-based)."""
    src, key = cur.src, (f"P{p}", f"job {p}:{a}")
    line = cur.next(key, f"activity {a} of project {p}")
    duration = src.integer(line, 0, (*key, "duration"))
    use = tuple(src.integer(line, 1 + k, (*key, f"R{k + 1}")) for k in range(n_res))
    count = src.integer(line, 1 + n_res, (*key, "#successors"))
    if len(line.tokens) != n_res + 2 + count:
        what = f"{len(line.tokens) - n_res - 2} successors listed but #successors is {count}"
        raise src.error((*key, "successors"), what, "make #successors equal the number of ids after it", line.number)
    successors = []
    for i in range(n_res + 2, len(line.tokens)):
        match = _SUCCESSOR.fullmatch(line.tokens[i])
        if match is None:
            raise src.error(
                (*key, "successors"),
                f"`{line.tokens[i]}` is not a project:activity id",
                "write successors like 2:7 (1-based)",
                line.number,
                line.columns[i],
            )
        successors.append((f"{int(match[1])}:{int(match[2])}", line.columns[i]))
    return _Activity(Job(f"{p}:{a}", p - 1, (Mode(duration, use),)), tuple(successors), line)


def _rcmp_project(cur: _Cursor, p: int, n_res: int) -> tuple[Project, list[_Activity]]:
    """One project block: ``n_p release``, the 0/1 resource-use flags (not needed, checked only), activities."""
    n_act, release = cur.ints(2, (f"P{p}",), f"`activities release` of project {p}")
    cur.ints(n_res, (f"P{p}", "flags"), f"{n_res} resource flags of project {p}")
    return Project(f"P{p}", release=release), [_activity(cur, p, a, n_res) for a in range(1, n_act + 1)]


def _rcmp_precedences(src: Source, acts: list[_Activity]) -> tuple[Precedence, ...]:
    """Resolve ``project:activity`` successors (they may cross projects) to job indices."""
    index = {act.job.name: i for i, act in enumerate(acts)}
    out = []
    for i, act in enumerate(acts):
        for name, column in act.successors:
            if name not in index:
                key = (f"P{act.job.project + 1}", f"job {act.job.name}", "successors")
                raise src.error(
                    key,
                    f"successor {name} is not a job",
                    "use project:activity ids that exist",
                    act.line.number,
                    column,
                )
            out.append(Precedence(i, index[name]))
    return tuple(out)


def read_rcmp(path: StrPath) -> Instance:
    """Read an MPLIB multi-project file (``.rcmp``, or the ``.txt`` of MPLIB1 Set 3).

    Projects are ``P1..Pn`` with their release dates; jobs are ``"p:a"`` (1-based project and activity),
    indexed project by project; resources ``R1..RK`` are shared by all projects. Every job has one mode.
    """
    src = Source(path)
    cur = _Cursor(src)
    (n_projects,) = cur.ints(1, ("projects",), "the number of projects")
    (n_res,) = cur.ints(1, ("resources",), "the number of resources")
    caps = cur.ints(n_res, ("capacities",), f"{n_res} capacities")
    projects, acts = [], []
    for p in range(1, n_projects + 1):
        project, block = _rcmp_project(cur, p, n_res)
        projects.append(project)
        acts.extend(block)
    if cur.pos < len(src.lines):
        line = src.lines[cur.pos]
        raise src.error((), f"unexpected text after the last project: `{line.text.strip()}`", RESTORE, line.number)
    return Instance(
        name=src.path.stem,
        jobs=tuple(act.job for act in acts),
        precedences=_rcmp_precedences(src, acts),
        projects=tuple(projects),
        resources=tuple(Resource(f"R{k + 1}", c) for k, c in enumerate(caps)),
        source=src.file,
    )

"""Readers for scheduling benchmark files: PSPLIB ``.sm`` / ``.mm``, MPLIB ``.rcmp`` and optimum tables.

Every reader returns a frozen :class:`~rackforge.schedule.instance.Instance`. Job ids in the files are
mapped through a dictionary, so ids need not be contiguous, sorted or topologically numbered. Bad input
raises :class:`~rackforge.errors.InputError` naming the file, the 1-based line and column, a key path
``(section, job, field)`` and a fix. Demands above capacity are not errors here (a model matter).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rackforge.errors import InputError, KeyPath, Problem
from rackforge.schedule.instance import Instance, Job, Mode, Precedence, Project, Resource

__all__ = ["read_instance", "read_j30_optima", "read_mm", "read_mm_optima", "read_psplib", "read_rcmp", "read_sm"]

StrPath = str | os.PathLike[str]

INFEASIBLE_MAKESPAN = 16384
"""Makespan the PSPLIB ``j10opt.mm`` / ``j20opt.mm`` tables give to generated instances with no solution."""

_INFO, _PREC, _REQ, _AVAIL = (
    "PROJECT INFORMATION",
    "PRECEDENCE RELATIONS",
    "REQUESTS/DURATIONS",
    "RESOURCEAVAILABILITIES",
)
_HEADER_ROWS = {_INFO: 1, _PREC: 1, _REQ: 2, _AVAIL: 1}
_RESTORE = "the file looks truncated or edited; restore it from the original benchmark file"
_TOKEN = re.compile(r"\S+")
_SUCCESSOR = re.compile(r"(\d+):(\d+)")
_TABLE_SPLIT = re.compile(r"[,\s]+")
_INTEGER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class _Line:
    """One non-blank line: 1-based number, raw text, whitespace-separated tokens and their 1-based columns."""

    number: int
    text: str
    tokens: tuple[str, ...]
    columns: tuple[int, ...]


class _Source:
    """The non-blank lines of one file, and the located errors about them."""

    def __init__(self, path: StrPath) -> None:
        self.path = Path(path)
        self.file = str(path)
        try:
            text = self.path.read_text(encoding="latin-1")
        except FileNotFoundError:
            raise self.error((), "the file does not exist", "check the path and the file name") from None
        except OSError as exc:
            raise self.error((), f"cannot read the file ({exc.strerror})", "check the path and permissions") from None
        self.lines = [_split_line(n, s) for n, s in enumerate(text.splitlines(), start=1) if s.strip()]
        if not self.lines:
            raise self.error((), "the file is empty", "give a benchmark file with content")

    @property
    def end(self) -> int:
        """Number of the last non-blank line."""
        return self.lines[-1].number

    def error(self, key: KeyPath, what: str, fix: str, line: int = 1, column: int = 1) -> InputError:
        """An :class:`InputError` located in this file."""
        return InputError(Problem(key=key, what=what, fix=fix, file=self.file, line=line, column=column))

    def integer(self, line: _Line, i: int, key: KeyPath, minimum: int | None = 0) -> int:
        """Token ``i`` of ``line`` as an integer ``>= minimum`` (no bound when ``minimum`` is ``None``)."""
        if i >= len(line.tokens):
            raise self.error(
                key, f"a number is missing (the line has {len(line.tokens)} values)", _RESTORE, line.number
            )
        token, column = line.tokens[i], line.columns[i]
        try:
            value = int(token)
        except ValueError:
            raise self.error(key, f"`{token}` is not an integer", "write a whole number", line.number, column) from None
        if minimum is not None and value < minimum:
            raise self.error(key, f"{value} is below {minimum}", f"write a number >= {minimum}", line.number, column)
        return value


def _split_line(number: int, text: str) -> _Line:
    """Tokenise one line, keeping each token's column."""
    found = list(_TOKEN.finditer(text))
    return _Line(number, text, tuple(m.group() for m in found), tuple(m.start() + 1 for m in found))


@dataclass
class _Section:
    """The rows of one PSPLIB section; ``closed`` when a ``***`` line ended it (not the end of the file)."""

    title: _Line
    rows: list[_Line] = field(default_factory=list)
    closed: bool = False


@dataclass(frozen=True)
class _PrecRow:
    """One row of PRECEDENCE RELATIONS: job id, number of modes, successor ids (tokens 3.. of ``line``)."""

    job: int
    modes: int
    successors: tuple[int, ...]
    line: _Line


def _sections(src: _Source) -> tuple[list[_Line], dict[str, _Section]]:
    """Split a PSPLIB file into its header lines (before the first section) and its titled sections."""
    head: list[_Line] = []
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    for line in src.lines:
        title = next((t for t in _HEADER_ROWS if line.text.strip().startswith(t)), None)
        if line.tokens[0].startswith("*"):
            if current is not None:
                current.closed = True
            current = None
        elif title is not None:
            current = sections[title] = _Section(line)
        elif current is not None:
            current.rows.append(line)
        elif not sections:
            head.append(line)
    return head, sections


def _header(src: _Source, head: list[_Line], name: str, default: int | None = None) -> int:
    """The integer after the ``:`` of the header line labelled ``name`` (e.g. ``jobs``, ``renewable``)."""
    for line in head:
        label, colon, rest = line.text.partition(":")
        if colon and label.strip(" -\t").startswith(name):
            offset = len(label) + 1
            value = _split_line(line.number, rest)
            shifted = _Line(line.number, rest, value.tokens, tuple(c + offset for c in value.columns))
            return src.integer(shifted, 0, ("header", name))
    if default is not None:
        return default
    raise src.error(("header", name), f"the header line `{name} :` is missing", _RESTORE, 1)


def _data(src: _Source, sections: dict[str, _Section], title: str) -> _Section:
    """Section ``title`` without its column-header rows."""
    if title not in sections:
        raise src.error((title,), f"the section `{title}` is missing", _RESTORE, src.end)
    sec = sections[title]
    return _Section(sec.title, sec.rows[_HEADER_ROWS[title] :], sec.closed)


def _end_of(src: _Source, sec: _Section) -> int:
    """Line just past a section's last row (where a missing row should have been)."""
    if not sec.closed:
        return src.end
    return (sec.rows[-1] if sec.rows else sec.title).number + 1


def _precedence_rows(src: _Source, sec: _Section, n_jobs: int) -> list[_PrecRow]:
    """Parse PRECEDENCE RELATIONS: ``job #modes #successors successor...`` per row, one row per job."""
    rows: dict[int, _PrecRow] = {}
    for line in sec.rows:
        job = src.integer(line, 0, (_PREC, "jobnr."), minimum=None)
        key: KeyPath = (_PREC, f"job {job}")
        if job in rows:
            raise src.error(
                key,
                f"job {job} has a second row (first on line {rows[job].line.number})",
                "give each job one precedence row",
                line.number,
            )
        modes = src.integer(line, 1, (*key, "#modes"), minimum=1)
        count = src.integer(line, 2, (*key, "#successors"))
        if len(line.tokens) != 3 + count:
            raise src.error(
                (*key, "successors"),
                f"{len(line.tokens) - 3} successors listed but #successors is {count}",
                "make #successors equal the number of ids that follow it",
                line.number,
            )
        successors = tuple(src.integer(line, 3 + i, (*key, "successors"), None) for i in range(count))
        rows[job] = _PrecRow(job, modes, successors, line)
    if len(rows) != n_jobs:
        what = f"{len(rows)} job rows, but the header says {n_jobs} jobs"
        raise src.error((_PREC,), what, f"{_RESTORE}, or correct the `jobs` header", _end_of(src, sec))
    return list(rows.values())


def _request_rows(src: _Source, sec: _Section, names: list[str]) -> dict[int, dict[int, tuple[Mode, _Line]]]:
    """Parse REQUESTS/DURATIONS into job id -> mode number -> (mode, line).

    A job's first row is ``job mode duration demands...``; rows for further modes omit the job id.
    """
    width, n_renewable = len(names), sum(n.startswith("R") for n in names)
    out: dict[int, dict[int, tuple[Mode, _Line]]] = {}
    job: int | None = None
    for line in sec.rows:
        if len(line.tokens) == width + 3:
            job = src.integer(line, 0, (_REQ, "jobnr."), minimum=None)
        elif len(line.tokens) != width + 2 or job is None:
            what = f"{len(line.tokens)} values; expected {width + 3} (job mode duration demands)"
            raise src.error((_REQ,), what + f" or {width + 2} on a further-mode row", _RESTORE, line.number)
        key: KeyPath = (_REQ, f"job {job}")
        at = len(line.tokens) - width - 2
        number = src.integer(line, at, (*key, "mode"), minimum=1)
        duration = src.integer(line, at + 1, (*key, f"mode {number}", "duration"))
        use = tuple(src.integer(line, at + 2 + k, (*key, f"mode {number}", n)) for k, n in enumerate(names))
        modes = out.setdefault(job, {})
        if number in modes:
            raise src.error((*key, "mode"), f"mode {number} appears twice", "number the modes 1..m", line.number)
        modes[number] = (Mode(duration, use[:n_renewable], use[n_renewable:]), line)
    return out


def _job_modes(src: _Source, sec: _Section, row: _PrecRow, found: dict[int, tuple[Mode, _Line]]) -> tuple[Mode, ...]:
    """The modes of one job in mode order, checked against the ``#modes`` of its precedence row."""
    key: KeyPath = (_REQ, f"job {row.job}")
    if not found:
        truncated = "" if sec.closed else " (the file ends inside this section)"
        raise src.error(key, f"job {row.job} has no rows{truncated}", _RESTORE, _end_of(src, sec))
    if sorted(found) != list(range(1, row.modes + 1)):
        what = f"modes {sorted(found)} listed, but line {row.line.number} declares {row.modes} modes"
        fix = "list modes 1..m once each, or correct #modes in PRECEDENCE RELATIONS"
        raise src.error(key, what, fix, min(line.number for _, line in found.values()))
    return tuple(found[m][0] for m in sorted(found))


def _psplib_precedences(src: _Source, rows: list[_PrecRow], index: dict[int, int]) -> tuple[Precedence, ...]:
    """Finish-to-start, zero-lag precedences between job indices; every successor id must be a job."""
    out = []
    for row in rows:
        for i, succ in enumerate(row.successors):
            if succ not in index:
                raise src.error(
                    (_PREC, f"job {row.job}", "successors"),
                    f"successor {succ} is not a job",
                    "use an id that has its own precedence row",
                    row.line.number,
                    row.line.columns[3 + i],
                )
            out.append(Precedence(index[row.job], index[succ]))
    return tuple(out)


def read_psplib(path: StrPath) -> Instance:
    """Read a PSPLIB ``.sm`` (single-mode) or ``.mm`` (multi-mode) file; the content decides which.

    One project named after the file stem, released at ``rel.date``, with no due date (PSPLIB's
    ``duedate`` is the MPM time, not a deadline). Jobs are named by their id (``"1"``, ``"2"``...) and
    indexed in the order of their PRECEDENCE RELATIONS rows. Renewable resources are ``R1..RK``
    (capacity per period); non-renewable capacities (totals) go to ``Instance.nonrenewable``.
    """
    src = _Source(path)
    head, sections = _sections(src)
    n_jobs = _header(src, head, "jobs")
    n_ren, n_non = _header(src, head, "renewable"), _header(src, head, "nonrenewable", 0)
    for name, supported in (("projects", 1), ("doubly constrained", 0)):
        if _header(src, head, name, supported) != supported:
            raise src.error(("header", name), f"only {name} = {supported} is supported", "use another reader", 1)
    info = _data(src, sections, _INFO)
    if not info.rows:
        raise src.error((_INFO,), "the project row is missing", _RESTORE, _end_of(src, info))
    release = src.integer(info.rows[0], 2, (_INFO, "rel.date"))
    prec = _precedence_rows(src, _data(src, sections, _PREC), n_jobs)
    names = [f"R{k + 1}" for k in range(n_ren)] + [f"N{k + 1}" for k in range(n_non)]
    req = _data(src, sections, _REQ)
    found = _request_rows(src, req, names)
    index = {row.job: i for i, row in enumerate(prec)}
    for job, modes in found.items():
        if job not in index:
            line = min(ln.number for _, ln in modes.values())
            raise src.error((_REQ, f"job {job}"), f"job {job} has no PRECEDENCE RELATIONS row", _RESTORE, line)
    jobs = tuple(Job(str(r.job), 0, _job_modes(src, req, r, found.get(r.job, {}))) for r in prec)
    caps = _capacities(src, _data(src, sections, _AVAIL), names)
    return Instance(
        name=src.path.stem,
        jobs=jobs,
        precedences=_psplib_precedences(src, prec, index),
        projects=(Project(src.path.stem, release=release),),
        resources=tuple(Resource(n, c) for n, c in zip(names[:n_ren], caps[:n_ren], strict=True)),
        nonrenewable=caps[n_ren:],
        source=src.file,
    )


def _capacities(src: _Source, sec: _Section, names: list[str]) -> tuple[int, ...]:
    """The one row of RESOURCEAVAILABILITIES: renewable capacities then non-renewable budgets."""
    if not sec.rows:
        raise src.error((_AVAIL,), "the capacity row is missing", _RESTORE, _end_of(src, sec))
    line = sec.rows[0]
    if len(line.tokens) != len(names):
        raise src.error((_AVAIL,), f"{len(line.tokens)} capacities for {len(names)} resources", _RESTORE, line.number)
    return tuple(src.integer(line, k, (_AVAIL, n)) for k, n in enumerate(names))


def read_sm(path: StrPath) -> Instance:
    """Read a PSPLIB single-mode ``.sm`` file (see :func:`read_psplib`)."""
    return read_psplib(path)


def read_mm(path: StrPath) -> Instance:
    """Read a PSPLIB multi-mode ``.mm`` file (see :func:`read_psplib`)."""
    return read_psplib(path)


class _Cursor:
    """Walks the non-blank lines of an MPLIB file one at a time."""

    def __init__(self, src: _Source) -> None:
        self.src = src
        self.pos = 0

    def next(self, key: KeyPath, what: str) -> _Line:
        """The next line; a located error if the file ends first."""
        if self.pos >= len(self.src.lines):
            raise self.src.error(key, f"the file ends where {what} was expected", _RESTORE, self.src.end)
        self.pos += 1
        return self.src.lines[self.pos - 1]

    def ints(self, count: int, key: KeyPath, what: str) -> tuple[int, ...]:
        """The next line as exactly ``count`` non-negative integers."""
        line = self.next(key, what)
        if len(line.tokens) != count:
            raise self.src.error(key, f"{len(line.tokens)} values; expected {count} ({what})", _RESTORE, line.number)
        return tuple(self.src.integer(line, i, key) for i in range(count))


@dataclass(frozen=True)
class _Activity:
    """One MPLIB activity: its job, and its successors as ``(name, column)``, unresolved."""

    job: Job
    successors: tuple[tuple[str, int], ...]
    line: _Line


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


def _rcmp_precedences(src: _Source, acts: list[_Activity]) -> tuple[Precedence, ...]:
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
    src = _Source(path)
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
        raise src.error((), f"unexpected text after the last project: `{line.text.strip()}`", _RESTORE, line.number)
    return Instance(
        name=src.path.stem,
        jobs=tuple(act.job for act in acts),
        precedences=_rcmp_precedences(src, acts),
        projects=tuple(projects),
        resources=tuple(Resource(f"R{k + 1}", c) for k, c in enumerate(caps)),
        source=src.file,
    )


def read_instance(path: StrPath) -> Instance:
    """Read a benchmark instance chosen by extension: ``.sm``/``.mm`` (PSPLIB), ``.rcmp`` or ``.txt`` (MPLIB).

    A ``.txt`` file whose first line starts with ``*`` is read as PSPLIB.
    """
    suffix = Path(path).suffix.lower()
    if suffix in {".sm", ".mm"}:
        return read_psplib(path)
    if suffix == ".rcmp":
        return read_rcmp(path)
    if suffix == ".txt":
        return read_psplib(path) if _Source(path).lines[0].tokens[0].startswith("*") else read_rcmp(path)
    what = f"unknown instance extension `{suffix or '(none)'}`"
    raise InputError(Problem((), what, "use a .sm, .mm, .rcmp or MPLIB .txt file", file=str(path)))


def _table(path: StrPath, prefix: str | None) -> dict[str, int]:
    """Rows ``par inst makespan ...`` (whitespace or comma separated) as ``{prefix}{par}_{inst}`` -> makespan.

    Only lines whose first three fields are integers count; the rest is header and free text.
    """
    src = _Source(path)
    if prefix is None:
        match = re.match(r"[A-Za-z]+\d+", src.path.stem)
        if match is None:
            raise src.error(
                (),
                f"cannot tell the instance set from the name `{src.path.stem}`",
                "name the file like j30opt.sm or pass prefix=",
                1,
            )
        prefix = match.group()
    out = {}
    for line in src.lines:
        fields = _TABLE_SPLIT.split(line.text.strip())
        if len(fields) >= 3 and all(_INTEGER.fullmatch(f) for f in fields[:3]):
            out[f"{prefix}{int(fields[0])}_{int(fields[1])}"] = int(fields[2])
    if not out:
        raise src.error((), "no `parameter instance makespan` rows", "give a PSPLIB solution table", 1)
    return out


def read_j30_optima(path: StrPath, prefix: str | None = None) -> dict[str, int]:
    """Makespans from ``j30opt.sm`` or a ``jXXhrs.sm`` table, keyed like ``"j301_1"``.

    The key prefix comes from the file stem (``j30opt`` -> ``j30``, ``j60hrs`` -> ``j60``) unless given.
    """
    return _table(path, prefix)


def read_mm_optima(path: StrPath, prefix: str | None = None) -> dict[str, int]:
    """Optimal makespans from ``j10opt.mm`` / ``j20opt.mm`` (comma separated), keyed like ``"j1010_1"``.

    Rows marked :data:`INFEASIBLE_MAKESPAN` (generated instances without a solution, which PSPLIB does
    not ship) are left out.
    """
    return {k: v for k, v in _table(path, prefix).items() if v != INFEASIBLE_MAKESPAN}

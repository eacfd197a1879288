"""``rackforge scenario ...`` and ``rackforge runs ...``: the store from the command line (thin wrappers
over :mod:`rackforge.store`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rackforge.errors import InputError, Problem
from rackforge.report.tabular import table
from rackforge.terminal import guarded, out, print_json, show

if TYPE_CHECKING:
    from rackforge.compare import Document
    from rackforge.store import RunRecord, Store

scenario_app = typer.Typer(no_args_is_help=True, help="Save, list, show, export and compare stored scenarios.")
runs_app = typer.Typer(no_args_is_help=True, help="Runs recorded in the store.")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
Ref = Annotated[str, typer.Argument(help="NAME or NAME@VERSION of a stored scenario.", show_default=False)]


def _store() -> Store:
    from rackforge.store import Store

    return Store()


def _json(doc: Any) -> None:
    print_json(doc)


@scenario_app.command("save")
def save(
    file: Annotated[Path, typer.Argument(help="Scenario YAML to save.", show_default=False)],
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeat for more).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the scenario as ``validate`` does and save it as its name's next version (none when unchanged)."""
    from rackforge.inputs import load_inputs

    inputs = load_inputs(file)
    text = file.read_text(encoding="utf-8")
    with _store() as store:
        record, added = store.save_scenario(inputs.scenario.name, text, tag or ())
    if as_json:
        _json(record.to_dict() | {"added": added})
        return
    out.print(f"saved {record.ref}" if added else f"unchanged: {record.ref} already holds this file")


@scenario_app.command("list")
def list_scenarios(as_json: JsonOpt = False) -> None:
    """Every stored scenario: its latest version, how many versions, when, by whom, tags."""
    with _store() as store:
        found = store.scenarios()
    if as_json:
        _json({"scenarios": [r.to_dict() | {"versions": n} for r, n in found]})
        return
    rows = [[r.name, r.version, n, r.created.strftime("%Y-%m-%d %H:%M"), r.author, ", ".join(r.tags)] for r, n in found]
    show([table("Stored scenarios", ["name", "latest", "versions", "saved", "by", "tags"], rows, text=(0, 3, 4, 5))])


@scenario_app.command("show")
def show_scenario(ref: Ref, as_json: JsonOpt = False) -> None:
    """One version: who saved it and when, its runs, and its YAML text."""
    with _store() as store:
        record = store.scenario(ref)
        runs = store.runs(scenario=record.name)
    mine = [r for r in runs if r.scenario == record.ref]
    if as_json:
        _json(record.to_dict(with_text=True) | {"runs": [r.to_dict() for r in mine]})
        return
    out.print(
        f"{record.ref}: saved {record.created:%Y-%m-%d %H:%M} by {record.author}; tags: {', '.join(record.tags) or '-'}"
    )
    out.print(f"runs: {', '.join(f'{r.id} ({r.status})' for r in mine) or 'none'}")
    out.print(record.yaml_text, markup=False, highlight=False, end="")


@scenario_app.command("export")
def export(
    ref: Ref,
    out_file: Annotated[Path, typer.Option("-o", "--out", help="YAML file to write.", show_default=False)],
) -> None:
    """Write a stored version's YAML text, exactly as saved."""
    with _store() as store:
        record = store.scenario(ref)
    out_file.write_text(record.yaml_text, encoding="utf-8")
    out.print(f"wrote {out_file} ({record.ref})")


@runs_app.command("list")
def list_runs(
    scenario: Annotated[str | None, typer.Option("--scenario", help="Only runs of this scenario name.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Recorded runs, newest first, with their key figures."""
    with _store() as store:
        runs = store.runs(limit, scenario)
    if as_json:
        _json({"runs": [r.to_dict() for r in runs]})
        return
    rows = [_run_row(r) for r in runs]
    columns = [
        "run",
        "scenario",
        "status",
        "started",
        "s",
        "accelerators",
        "BOM US$ M",
        "supply US$ M",
        "worst wave on time",
    ]
    show([table("Runs", columns, rows, text=(1, 2, 3))])


def _millions(usd: float | None) -> float | str:
    return "-" if usd is None else round(usd / 1e6, 1)


def _run_row(r: RunRecord) -> list[Any]:
    f = r.figures
    millions = _millions
    share = "-" if f["on_time_share"] is None else f"{f['on_time_share']:.0%}"
    started = "-" if r.started is None else f"{r.started:%Y-%m-%d %H:%M}"
    runtime = "-" if r.runtime_s is None else round(r.runtime_s, 1)
    return [r.id, r.scenario, r.status, started, runtime, f["accelerators"] or "-", millions(f["bom_cost_usd"]),
            millions(f["supply_cost_usd"]), share]  # fmt: skip


@runs_app.command("show")
def show_run(
    run: Annotated[int, typer.Argument(help="Run id (see `rackforge runs list`).", show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    """One run: state, timing, key figures; with ``--json`` its whole result document too."""
    with _store() as store:
        record = store.run(run)
    if as_json:
        _json(record.to_dict(with_result=True))
        return
    show([table(f"Run {record.id} of {record.scenario}", ["", ""], _run_lines(record), text=(0, 1))])


def _run_lines(r: RunRecord) -> list[list[Any]]:
    lines = [["status", r.status], ["progress", f"{r.progress:.0%}"], ["rackforge", r.rackforge_version],
             ["started", str(r.started)], ["finished", str(r.finished)], ["error", r.error or "-"]]  # fmt: skip
    return lines + [[key, "-" if value is None else str(value)] for key, value in r.figures.items()]


@scenario_app.command("diff")
def diff_cmd(
    a: Annotated[str, typer.Argument(help="NAME[@VERSION] of a stored scenario, or a YAML file.", show_default=False)],
    b: Annotated[str, typer.Argument(help="The other one.", show_default=False)],
    as_json: JsonOpt = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write the comparison page here.")] = None,
) -> None:
    """What changed from A to B: inputs by key path, then the key figures of their latest runs."""
    from rackforge.compare import diff
    from rackforge.report.compare import compare_html, compare_view

    with _store() as store:
        (doc_a, result_a), (doc_b, result_b) = _side(store, a), _side(store, b)
    found = diff(a, doc_a, result_a, b, doc_b, result_b)
    if html is not None:
        html.write_text(compare_html(found), encoding="utf-8")
    if as_json:
        _json(found.to_dict())
        return
    show(compare_view(found) + ([f"wrote {html}"] if html is not None else []))


def _side(store: Store, ref: str) -> tuple[Document, dict[str, Any] | None]:
    """The YAML text of a file or the stored document of a version, and the result of the newest finished
    run of that version (for a file: of the stored version with the same text), if any."""
    from rackforge.store import content_hash

    path = Path(ref)
    if path.suffix in (".yaml", ".yml", ".json") or path.exists():
        if not path.is_file():
            raise InputError(Problem(("scenario",), f"no file {ref}", "give an existing YAML file", "<command line>"))
        text = path.read_text(encoding="utf-8")
        record = store.by_hash(content_hash(text))
        if record is None:
            return text, None
    else:
        record = store.scenario(ref)
    run = store.latest_run(record)
    return store.document(record), None if run is None else run.result


def sweep_cmd(
    scenario: Annotated[Path, typer.Argument(help="Base scenario YAML.", show_default=False)],
    sets: Annotated[
        list[str],
        typer.Option("--set", help="PATH=v1,v2,... (dotted; list items by index or name: sites.0.pue, sites[a].pue)."),
    ],
    dask: Annotated[
        str, typer.Option("--dask", help="`local` (a LocalCluster), tcp://HOST:PORT, or `none` (in this process).")
    ] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, help="Workers of the LocalCluster.")] = 2,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for each point's plan.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan every point of the grid of ``--set`` values, store each run, and compare them in one table."""
    from rackforge.cluster import dask_mapper
    from rackforge.inputs import load_inputs
    from rackforge.report.sweep import sweep_doc, sweep_view
    from rackforge.store import default_url
    from rackforge.store.sweep import grid, parse_sets, sweep

    base = load_inputs(scenario)
    settings = parse_sets(sets)
    points = grid(base.scenario.name, scenario.read_text(encoding="utf-8"), settings, scenario.resolve().parent)
    url = default_url()
    with _store():
        pass
    if dask == "none":
        runs = sweep(url, points, time_limit)
    else:
        with dask_mapper(None if dask == "local" else dask, workers) as mapper:
            runs = sweep(url, points, time_limit, mapper)
    if as_json:
        _json(sweep_doc(runs))
        return
    show(sweep_view(runs))


user_app = typer.Typer(no_args_is_help=True, help="Users of the web application and REST API.")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name (unique).", show_default=False)],
    org: Annotated[str, typer.Option("--org", help="The user's organization, e.g. the lab or the manufacturer.")],
    role: Annotated[str, typer.Option("--role", help="viewer | planner | admin")],
) -> None:
    """Add a user and print its API token, once: the store keeps only its hash."""
    from rackforge.store.users import Role, add_user

    if role not in {r.value for r in Role}:
        what = f"unknown role `{role}`"
        raise InputError(Problem(("--role",), what, "use viewer, planner or admin", "<command line>"))
    with _store() as store:
        user, token = add_user(store, name, org, Role(role))
    out.print(f"added {user.name} ({user.role}, {user.organization}); API token, shown only now:")
    out.print(token, markup=False, highlight=False)


@user_app.command("token")
def user_token(name: Annotated[str, typer.Argument(help="User name.", show_default=False)]) -> None:
    """Give a user a new token (printed once; the old one stops working, a revoked user is active again)."""
    from rackforge.store.users import reissue_token

    with _store() as store:
        user, token = reissue_token(store, name)
    out.print(f"new API token for {user.name} ({user.role}, {user.organization}), shown only now:")
    out.print(token, markup=False, highlight=False)


@user_app.command("list")
def user_list(as_json: JsonOpt = False) -> None:
    """Every user: organization, role, since when, and whether revoked (never a token)."""
    from rackforge.store.users import list_users

    with _store() as store:
        found = list_users(store)
    if as_json:
        _json({"users": [{"name": u.name, "organization": u.organization, "role": str(u.role),
                          "created": u.created.isoformat(), "active": u.active} for u in found]})  # fmt: skip
        return
    rows = [[u.name, u.organization, str(u.role), u.created.strftime("%Y-%m-%d"), "yes" if u.active else "revoked"]
            for u in found]  # fmt: skip
    show([table("Users", ["name", "organization", "role", "since", "active"], rows, text=(0, 1, 2, 3, 4))])


@user_app.command("revoke")
def user_revoke(name: Annotated[str, typer.Argument(help="User name.", show_default=False)]) -> None:
    """Revoke a user's token: requests with it are refused from now on."""
    from rackforge.store.users import revoke_user

    with _store() as store:
        user = revoke_user(store, name)
    out.print(f"revoked {user.name}'s token")


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Run workers (processes planning queued runs).")] = 2,
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=1, help="Seconds of solver time a run may take at most.")
    ] = 600.0,
) -> None:
    """Serve the web application and the REST API (``/api/v1``, OpenAPI at ``/openapi.json``) on the store."""
    import uvicorn

    from rackforge.api import ServerSettings, create_app
    from rackforge.store import default_url

    settings = ServerSettings(default_url(), workers=workers, time_limit_s=time_limit)
    out.print(f"rackforge serving http://{host}:{port}/ on {workers} run workers; stop with Ctrl+C")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def store_app() -> typer.Typer:
    """The store's commands alone (``rackforge scenario|runs|user ...`` start without the planning stages)."""
    light = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
    light.add_typer(scenario_app, name="scenario")
    light.add_typer(runs_app, name="runs")
    light.add_typer(user_app, name="user")
    light.command("serve")(serve_cmd)
    return light


def main() -> None:
    """Run the store's commands with rackforge's exit codes."""
    guarded(store_app())

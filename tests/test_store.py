"""The scenario store on SQLite and PostgreSQL: migrations (upgrade from empty, downgrade, the models
match them), versions (an unchanged file adds none), runs and their key figures, and the commands."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, update

from rackforge.compare import diff
from rackforge.errors import InputError
from rackforge.store import Store, content_hash
from rackforge.store.engine import make_engine
from rackforge.store.figures import FIGURES, figures_of
from rackforge.store.migrate import config, current, downgrade, upgrade
from rackforge.store.schema import REVISION, Base, ScenarioRow
from tests.test_supply import SMALL


def test_migrations_upgrade_downgrade_and_match_the_models(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    assert current(engine) is None
    upgrade(engine)
    assert current(engine) == REVISION == ScriptDirectory.from_config(config(engine)).get_current_head()
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == [], (
            "autogenerate finds nothing"
        )
        assert {"scenarios", "runs"} <= set(inspect(connection).get_table_names())
    downgrade(engine)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current(engine) == REVISION
    engine.dispose()


def test_versions_are_added_only_for_changed_text(fresh_database_url: str) -> None:
    with Store(fresh_database_url) as store:
        first, added = store.save_scenario("campus", "name: campus\n", ["baseline", "baseline"])
        assert (first.ref, added, first.tags) == ("campus@1", True, ("baseline",))
        again, added = store.save_scenario("campus", "name: campus\n")
        assert (again.ref, added) == ("campus@1", False), "an unchanged file adds no version"
        second, added = store.save_scenario("campus", "name: campus\npue: 1.3\n")
        assert (second.ref, added) == ("campus@2", True)
        back, added = store.save_scenario("campus", "name: campus\n")
        assert (back.ref, added) == ("campus@1", False), "switching back to an earlier file adds nothing"
        store.save_scenario("other", "name: other\n")
        assert store.scenario("campus").ref == "campus@2"
        assert store.scenario("campus@1").yaml_text == "name: campus\n"
        assert store.scenario("campus@1").content_hash == content_hash("name: campus\n")
        assert [(r.ref, n) for r, n in store.scenarios()] == [("campus@2", 2), ("other@1", 1)]
        assert [v.version for v in store.versions("campus")] == [1, 2]
        assert store.by_hash(content_hash("name: campus\npue: 1.3\n")) == second
        with pytest.raises(InputError, match=r"no stored scenario `campu`.*did you mean `campus`"):
            store.scenario("campu")
        with pytest.raises(InputError, match="stored versions: campus@1, campus@2"):
            store.scenario("campus@7")
        with pytest.raises(InputError, match="not a version number"):
            store.scenario("campus@x")


def test_a_version_keeps_its_document_and_compares_as_its_text(fresh_database_url: str) -> None:
    a = "name: campus\nstart: 2027-01-04\nsites: [{name: a, pue: 1.2}, {name: b, pue: .nan}]\n"
    b = "name: campus\nstart: 2027-01-11\nsites: [{name: b, pue: .nan}, {name: a, pue: 1.25}]\n"
    with Store(fresh_database_url) as store:
        old, new = store.save_scenario("campus", a)[0], store.save_scenario("campus", b)[0]
        doc = store.document(old)
        assert doc == {"name": "campus", "start": "2027-01-04", "sites": [{"name": "a", "pue": 1.2},
                                                                          {"name": "b", "pue": "nan"}]}  # fmt: skip
        stored = diff("A", doc, None, "B", store.document(new), None)
        assert stored == diff("A", a, None, "B", b, None), "a stored document compares as its text"
        assert [(c.path, c.old, c.new) for c in stored.changes] == [
            ("sites[a].pue", 1.2, 1.25),
            ("start", "2027-01-04", "2027-01-11"),
        ]
        listed = store.save_scenario("listed", "- 1\n- 2\n")[0]
        assert store.document(listed) == "- 1\n- 2\n", "no document for a text that is not a mapping"
        with store.transaction() as s:
            s.execute(update(ScenarioRow).where(ScenarioRow.id == old.id).values(document=None))
        assert store.document(old) == a, "a version saved before documents were kept gives its text"


def test_runs_keep_their_state_document_and_key_figures(fresh_database_url: str) -> None:
    doc = {
        "sizing": {"sites": [{"accelerators": np.int64(72), "power": {"it_mw": 1.5, "facility_mw": 1.8}}]},
        "bom": {"total_cost_usd": np.float64(3.5e6), "tariffs": {"total_usd": 10.0}},
        "supply": {"status": "optimal", "objective": math.nan,
                   "kpis": {"cost_usd": {"total": 4.0e6}, "on_time_share": {"dc week 70": 0.5, "dc week 80": 1.0}}},
    }  # fmt: skip
    with Store(fresh_database_url) as store:
        record, _ = store.save_scenario("small", "name: small\n")
        done = store.start_run(record)
        assert store.run(done).status == "running"
        store.progress(done, 0.4)
        assert store.run(done).progress == pytest.approx(0.4)
        store.finish_run(done, doc)
        failed = store.start_run(record)
        store.fail_run(failed, "TimeLimitError: no plan in 1 s")
        run = store.run(done)
        assert (run.status, run.progress, run.scenario) == ("done", 1.0, "small@1")
        assert run.result is not None
        assert run.result["supply"]["objective"] is None, "NaN is stored as null"
        assert run.result["sizing"]["sites"][0]["accelerators"] == 72
        assert run.figures == figures_of(run.result)
        assert tuple(figures_of({})) == FIGURES, "every key figure has its column"
        assert run.figures["accelerators"] == 72
        assert run.figures["on_time_share"] == 0.5
        assert run.runtime_s is not None
        assert run.runtime_s >= 0
        assert [r.id for r in store.runs()] == [failed, done]
        assert store.run(failed).error == "TimeLimitError: no plan in 1 s"
        assert store.latest_run(record).id == done  # type: ignore[union-attr]
        with pytest.raises(InputError, match="no run 99"):
            store.run(99)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def test_the_store_commands(run, small: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = run("scenario", "save", small, "--tag", "baseline", "--json")
    assert saved.code == 0, saved.err
    assert json.loads(saved.out) | {"created": None} == json.loads(saved.out) | {
        "name": "small", "version": 1, "ref": "small@1", "added": True, "tags": ["baseline"], "created": None,
    }  # fmt: skip
    assert "unchanged: small@1" in run("scenario", "save", small).out
    changed = tmp_path / "changed.yaml"
    changed.write_text(SMALL.replace("count: 8", "count: 12"))
    assert "saved small@2" in run("scenario", "save", changed).out
    listed = json.loads(run("scenario", "list", "--json").out)["scenarios"]
    assert [(s["ref"], s["versions"]) for s in listed] == [("small@2", 2)]
    exported = tmp_path / "back.yaml"
    assert run("scenario", "export", "small@1", "-o", exported).code == 0
    assert exported.read_text() == SMALL
    shown = json.loads(run("scenario", "show", "small@2", "--json").out)
    assert shown["yaml"] == changed.read_text()
    bad = run("scenario", "show", "smal@1")
    assert bad.code == 2
    assert "did you mean `small`" in bad.err
    first = run("plan", small, "--save", "--out", tmp_path / "a", "--json")
    second = run("plan", changed, "--save", "--out", tmp_path / "b", "--json")
    assert first.code == second.code == 0, first.err + second.err
    runs = json.loads(run("runs", "list", "--json").out)["runs"]
    assert [(r["scenario"], r["status"]) for r in runs] == [("small@2", "done"), ("small@1", "done")]
    one = json.loads(run("runs", "show", str(runs[1]["id"]), "--json").out)
    assert one["result"]["bom"]["total_cost_usd"] == pytest.approx(json.loads(first.out)["bom"]["total_cost_usd"])
    assert one["figures"]["accelerators"] == 8 * 72
    page = tmp_path / "diff.html"
    diffed = run("scenario", "diff", "small@1", "small@2", "--json", "--html", page)
    assert diffed.code == 0, diffed.err
    doc = json.loads(diffed.out)
    assert [(c["path"], c["old"], c["new"]) for c in doc["changes"]] == [("clusters[c].count", 8, 12)]
    accelerators = next(k for k in doc["kpis"] if k["key"] == "sizing.accelerators")
    assert accelerators["delta"] == 4 * 72
    assert "clusters[c].count" in page.read_text()
    files = json.loads(run("scenario", "diff", small, changed, "--json").out)
    assert files["changes"] == doc["changes"]
    assert files["kpis"] is not None, "a file's stored version brings its latest run"


def test_a_postgresql_store_through_the_command_line(run, small: Path, postgres_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RACKFORGE_DB", postgres_url)
    saved = run("scenario", "save", small, "--json")
    assert saved.code == 0, saved.err
    listed = json.loads(run("scenario", "list", "--json").out)["scenarios"]
    assert "small" in [s["name"] for s in listed]


def _without_times(doc: object) -> object:
    """A result document without its wall-clock figures (they differ between any two runs)."""
    if isinstance(doc, dict):
        return {k: _without_times(v) for k, v in doc.items() if k not in ("runtime_s", "build_s")}
    if isinstance(doc, list):
        return [_without_times(v) for v in doc]
    return doc


def test_a_sweep_stores_every_point_and_the_same_on_dask(run, small: Path) -> None:  # type: ignore[no-untyped-def]
    """A 2 x 2 grid, one point invalid (PUE below 1): three planned, one recorded as failed with its error;
    the same grid on a two-worker LocalCluster stores the same documents."""
    args = ("sweep", small, "--set", "clusters.0.count=8,4", "--set", "sites.0.pue=1.2,0.5", "--json")
    local = run(*args, "--dask", "none")
    assert local.code == 0, local.err
    points = json.loads(local.out)["points"]
    assert [(p["values"], p["status"]) for p in points] == [
        ({"clusters.0.count": 8, "sites.0.pue": 1.2}, "done"), ({"clusters.0.count": 8, "sites.0.pue": 0.5}, "failed"),
        ({"clusters.0.count": 4, "sites.0.pue": 1.2}, "done"), ({"clusters.0.count": 4, "sites.0.pue": 0.5}, "failed"),
    ]  # fmt: skip
    assert "sites[0].pue" in points[1]["error"]
    assert [p["figures"]["sizing.accelerators"] for p in points if p["status"] == "done"] == [8 * 72, 4 * 72]
    stored = {r["id"]: r for r in json.loads(run("runs", "list", "--json").out)["runs"]}
    assert {stored[p["run"]]["status"] for p in points} == {"done", "failed"}
    assert stored[points[1]["run"]]["error"] == points[1]["error"]
    clustered = run(*args, "--dask", "local")
    assert clustered.code == 0, clustered.err
    again = json.loads(clustered.out)["points"]
    assert [p["status"] for p in again] == [p["status"] for p in points]
    for a, b in zip(points, again, strict=True):
        if a["status"] == "done":
            first = json.loads(run("runs", "show", str(a["run"]), "--json").out)["result"]
            second = json.loads(run("runs", "show", str(b["run"]), "--json").out)["result"]
            assert _without_times(first) == _without_times(second)


def test_a_bad_setting_is_a_command_line_error(run, small: Path) -> None:  # type: ignore[no-untyped-def]
    for bad, message in (("sites.3.pue=1.2", "the scenario has no `sites[3]`"), ("pue", "is not PATH=v1,v2")):
        result = run("sweep", small, "--set", bad, "--dask", "none")
        assert result.code == 2
        assert message in result.err
        assert "Traceback" not in result.err


def test_users_hold_a_token_the_store_never_keeps(fresh_database_url: str, run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from rackforge.store.users import Role, add_user, authenticate, revoke_user

    with Store(fresh_database_url) as store:
        ana, token = add_user(store, "ana", "lab", Role.PLANNER)
        bob, other = add_user(store, "bob", "fab", Role.VIEWER)
        assert token.startswith(f"rf_{ana.id}_")
        assert len(token) > 40
        assert authenticate(store, token) == ana
        assert authenticate(store, other) == bob
        assert authenticate(store, token[:-1] + ("x" if token[-1] != "x" else "y")) is None
        assert authenticate(store, other.replace(f"rf_{bob.id}_", f"rf_{ana.id}_")) is None, "another's id"
        assert authenticate(store, "") is None
        assert authenticate(store, "rf_x_y") is None
        with store.engine.connect() as connection:
            rows = connection.execute(text("SELECT * FROM users")).all()
        assert not any(token in str(row) or token.split("_", 2)[2] in str(row) for row in rows), "no token in clear"
        revoke_user(store, "ana")
        assert authenticate(store, token) is None
        with pytest.raises(InputError, match="a user `bob` exists"):
            add_user(store, "bob", "lab", Role.ADMIN)
    monkeypatch.setenv("RACKFORGE_DB", fresh_database_url)
    added = run("user", "add", "cara", "--org", "lab", "--role", "admin")
    assert added.code == 0, added.err
    printed = added.out.split()[-1]
    with Store(fresh_database_url) as store:
        assert authenticate(store, printed) is not None, "the printed token works"
    assert run("user", "add", "dan", "--org", "lab", "--role", "boss").code == 2
    assert run("user", "revoke", "cara").code == 0
    reissued = run("user", "token", "cara")
    assert reissued.code == 0, reissued.err
    with Store(fresh_database_url) as store:
        assert authenticate(store, printed) is None, "the old token stops working"
        assert authenticate(store, reissued.out.split()[-1]) is not None, "the revoked user is active again"
    listed = json.loads(run("user", "list", "--json").out)["users"]
    assert [(u["name"], u["organization"], u["active"]) for u in listed] == [
        ("bob", "fab", True),
        ("ana", "lab", False),
        ("cara", "lab", True),
    ]
    assert run("user", "token", "nobody").code == 2


def test_a_store_from_before_one_version_per_text_is_merged_without_losing_runs(fresh_database_url: str) -> None:
    """Version 3 repeats version 1's text (allowed before migration 0002): upgrading merges it into version 1
    and its runs move there; rebuilding the table on SQLite does not cascade to the runs."""
    import datetime as dt

    from sqlalchemy import text

    engine = make_engine(fresh_database_url)
    upgrade(engine, "0001")
    with engine.begin() as c:
        for version, body in ((1, "a"), (2, "b"), (3, "a")):
            c.execute(
                text("INSERT INTO scenarios (name, version, yaml_text, content_hash, author, created, tags) "
                     "VALUES ('n', :v, :t, :h, 'x', :c, '[]')"),
                {"v": version, "t": body, "h": content_hash(body), "c": dt.datetime.now(dt.UTC)},
            )  # fmt: skip
        ids = dict(c.execute(text("SELECT version, id FROM scenarios")).all())
        for version in (1, 3, 3, 2):
            c.execute(text("INSERT INTO runs (scenario_id, status, progress, rackforge_version) VALUES (:s, 'done', 1, 'x')"),
                      {"s": ids[version]})  # fmt: skip
    upgrade(engine)
    engine.dispose()
    with Store(fresh_database_url) as store:
        assert [(v.version, v.yaml_text) for v in store.versions("n")] == [(1, "a"), (2, "b")]
        assert sorted(r.scenario for r in store.runs()) == ["n@1", "n@1", "n@1", "n@2"], "no run lost"
        assert store.save_scenario("n", "a")[1] is False

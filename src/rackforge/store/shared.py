"""Scenarios as the users of one organization see them: their own organization's versions, and the
versions other organizations shared with theirs. The web application's queries (by id, paginated); the
command line keeps to the local organization through :class:`rackforge.store.Store`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select

from rackforge.store.records import ScenarioRecord
from rackforge.store.schema import ScenarioRow, ShareRow
from rackforge.store.store import PRIVATE, SHARED, Store, now, scenario_record, with_shares


def visible_to(organization: str) -> ColumnElement[bool]:
    """Whether a version is ``organization``'s own or shared with it (a deleted one never is)."""
    shared = exists().where(ShareRow.scenario_id == ScenarioRow.id, ShareRow.organization == organization)
    mine_or_shared = or_(ScenarioRow.organization == organization, and_(ScenarioRow.visibility == SHARED, shared))
    return and_(ScenarioRow.deleted.is_(None), mine_or_shared)


def list_scenarios(
    store: Store, organization: str, offset: int = 0, limit: int = 50, name: str | None = None
) -> tuple[list[ScenarioRecord], int]:
    """The versions ``organization`` sees, newest first, from ``offset`` (at most ``limit``), and how many
    there are in all (of one ``name`` when given)."""
    query: Select[ScenarioRow] = select(ScenarioRow).where(visible_to(organization))
    if name is not None:
        query = query.where(ScenarioRow.name == name)
    with store.reading() as s:
        total = s.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
        rows = s.scalars(query.order_by(ScenarioRow.id.desc()).offset(offset).limit(limit)).all()
        shares: dict[int, list[str]] = {}
        found = s.execute(select(ShareRow).where(ShareRow.scenario_id.in_([r.id for r in rows])))
        for share_row in found.scalars():
            shares.setdefault(share_row.scenario_id, []).append(share_row.organization)
        return [scenario_record(row, tuple(sorted(shares.get(row.id, ())))) for row in rows], total


def get_scenario(store: Store, organization: str, scenario_id: int) -> ScenarioRecord | None:
    """Version ``scenario_id`` if ``organization`` sees it, else ``None`` (unknown and hidden alike)."""
    with store.reading() as s:
        row = s.scalars(select(ScenarioRow).where(ScenarioRow.id == scenario_id, visible_to(organization))).first()
        return None if row is None else with_shares(s, row)


def share(
    store: Store, scenario_id: int, visibility: str, shared_with: Iterable[str], share_costs: bool = False
) -> ScenarioRecord:
    """Make version ``scenario_id`` private, or shared with the organizations ``shared_with`` (its
    confidential figures too when ``share_costs``)."""
    orgs = sorted(set(shared_with)) if visibility == SHARED else []
    with store.transaction() as s:
        row = s.get_one(ScenarioRow, scenario_id)
        row.visibility = visibility if visibility == SHARED else PRIVATE
        row.share_costs = share_costs and visibility == SHARED
        s.execute(delete(ShareRow).where(ShareRow.scenario_id == scenario_id))
        s.add_all(ShareRow(scenario_id=scenario_id, organization=o) for o in orgs)
        s.flush()
        return with_shares(s, row)


def delete_scenario(store: Store, scenario_id: int) -> None:
    """Hide version ``scenario_id`` and its runs; nothing is erased and its number is never reused."""
    with store.transaction() as s:
        row = s.get_one(ScenarioRow, scenario_id)
        row.deleted = row.deleted or now()

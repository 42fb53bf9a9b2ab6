"""Every write that changes what a unit's figures read replaces the unit's version, in the same transaction.

One mechanism for every writer (services, flows, the CLI, the clock), so that a new write cannot forget it: the
events of the sessions `storage.db.session_factory` makes (`TrackedSession`).
- after_flush: ORM objects added, changed or deleted (ids are known by then, old values are still in the history);
- do_orm_execute: INSERT, UPDATE and DELETE statements run through the session, which bypass the flush: the rows
  an UPDATE or DELETE is about to touch are read first with the statement's own WHERE; an INSERT's rows are read
  from its parameters; a statement that cannot be told changes the version of everything (`EVERYTHING`);
- before_commit: what was noted is resolved to units (a member to their cell, a commitment to its cell and its
  member's cell, ...) and their versions get one new random token in one upsert, just before COMMIT.
`RULES` lists the tables a figure reads (storage/report_sql.py, repo_reports.py, repo_honours.py) and the columns
whose change touches no figure. Writes made around a session (a raw connection: migrations, bench/make_data.py)
are not seen.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, attributes
from sqlalchemy.orm import SessionTransaction as OrmTransaction
from sqlalchemy.orm.util import identity_key

from storage.models import CellVersion, Commendation, Commitment, Member, StudyAttendance, StudySession
from storage.repo_base import chunked

EVERYTHING = 0  # the unit id of the version every cached figure also depends on
# Reserved unit ids: versions of what a roll-up reads whole rather than by cell (kept in the memo under them).
TREE = -1  # the organisation tree: any write to units or unit_events replaces it
HONOURS = -2  # the rows of honours: exemplars, commendations, replicated models, activities
MOVES = -3  # members' moves
SHARED_VERSIONS = (TREE, HONOURS, MOVES)
SHARED_TABLES = {
    "units": TREE,
    "unit_events": TREE,
    "exemplar_registrations": HONOURS,
    "commendations": HONOURS,
    "commendation_steps": HONOURS,
    "model_replications": HONOURS,
    "activities": HONOURS,
    "member_moves": MOVES,
}
# Columns of other tables that the honours' rows read: a member's cell and activity; a model's year, status, cell.
HONOUR_COLUMNS = {
    "members": frozenset({"cell_id", "active"}),
    "commitments": frozenset({"status", "unit_id", "year", "kind"}),
}
UNIT, MEMBER, COMMITMENT, SESSION, COMMENDATION = "unit", "member", "commitment", "session", "commendation"
KINDS = (UNIT, MEMBER, COMMITMENT, SESSION, COMMENDATION)
INFO_KEY = "figures_touched"
BUMP_CHUNK = 400  # rows per upsert: two parameters each, far below SQLite's limit


@dataclass(frozen=True)
class Rule:
    """A table a figure reads: the columns pointing at what owns a row, and the columns no figure reads."""

    refs: tuple[tuple[str, str], ...]
    ignored: frozenset[str] = frozenset()

    @property
    def ref_columns(self) -> frozenset[str]:
        return frozenset(column for column, _ in self.refs)


RULES: dict[str, Rule] = {
    "members": Rule(
        (("cell_id", UNIT),),
        frozenset({"updated_at", "remind_hour", "quiet_from", "quiet_to", "preferred_platform"}),
    ),
    "chat_accounts": Rule((("member_id", MEMBER),), frozenset({"last_seen_at"})),
    "commitments": Rule((("unit_id", UNIT), ("member_id", MEMBER)), frozenset({"updated_at"})),
    "progress_entries": Rule((("commitment_id", COMMITMENT),)),
    "evidence": Rule((("commitment_id", COMMITMENT),)),  # no figure counts photos; the cell page's lines show them
    "study_sessions": Rule((("unit_id", UNIT), ("id", SESSION))),
    "study_attendance": Rule((("member_id", MEMBER),)),
    "member_moves": Rule((("from_unit_id", UNIT), ("to_unit_id", UNIT))),
    "units": Rule((("id", UNIT),), frozenset({"name", "parent_id", "path"})),  # the tree is read afresh each time
    "unit_events": Rule((("unit_id", UNIT), ("target_unit_id", UNIT))),
    "exemplar_registrations": Rule((("unit_id", UNIT), ("member_id", MEMBER))),
    "commendations": Rule((("unit_id", UNIT), ("member_id", MEMBER)), frozenset({"account", "comment", "updated_at"})),
    "commendation_steps": Rule((("commendation_id", COMMENDATION),), frozenset({"note"})),
    "model_replications": Rule((("commitment_id", COMMITMENT),)),
    "activities": Rule((("unit_id", UNIT),)),
}


@dataclass
class Touched:
    """What the current transaction changed, by reference (resolved to units at commit)."""

    refs: dict[str, set[int]] = field(default_factory=lambda: {kind: set() for kind in KINDS})
    everything: bool = False

    def add(self, kind: str, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.refs[kind].add(value)
        elif value is not None:
            self.everything = True  # an SQL expression: no telling which row

    def merge(self, other: Touched) -> None:
        for kind, values in other.refs.items():
            self.refs[kind].update(values)
        self.everything = self.everything or other.everything

    def __bool__(self) -> bool:
        return self.everything or any(self.refs.values())


@dataclass(frozen=True)
class Pending:
    """Units whose figures this (uncommitted) transaction changed."""

    units: frozenset[int] = frozenset()
    everything: bool = False


class TrackedSession(Session):
    """The session every unit of work uses: its writes replace the versions of the figures they change."""


def touched_of(session: Session) -> Touched:
    found = session.info.get(INFO_KEY)
    if found is None:
        found = session.info[INFO_KEY] = Touched()
    assert isinstance(found, Touched)
    return found


# --- noting writes -----------------------------------------------------------------------------------------------
def _note_shared(touched: Touched, table: str, columns: Collection[str] | None) -> None:
    """The shared versions a write to `table` replaces (`columns`: those changed; None: a row added or removed,
    or not known). Any change at all to a tree's unit counts: the kept tree holds names and paths too."""
    if columns is not None and not columns:
        return
    shared = SHARED_TABLES.get(table)
    if shared is not None:
        touched.add(UNIT, shared)
    watched = HONOUR_COLUMNS.get(table)
    if watched is not None and (columns is None or not watched.isdisjoint(columns)):
        touched.add(UNIT, HONOURS)


def _note_object(touched: Touched, obj: object, changed: bool) -> None:
    state = attributes.instance_state(obj)
    table = getattr(state.mapper.local_table, "name", "")
    columns = {attr.key for attr in state.attrs if attr.history.has_changes()} if changed else None
    _note_shared(touched, table, columns)
    rule = RULES.get(table)
    if rule is None:
        return
    if columns is not None:
        if columns <= rule.ignored:
            return
        for column, kind in rule.refs:
            for old in state.attrs[column].history.deleted or ():
                touched.add(kind, old)
    for column, kind in rule.refs:
        touched.add(kind, state.dict.get(column))


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """The session's lists and the attributes' history still show what this flush wrote."""
    flushed = Touched()  # settled on its own: a long import flushing row by row stays linear
    for obj in session.new:
        _note_object(flushed, obj, changed=False)
    for obj in session.dirty:
        _note_object(flushed, obj, changed=True)
    for obj in session.deleted:
        _note_object(flushed, obj, changed=False)
    if flushed:
        _settle(session, flushed)
        touched_of(session).merge(flushed)


def _settle(session: Session, touched: Touched) -> None:
    """Resolve now what the objects in the session tell: the identity map holds them weakly, so by the commit the
    commitment just updated or the member who wrote may be gone, and would cost a query each."""
    for kind, model in ((COMMITMENT, Commitment), (COMMENDATION, Commendation)):
        for row_id in list(touched.refs[kind]):
            owners = _loaded(session, model, row_id, ("unit_id", "member_id"))
            if owners is not None:
                touched.refs[kind].discard(row_id)
                touched.add(UNIT, owners[0])
                touched.add(MEMBER, owners[1])
    for member_id in list(touched.refs[MEMBER]):
        cell = _loaded(session, Member, member_id, ("cell_id",))
        if cell is not None:
            touched.refs[MEMBER].discard(member_id)
            touched.add(UNIT, cell[0])


def _set_columns(stmt: Any) -> frozenset[str] | None:
    """The columns an UPDATE sets (None: cannot tell)."""
    values = getattr(stmt, "_values", None) or dict(getattr(stmt, "_ordered_values", None) or ())
    if not values:
        return None
    return frozenset(str(getattr(key, "key", key)) for key in values)


def _inserted_rows(stmt: Any, parameters: Any) -> list[dict[str, Any]] | None:
    if parameters:
        rows = parameters if isinstance(parameters, Sequence) else [parameters]
        return [dict(row) for row in rows]
    values = getattr(stmt, "_values", None)
    if not values or getattr(stmt, "_multi_values", None):
        return None
    return [{str(getattr(key, "key", key)): getattr(value, "value", value) for key, value in values.items()}]


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    stmt: Any = state.statement
    table = getattr(getattr(stmt, "table", None), "name", "")
    rule = RULES.get(table)
    if rule is None:
        return
    touched = touched_of(state.session)
    if state.is_insert:
        _note_shared(touched, table, None)
        _note_insert(touched, rule, stmt, state.parameters)
        return
    sets: Any = state.parameters
    many = isinstance(sets, Sequence)  # one parameter set per row (e.g. an UPDATE by primary key)
    columns = None
    if state.is_update:
        columns = _set_columns(stmt)
        if many:
            columns = (columns or frozenset()) | frozenset().union(*sets) - {"id"}
    _note_shared(touched, table, columns)
    if state.is_update:
        if columns is not None and columns <= rule.ignored:
            return
        if columns is None or columns & rule.ref_columns:
            touched.everything = True  # rows change owner: the new owners are not known before the statement
    if many:
        touched.everything = True  # which rows, is not worth telling
        return
    found = select(*(stmt.table.c[column] for column, _ in rule.refs))
    if stmt.whereclause is not None:
        found = found.where(stmt.whereclause)
    for owners in state.session.execute(found, state.parameters or {}).all():
        for (_, kind), value in zip(rule.refs, owners, strict=True):
            touched.add(kind, value)


def _note_insert(touched: Touched, rule: Rule, stmt: Any, parameters: Any) -> None:
    rows = _inserted_rows(stmt, parameters)
    if rows is None:
        touched.everything = True
    for row in rows or ():
        for column, kind in rule.refs:
            touched.add(kind, row.get(column))


# --- resolving and bumping ---------------------------------------------------------------------------------------
def _loaded(session: Session, model: Any, row_id: int, columns: Sequence[str]) -> tuple[Any, ...] | None:
    """`columns` of a row whose object is in the session with them loaded (None otherwise)."""
    obj = session.identity_map.get(identity_key(model, row_id))
    loaded = attributes.instance_state(obj).dict if obj is not None else {}
    return tuple(loaded[column] for column in columns) if all(column in loaded for column in columns) else None


def _lookup(session: Session, model: Any, ids: Iterable[int], columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """`columns` of each row, from the objects already in the session when loaded, else from the database."""
    found: list[tuple[Any, ...]] = []
    missing: list[int] = []
    for row_id in ids:
        values = _loaded(session, model, row_id, columns)
        if values is not None:
            found.append(values)
        else:
            missing.append(row_id)
    for chunk in chunked(sorted(missing)):
        stmt = select(*(getattr(model, column) for column in columns)).where(model.id.in_(chunk))
        found.extend(tuple(row) for row in session.execute(stmt).all())
    return found


def resolve(session: Session, touched: Touched) -> set[int]:
    """The units whose figures what was noted changes."""
    units = set(touched.refs[UNIT])
    members = set(touched.refs[MEMBER])
    for unit_id, member_id in _lookup(session, Commitment, touched.refs[COMMITMENT], ("unit_id", "member_id")):
        units.add(unit_id)
        members.add(member_id)
    for unit_id, member_id in _lookup(session, Commendation, touched.refs[COMMENDATION], ("unit_id", "member_id")):
        units.add(unit_id)
        members.add(member_id)
    sessions = sorted(touched.refs[SESSION])
    units.update(unit_id for (unit_id,) in _lookup(session, StudySession, sessions, ("unit_id",)))
    for chunk in chunked(sessions):
        attended = select(StudyAttendance.member_id).where(StudyAttendance.session_id.in_(chunk))
        members.update(session.execute(attended).scalars().all())
    known = [member_id for member_id in members if member_id is not None]
    units.update(cell_id for (cell_id,) in _lookup(session, Member, known, ("cell_id",)))
    return {unit_id for unit_id in units if unit_id is not None}


def bump(session: Session, unit_ids: Iterable[int], everything: bool = False) -> None:
    """One new token for the versions of these units (sorted: two transactions lock the rows in one order)."""
    ids = sorted(set(unit_ids) | ({EVERYTHING} if everything else set()))
    if not ids:
        return
    token = secrets.randbits(62) or 1  # 0 is the version of a unit without a row
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for chunk in chunked(ids, BUMP_CHUNK):
        stmt = insert(CellVersion).values([{"unit_id": unit_id, "version": token} for unit_id in chunk])
        session.execute(stmt.on_conflict_do_update(index_elements=["unit_id"], set_={"version": token}))


def pending(session: Session) -> Pending:
    """What this transaction changed so far (after a flush), for a read that must not use the cache there."""
    session.flush()
    touched = session.info.get(INFO_KEY)
    if not touched:
        return Pending()
    return Pending(frozenset(resolve(session, touched)), touched.everything)


def _before_commit(session: Session) -> None:
    session.flush()
    touched = session.info.pop(INFO_KEY, None)
    if touched:
        bump(session, resolve(session, touched), touched.everything)


def _after_transaction_end(session: Session, transaction: OrmTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(INFO_KEY, None)


event.listen(TrackedSession, "after_flush", _after_flush)
event.listen(TrackedSession, "do_orm_execute", _on_execute)
event.listen(TrackedSession, "before_commit", _before_commit)
event.listen(TrackedSession, "after_transaction_end", _after_transaction_end)

"""Finding a withdrawn member's name, phone and code wherever someone wrote them, and replacing them (issue 10).

Every text and JSON column of every table is searched, so a column added later is covered without being
listed here; only columns that name something else by design are left out (another member's own code, name and
phone: a namesake keeps theirs; units; keys, tokens and the platforms' ids). The database narrows the rows
(LIKE, case-insensitive where it can); Python then replaces whole words only, so "DV001" is not found in "DV0012"
nor a phone number inside a longer one. Nothing here commits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Column, ColumnElement, String, Table, Text, cast, or_, select, update

from storage.models import Base
from storage.repo_base import Repo

IDENTITY_COLUMNS = frozenset(
    {
        ("members", "code"),
        ("members", "full_name"),
        ("members", "phone"),
        ("units", "name"),
        ("units", "path"),
        ("unit_events", "old_path"),
        ("invite_codes", "code"),
        ("chat_accounts", "external_id"),
        ("link_failures", "external_id"),
        ("processed_updates", "update_key"),
        ("inbox_updates", "update_key"),
        ("stored_files", "token"),
    }
)
_LIKE_ESCAPE = "!"
CODE_WIDTH = 16


def searched_columns(table: Table) -> list[Column[Any]]:
    """The columns of `table` that may hold something a person wrote: text and JSON, but the identity columns
    and the short codes the bot itself sets (statuses, kinds, roles, platforms: String(16) and shorter)."""
    return [
        column
        for column in table.columns
        if isinstance(column.type, String | JSON)
        and (table.name, column.name) not in IDENTITY_COLUMNS
        and not _is_code(column)
    ]


def _is_code(column: Column[Any]) -> bool:
    length = getattr(column.type, "length", None)
    return isinstance(column.type, String) and length is not None and length <= CODE_WIDTH


def _like_pattern(needle: str) -> str:
    escaped = needle.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2).replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


class Replacer:
    """Whole-word, case-insensitive replacement of any of the needles, in texts and in JSON values."""

    def __init__(self, needles: Sequence[str], replacement: str) -> None:
        alternatives = "|".join(re.escape(needle) for needle in sorted(set(needles), key=len, reverse=True))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        self.replacement = replacement

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.pattern.sub(self.replacement, value)
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        return value


class RedactionRepository(Repo):
    async def redact(self, needles: Sequence[str], replacement: str) -> int:
        """Replace the needles wherever they occur; returns how many rows changed."""
        needles = [needle for needle in needles if needle]
        if not needles:
            return 0
        replace = Replacer(needles, replacement)
        changed = 0
        for table in Base.metadata.sorted_tables:
            columns = searched_columns(table)
            if columns:
                changed += await self._redact_table(table, columns, needles, replace)
        return changed

    async def _redact_table(
        self, table: Table, columns: list[Column[Any]], needles: Sequence[str], replace: Replacer
    ) -> int:
        keys = list(table.primary_key.columns)
        sqlite = self.session.bind is not None and self.session.bind.dialect.name == "sqlite"
        stmt = select(*keys, *columns).where(or_(*self._matching(columns, needles, sqlite)))
        found = (await self.session.execute(stmt)).all()
        changed = 0
        for row in found:
            key, values = row[: len(keys)], row[len(keys) :]
            new = {column.name: replace(value) for column, value in zip(columns, values, strict=True)}
            new = {name: value for (name, value), old in zip(new.items(), values, strict=True) if value != old}
            if not new:  # the database's LIKE matched part of a longer word
                continue
            where = [column == value for column, value in zip(keys, key, strict=True)]
            change = update(table).where(*where).values(**new).execution_options(synchronize_session=False)
            await self.session.execute(change)
            changed += 1
        return changed

    @staticmethod
    def _matching(columns: list[Column[Any]], needles: Sequence[str], sqlite: bool) -> list[ColumnElement[bool]]:
        """SQLite's LIKE ignores case already (ASCII letters, as its lower() would); PostgreSQL needs ILIKE."""
        conditions: list[ColumnElement[bool]] = []
        for column in columns:
            is_json = isinstance(column.type, JSON)
            searched: ColumnElement[Any] = cast(column, Text) if is_json else column
            # JSON may be stored with non-ASCII letters escaped ("Nguy\\u1ec5n"): look for both spellings.
            forms = {form for needle in needles for form in (needle, json.dumps(needle)[1:-1] if is_json else needle)}
            for form in sorted(forms):
                pattern = _like_pattern(form)
                like = searched.like if sqlite else searched.ilike
                conditions.append(like(pattern, escape=_LIKE_ESCAPE))
        return conditions

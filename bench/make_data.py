"""Generate a province for the report benchmarks: 2,000 cells, 100,000 members, 300,000 commitments,
1,000,000 progress entries (plus accounts, study sessions and a few member moves).

Shape: province -> 20 district committees -> 10 commune committees each -> 10 cells each, 50 members a cell:
a district is a 5,000-member committee. Dates are of 2026, "now" is 23/11/2026 10:00 in Hà Nội.
Rows are written in a few big transactions (SQLite: executemany on the stdlib driver; PostgreSQL: COPY through
asyncpg) after the migrations have created the schema with its indexes.

Run: make bench-data   (python -m bench.make_data --out data/bench-reports.db [--url postgresql://...])
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from storage.db import normalise_url
from storage.migrate import upgrade

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
YEAR = 2026
DISTRICTS, COMMUNES, CELLS, MEMBERS_PER_CELL = 20, 10, 10, 50
INDIVIDUAL_TARGET = 294_000
PROGRESS_TARGET = 1_000_000
DEFAULT_OUT = Path("data/bench-reports.db")
Row = tuple[Any, ...]


def ts(moment: datetime) -> str:
    """SQLAlchemy's DateTime on SQLite: naive UTC as text."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


class Province:
    """All rows, generated deterministically (seeded)."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.units: list[Row] = []
        self.members: list[Row] = []
        self.accounts: list[Row] = []
        self.commitments: list[Row] = []
        self.progress: list[Row] = []
        self.sessions: list[Row] = []
        self.attendance: list[Row] = []
        self.moves: list[Row] = []
        self.cells: list[int] = []
        self.created = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)

    def build(self) -> Province:
        self._tree()
        self._members()
        self._commitments()
        self._study()
        return self

    def _unit(self, name: str, kind: str, parent: Row | None) -> Row:
        unit_id = len(self.units) + 1
        path = f"{parent[4] if parent else '/'}{unit_id}/"
        row = (unit_id, name, kind, parent[0] if parent else None, path, True, self.created)
        self.units.append(row)
        return row

    def _tree(self) -> None:
        province = self._unit("Đảng bộ tỉnh Thử Nghiệm", "committee", None)
        for d in range(DISTRICTS):
            district = self._unit(f"Đảng bộ huyện số {d + 1:02d}", "committee", province)
            for c in range(COMMUNES):
                commune = self._unit(f"Đảng bộ xã {d + 1:02d}-{c + 1:02d}", "committee", district)
                for k in range(CELLS):
                    cell = self._unit(f"Chi bộ thôn {d + 1:02d}-{c + 1:02d}-{k + 1:02d}", "cell", commune)
                    self.cells.append(cell[0])

    def _members(self) -> None:
        rng = self.rng
        for cell_id in self.cells:
            for i in range(MEMBERS_PER_CELL):
                member_id = len(self.members) + 1
                role = "secretary" if i == 0 else "member"
                exempt = rng.random() < 0.03
                paused = date(2026, 12, 15) if rng.random() < 0.02 else None
                linked = rng.random() < 0.85
                anonymised = self.created if rng.random() < 0.002 else None
                self.members.append(
                    (
                        member_id,
                        f"BM{member_id:06d}",
                        f"Đảng viên Thử Nghiệm {member_id}",
                        "",
                        role,
                        cell_id,
                        cell_id if role == "secretary" else None,
                        None,
                        exempt,
                        True,
                        self.created if linked else None,
                        paused,
                        anonymised,
                        self.created,
                        self.created,
                    )
                )
                if linked:
                    blocked = self.created if rng.random() < 0.01 else None
                    account_id = len(self.accounts) + 1
                    self.accounts.append(
                        (account_id, "telegram", str(10_000_000 + member_id), member_id, self.created, NOW, blocked)
                    )
        for n in range(500):  # moves this year; some in November, after the start of the current month
            member = self.members[self.rng.randrange(len(self.members))]
            to_cell = self.cells[self.rng.randrange(len(self.cells))]
            moved_at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=n * 0.53)
            self.moves.append((n + 1, member[0], member[5], to_cell, moved_at))

    def _entries(self, commitment_id: int, member_id: int, count: int) -> tuple[int, datetime | None]:
        """`count` progress entries with rising percentages; returns the last percent and time."""
        rng = self.rng
        start = datetime(2026, 2, 1, 2, 0, tzinfo=UTC)
        span = (NOW - start).total_seconds()
        moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))
        percent = 0
        for moment in moments:
            percent = min(100, percent + rng.choice((10, 20, 25, 30, 40)))
            self.progress.append((len(self.progress) + 1, commitment_id, percent, None, member_id, moment))
        return percent, (moments[-1] if moments else None)

    def _commitment(self, member_id: int, kind: str, unit_id: int | None, entries: int) -> None:
        commitment_id = len(self.commitments) + 1
        deadline = date(2026, self.rng.choice((6, 9, 10, 12)), self.rng.choice((15, 30)))
        percent, last = self._entries(commitment_id, member_id, entries)
        withdrawn = self.rng.random() < 0.01
        self.commitments.append(
            (
                commitment_id,
                member_id,
                YEAR,
                f"Nội dung làm theo số {commitment_id}: vận động hộ gia đình phân loại rác tại nguồn",
                "Họp tổ, đến từng nhà hướng dẫn",
                deadline,
                "withdrawn" if withdrawn else "active",
                percent,
                last,
                kind,
                unit_id,
                "approved",
                datetime(2026, 1, 20, 2, 0, tzinfo=UTC),
                NOW,
                NOW if withdrawn else None,
            )
        )

    def _commitments(self) -> None:
        """294,000 individual commitments (3 or 4 for 92% of members) and 3 of each cell; entries spread evenly."""
        registered = [m for m in self.members if self.rng.random() < 0.92][: INDIVIDUAL_TARGET // 3]
        extra = INDIVIDUAL_TARGET - 3 * len(registered)
        plan: list[tuple[int, str, int | None]] = []
        for index, member in enumerate(registered):
            plan.extend((member[0], "individual", None) for _ in range(3 + (1 if index < extra else 0)))
        for cell_index, cell_id in enumerate(self.cells):
            secretary = self.members[cell_index * MEMBERS_PER_CELL][0]
            plan.extend([(secretary, "collective", cell_id), (secretary, "collective", cell_id)])
            plan.append((secretary, "model", cell_id))
        budget = PROGRESS_TARGET
        for index, (member_id, kind, unit_id) in enumerate(plan):
            left = len(plan) - index
            if left == 1:
                count = budget
            else:
                count = max(0, min(round(budget / left) + self.rng.choice((-2, -1, 0, 1, 2)), 8, budget))
            budget -= count
            self._commitment(member_id, kind, unit_id, count)

    def _study(self) -> None:
        for cell_index, cell_id in enumerate(self.cells):
            if self.rng.random() >= 0.75:
                continue
            session_id = len(self.sessions) + 1
            held = date(2026, self.rng.randrange(3, 12), self.rng.randrange(1, 28))
            self.sessions.append((session_id, cell_id, held, "Học tập chuyên đề năm 2026", None, self.created))
            first = cell_index * MEMBERS_PER_CELL
            for member in self.members[first : first + MEMBERS_PER_CELL]:
                if self.rng.random() < 0.7:
                    self.attendance.append((session_id, member[0], None, self.created))


TABLES: dict[str, Sequence[str]] = {
    "units": ("id", "name", "kind", "parent_id", "path", "active", "created_at"),
    "members": (
        "id",
        "code",
        "full_name",
        "position",
        "role",
        "cell_id",
        "scope_unit_id",
        "phone",
        "exempt",
        "active",
        "consent_at",
        "paused_until",
        "anonymised_at",
        "created_at",
        "updated_at",
    ),
    "chat_accounts": ("id", "platform", "external_id", "member_id", "linked_at", "last_seen_at", "blocked_at"),
    "commitments": (
        "id",
        "member_id",
        "year",
        "content",
        "measures",
        "deadline",
        "status",
        "percent",
        "last_progress_at",
        "kind",
        "unit_id",
        "review_state",
        "created_at",
        "updated_at",
        "withdrawn_at",
    ),
    "progress_entries": ("id", "commitment_id", "percent", "note", "entered_by_member_id", "created_at"),
    "study_sessions": ("id", "unit_id", "held_on", "title", "recorded_by_member_id", "created_at"),
    "study_attendance": ("session_id", "member_id", "confirmed_at", "recorded_at"),
    "member_moves": ("id", "member_id", "from_unit_id", "to_unit_id", "moved_at"),
}


def rows_of(province: Province) -> dict[str, list[Row]]:
    return {
        "units": province.units,
        "members": province.members,
        "chat_accounts": province.accounts,
        "commitments": province.commitments,
        "progress_entries": province.progress,
        "study_sessions": province.sessions,
        "study_attendance": province.attendance,
        "member_moves": province.moves,
    }


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _converted(rows: list[Row]) -> Iterator[Row]:
    for row in rows:
        yield tuple(_sqlite_value(v) for v in row)


def write_sqlite(path: Path, province: Province) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        for table, rows in rows_of(province).items():
            columns = TABLES[table]
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            with connection:
                connection.executemany(sql, _converted(rows))
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()


async def write_postgres(url: str, province: Province) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            for table, rows in rows_of(province).items():
                records = [tuple(_pg_value(v) for v in row) for row in rows]
                await connection.copy_records_to_table(table, records=records, columns=list(TABLES[table]))
            for table in (
                "units",
                "members",
                "chat_accounts",
                "commitments",
                "progress_entries",
                "study_sessions",
                "member_moves",
            ):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def _pg_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="SQLite file to create (replaced)")
    parser.add_argument("--url", help="a PostgreSQL URL instead (an empty database; migrated here)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    province = Province().build()
    built = time.perf_counter()
    if args.url:
        args.url = normalise_url(args.url)  # postgresql://... as the Makefile passes it: the asyncpg driver
        upgrade(args.url)
        asyncio.run(write_postgres(args.url, province))
        where = args.url.rsplit("@", 1)[-1]
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.out}{suffix}").unlink(missing_ok=True)
        upgrade(sqlite_url(args.out))
        write_sqlite(args.out, province)
        where = str(args.out)
    done = time.perf_counter()
    counts = {table: len(rows) for table, rows in rows_of(province).items()}
    print(f"{where}: " + ", ".join(f"{table} {count:,}" for table, count in counts.items()), file=sys.stderr)
    print(f"generated in {built - started:.1f} s, written in {done - built:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

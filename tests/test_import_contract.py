"""The three floors: bot -> handlers -> storage, arrows only downward, platform and SQL code where it belongs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ("bot", "handlers", "storage")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def product_files() -> list[Path]:
    return sorted(p for floor in FLOORS for p in (ROOT / floor).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".", 1)[0]


def violations(path: Path) -> list[str]:
    return rule_breaks(path.relative_to(ROOT).as_posix(), imported_modules(path))


def rule_breaks(rel: str, modules: set[str]) -> list[str]:
    floor = rel.split("/", 1)[0]
    problems = []
    for module in modules:
        root = top(module)
        if floor == "storage" and root in ("handlers", "bot"):
            problems.append(f"{rel}: storage imports {module} (upward)")
        if floor == "handlers" and root == "bot":
            problems.append(f"{rel}: handlers imports {module} (upward)")
        if root in ("sqlalchemy", "alembic") and floor != "storage":
            problems.append(f"{rel}: imports {module}; only storage/ talks SQL")
        if root in ("telegram", "httpx") and not rel.startswith("bot/channels/"):
            problems.append(f"{rel}: imports {module}; only bot/channels/ talks to chat platforms")
    return problems


def test_there_is_code_on_every_floor() -> None:
    files = {p.relative_to(ROOT).parts[0] for p in product_files()}
    assert files == set(FLOORS)


@pytest.mark.parametrize("path", product_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_only_go_downward(path: Path) -> None:
    assert violations(path) == []


def test_the_checker_catches_each_kind_of_violation(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import sqlalchemy\nfrom telegram import Bot\nfrom bot.cli import main\n", encoding="utf-8")
    found = rule_breaks("handlers/probe.py", imported_modules(probe))
    assert len(found) == 3
    assert rule_breaks("storage/x.py", {"handlers.router"}) == [
        "storage/x.py: storage imports handlers.router (upward)"
    ]
    assert rule_breaks("bot/channels/telegram.py", {"telegram", "handlers.router"}) == []

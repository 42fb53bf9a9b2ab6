"""The three floors: bot -> handlers -> storage, arrows only downward, platform and SQL code where it belongs;
no import circle among the floors' modules, no production file over LINE_LIMIT lines; and in tests/, nothing
importing a test module or a conftest (shared helpers are modules of their own, fixtures are in conftest.py files)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ("bot", "handlers", "storage")
LINE_LIMIT = 400
GENERATED = "storage/migrations/versions/"  # Alembic revisions: neither modules to import nor code to keep short


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


# --- import circles ------------------------------------------------------------------------------------------
def module_files(root: Path) -> dict[str, Path]:
    """Every module of the floors under `root` by its dotted name (a package by its own name)."""
    found = {}
    for floor in FLOORS:
        for path in sorted((root / floor).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if not rel.startswith(GENERATED):
                parts = rel.removesuffix(".py").split("/")
                found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def dependencies(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of `known` this one imports (relative imports resolved; `from pkg import mod` is pkg.mod)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets.extend([base, *(f"{base}.{alias.name}" for alias in node.names)])
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that all reach each other (single modules left out)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def import_circles(root: Path) -> list[list[str]]:
    """Circles among the floors' modules; a package whose __init__ re-exports its own submodules is not one."""
    files = module_files(root)
    graph = {name: dependencies(name, path, set(files)) for name, path in files.items()}
    circles = []
    for group in strongly_connected(graph):
        package = min(group, key=len)
        if not all(member == package or member.startswith(f"{package}.") for member in group):
            circles.append(group)
    return circles


def test_no_import_circles() -> None:
    assert import_circles(ROOT) == []


def write_modules(root: Path, sources: dict[str, str]) -> None:
    for rel, source in {**{f"{floor}/__init__.py": "" for floor in FLOORS}, **sources}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(source, encoding="utf-8")


def test_the_circle_finder_finds_circles_and_lets_packages_re_export(tmp_path: Path) -> None:
    write_modules(
        tmp_path,
        {
            "bot/web.py": "from bot.channels.hook import Hook\n",
            "bot/channels/__init__.py": "",
            "bot/channels/hook.py": "from ..web import Info\n",  # relative, back to bot.web: a circle
            "handlers/flows/__init__.py": "from handlers.flows.menu import MenuFlow\n",
            "handlers/flows/menu.py": "from handlers.flows import base\n",  # the package's own re-export
            "handlers/flows/base.py": "",
            "handlers/router.py": "from handlers import flows\nfrom storage.uow import UnitOfWork\n",
            "storage/uow.py": "if False:\n    from handlers.router import Router\n",  # any import counts
            "storage/migrations/versions/0001_x.py": "from storage.uow import UnitOfWork\n",
        },
    )
    assert import_circles(tmp_path) == [
        ["bot.channels.hook", "bot.web"],
        ["handlers.router", "storage.uow"],
    ]  # handlers.flows and handlers.flows.menu reach each other too, but as a package and its own module


# --- file length -----------------------------------------------------------------------------------------------
def long_files(root: Path) -> list[str]:
    """Production files over LINE_LIMIT lines (generated migrations exempt), with their length."""
    return [
        f"{path.relative_to(root).as_posix()}: {lines} lines"
        for path in module_files(root).values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LINE_LIMIT
    ]


def test_no_production_file_over_the_line_limit() -> None:
    assert long_files(ROOT) == []


def test_the_line_counter_counts_every_floor_but_generated_migrations(tmp_path: Path) -> None:
    long_text = "x = 1\n" * (LINE_LIMIT + 1)
    write_modules(
        tmp_path,
        {
            "bot/long.py": long_text,
            "handlers/services/just_right.py": "x = 1\n" * LINE_LIMIT,
            "storage/migrations/versions/0001_long.py": long_text,
        },
    )
    assert long_files(tmp_path) == [f"bot/long.py: {LINE_LIMIT + 1} lines"]


# --- tests import helpers, never each other ---------------------------------------------------------------------
def modules_importing_tests(root: Path) -> list[str]:
    """Modules of tests/ (tests, helpers, conftests) that import a test module or a conftest, anywhere in them."""
    found = []
    for path in sorted((root / "tests").rglob("*.py")):
        for module in sorted(imported_modules(path)):
            last = module.rpartition(".")[2]
            if top(module) == "tests" and (last.startswith("test_") or last == "conftest"):
                found.append(f"{path.relative_to(root).as_posix()} imports {module}")
    return found


def test_no_test_module_imports_another_or_a_conftest() -> None:
    assert modules_importing_tests(ROOT) == []


def test_the_test_import_check_tells_helpers_from_tests(tmp_path: Path) -> None:
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    (tmp_path / "tests" / "unit" / "test_a.py").write_text(
        "from tests.chat import Chat\nfrom tests.conftest import TZ\n\n\ndef f():\n    import tests.unit.test_b\n",
        encoding="utf-8",
    )
    assert modules_importing_tests(tmp_path) == [
        "tests/unit/test_a.py imports tests.conftest",
        "tests/unit/test_a.py imports tests.unit.test_b",
    ]

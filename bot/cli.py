"""The `lamtheo` command line (also `python -m bot`): run the bot and the operator's tasks."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.wiring import Core, build_core
from handlers.catalog import admin as a
from handlers.services.errors import UserError
from storage.migrate import upgrade

if TYPE_CHECKING:
    from bot.scheduler import ReminderClock

T = TypeVar("T")
EXAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "examples" / "roster.csv"
DEMO_MEMBER = "DV001"
EXIT_USAGE, EXIT_ROW_ERRORS = 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamtheo", description="Bot «Học tập và làm theo» (Chỉ thị 05-CT/TW): Telegram, terminal."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (Telegram polling; without a token: the terminal demo)")
    run.add_argument("--demo", action="store_true", help="run the terminal demo on sample data")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal as a member (no token needed)")
    chat.add_argument("--as", dest="member", required=True, metavar="CODE", help="member code, e.g. DV001")

    roster = sub.add_parser("import-roster", help="import members and the org tree from .xlsx or .csv")
    roster.add_argument("file", type=Path, help="roster file (.xlsx, or .csv in UTF-8)")
    roster.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")

    invite = sub.add_parser("invite", help="print one-time invite codes and Telegram links")
    scope = invite.add_mutually_exclusive_group()
    scope.add_argument("--unit", metavar="NAME", help="members of this cell or committee (its whole subtree)")
    scope.add_argument("--member", metavar="CODE", help="one member")

    theme = sub.add_parser("theme", help="the year's theme (chuyên đề năm)")
    theme_sub = theme.add_subparsers(dest="theme_command", required=True, metavar="ACTION")
    theme_set = theme_sub.add_parser("set", help="set the theme of a year")
    theme_set.add_argument("year", type=int)
    theme_set.add_argument("title")
    theme_show = theme_sub.add_parser("show", help="show the theme of a year")
    theme_show.add_argument("year", type=int)

    add_reminder_commands(sub)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all migrations (also done by `run`)")
    return parser


def add_reminder_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    remind = sub.add_parser("remind", help="send a reminder at once")
    remind_sub = remind.add_subparsers(dest="remind_command", required=True, metavar="ACTION")
    now = remind_sub.add_parser("now", help="remind the members of a cell, or of every cell of a committee, now")
    now.add_argument("--unit", required=True, metavar="NAME", help="a cell, or a committee (its whole subtree)")
    now.add_argument("--kind", choices=["progress", "register"], default="progress")

    reminders = sub.add_parser("reminders", help="meeting days, reminder broadcasts and their deliveries")
    reminders_sub = reminders.add_subparsers(dest="reminders_command", required=True, metavar="ACTION")
    reminders_sub.add_parser("status", help="schedules, next due times, last broadcasts, missed firings")

    cycle = sub.add_parser("cycle", help="the annual cycle (registration deadline, self-assessment)")
    cycle_sub = cycle.add_subparsers(dest="cycle_command", required=True, metavar="ACTION")
    cycle_set = cycle_sub.add_parser("set", help="set the cycle of a year")
    cycle_set.add_argument("year", type=int)
    cycle_set.add_argument("--registration-deadline", required=True, metavar="DD/MM/YYYY")
    cycle_set.add_argument("--self-assessment-from", metavar="DD/MM/YYYY")
    cycle_show = cycle_sub.add_parser("show", help="show the cycle of a year")
    cycle_show.add_argument("year", type=int)


def use_fast_event_loop() -> bool:
    """uvloop where it is installed (Linux, macOS): each database call hops to aiosqlite's thread and
    back, and uvloop makes that hop markedly cheaper (see docs/PERFORMANCE.md)."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_fast_event_loop()
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    secret = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    setup_logging(settings.log_level, [secret])
    commands: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "run": cmd_run,
        "chat": cmd_chat,
        "import-roster": cmd_import_roster,
        "invite": cmd_invite,
        "theme": cmd_theme,
        "db": cmd_db,
        "remind": cmd_remind,
        "reminders": cmd_reminders,
        "cycle": cmd_cycle,
    }
    try:
        return commands[args.command](args, settings)
    except UserError as error:
        print(error.message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def with_core(settings: Settings, work: Callable[[Core], Awaitable[T]], url: str | None = None) -> T:
    """Migrate, then run `work` with a core on the database, disposing of it afterwards."""
    upgrade(url or settings.database_url)

    async def runner() -> T:
        core = build_core(settings, url)
        try:
            return await work(core)
        finally:
            await core.close()

    return asyncio.run(runner())


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(settings.database_url)
    print(a.DB_UPGRADED)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import demo

    token = settings.telegram_bot_token
    if args.demo or token is None:
        if token is None:
            print(a.NO_TOKEN, file=sys.stderr)
        if not sys.stdin.isatty():
            print(a.DEMO_NEEDS_TERMINAL, file=sys.stderr)
            return EXIT_USAGE
        return demo.run_demo(settings, EXAMPLE_ROSTER, DEMO_MEMBER)
    from bot.channels.telegram import build_application, run_polling
    from bot.sender import start_sender

    upgrade(settings.database_url)
    core = build_core(settings)
    app = build_application(
        token.get_secret_value(), settings.telegram_api_base_url, core.router, on_shutdown=core.close
    )
    sender = start_sender(core, settings, app)  # reminders and announcements: bot/sender.py
    start_scheduler(core, settings, on_fired=sender.wake)  # due reminders: bot/scheduler.py
    print(a.RUNNING, file=sys.stderr)
    run_polling(app)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot import demo

    return with_core(settings, lambda core: demo.chat(core, args.member, sys.stdin, sys.stdout))


def cmd_import_roster(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operator

    return with_core(settings, lambda core: operator.import_roster_file(core, args.file, args.dry_run))


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operator

    return with_core(settings, lambda core: operator.print_invites(core, settings, args.unit, args.member))


def cmd_theme(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operator

    if args.theme_command == "set":
        return with_core(settings, lambda core: operator.set_theme(core, args.year, args.title))
    return with_core(settings, lambda core: operator.show_theme(core, args.year))


def start_scheduler(core: Core, settings: Settings, on_fired: Callable[[], None] | None = None) -> ReminderClock:
    """The reminder clock on the event loop the bot is about to run (PTB uses the current loop).

    `on_fired` is called after a check created broadcasts: the sender's wake-up.
    """
    from bot.scheduler import ReminderClock

    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    clock = ReminderClock(core, settings.reminder_grace, on_fired)
    clock.start(loop)
    return clock


def cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    from bot import reminders_admin

    kind = "progress_reminder" if args.kind == "progress" else "register_reminder"
    return with_core(settings, lambda core: reminders_admin.remind_now(core, settings, args.unit, kind))


def cmd_reminders(args: argparse.Namespace, settings: Settings) -> int:
    from bot import reminders_admin

    return with_core(settings, reminders_admin.status)


def cmd_cycle(args: argparse.Namespace, settings: Settings) -> int:
    from bot import reminders_admin

    if args.cycle_command == "set":
        return with_core(
            settings,
            lambda core: reminders_admin.set_cycle(
                core, args.year, args.registration_deadline, args.self_assessment_from
            ),
        )
    return with_core(settings, lambda core: reminders_admin.show_cycle(core, args.year))

"""The `lamtheo` command line (also `python -m bot`): run the bot and the operator's tasks."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.wiring import Core, build_core
from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.services.errors import UserError
from storage.migrate import upgrade

T = TypeVar("T")
EXAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "examples" / "roster.csv"
DEMO_MEMBER = "DV001"
EXIT_USAGE, EXIT_ROW_ERRORS = 2, 3
EXIT_CLOSED_PIPE = 128 + 13  # what a shell reports for a tool killed by SIGPIPE (`lamtheo invite | head`)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lamtheo", description="Bot «Học tập và làm theo» (Chỉ thị 05-CT/TW): Telegram, terminal."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot (Telegram polling; without a token: the terminal demo)")
    run.add_argument("--demo", action="store_true", help="run the terminal demo on sample data")
    run.add_argument("--webhook", action="store_true", help="serve webhooks (production; see README)")

    demo = sub.add_parser("demo", help="the terminal demo's database")
    demo.add_argument("demo_command", choices=["reset"], metavar="ACTION", help="reset: start the sample year over")

    chat = sub.add_parser("chat", help="talk to the bot in this terminal as a member (no token needed)")
    chat.add_argument("--as", dest="member", required=True, metavar="CODE", help="member code, e.g. DV001")

    roster = sub.add_parser("import-roster", help="import members and the org tree from .xlsx or .csv")
    roster.add_argument("file", type=Path, help="roster file (.xlsx, or .csv in UTF-8)")
    roster.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")

    invite = sub.add_parser("invite", help="print one-time invite codes (they expire) and Telegram links")
    scope = invite.add_mutually_exclusive_group()
    scope.add_argument("--unit", metavar="NAME", help="members of this cell or committee (its whole subtree)")
    scope.add_argument("--member", metavar="CODE", help="one member")
    invite.add_argument(
        "--platform", choices=["telegram", "zalo"], help="codes that link only there; skip only members linked there"
    )
    invite.add_argument("--relink", action="store_true", help="codes for members already linked too (a new phone)")

    theme = sub.add_parser("theme", help="the year's theme (chuyên đề năm)")
    theme_sub = theme.add_subparsers(dest="theme_command", required=True, metavar="ACTION")
    theme_set = theme_sub.add_parser("set", help="set the theme of a year")
    theme_set.add_argument("year", type=int)
    theme_set.add_argument("title")
    theme_show = theme_sub.add_parser("show", help="show the theme of a year")
    theme_show.add_argument("year", type=int)

    webhook = sub.add_parser("webhook", help="register, show or remove the platforms' webhooks")
    webhook.add_argument("webhook_command", choices=["set", "info", "delete"], metavar="ACTION", help="set|info|delete")
    webhook.add_argument("--platform", choices=["telegram", "zalo", "all"], default="all")

    web_parser = sub.add_parser("web", help="the leaders' web dashboard: list or end login sessions")
    web_parser.add_argument("web_command", choices=["sessions"], metavar="ACTION", help="sessions")
    web_parser.add_argument("--revoke", metavar="CODE", help="end every session of this member")

    add_org_commands(sub)

    report = sub.add_parser("report", help="write the Excel report, or the draft report to sign (docx), of a unit")
    report.add_argument("--unit", required=True, metavar="NAME", help="cell or committee name (or id)")
    periods_help = "2026, 2026-Q4, 2026-11 or DD/MM/YYYY-DD/MM/YYYY"
    report.add_argument("--period", required=True, metavar="PERIOD", help=periods_help)
    report.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx|FILE.docx")
    report.add_argument(
        "--format",
        choices=["xlsx", "docx"],
        help="xlsx: the figures; docx: the draft report the committee signs (default: from the name of --out)",
    )
    report.add_argument("--place", metavar="NAME", help="docx: the place before the date (default: from the unit)")
    add_reminder_commands(sub)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply all migrations (also done by `run`)")
    backup = db_sub.add_parser("backup", help="back the database up (safe while the bot runs; see deploy/README.md)")
    backup.add_argument("--out", required=True, type=Path, metavar="FILE", help="the backup file (mode 0600)")
    restore = db_sub.add_parser("restore", help="load a backup into DATABASE_URL, which must be empty")
    restore.add_argument("file", type=Path, metavar="FILE")
    return parser


def add_org_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`unit merge|move|dissolve` (organisation changes) and `member export|anonymise` (personal data)."""
    unit = sub.add_parser("unit", help="organisation changes: merge, move, dissolve a unit")
    unit_sub = unit.add_subparsers(dest="unit_command", required=True, metavar="ACTION")
    naming = "unit name, 'Parent / Name', or id"
    for action, target_flag, help_text in (
        ("merge", "--into", "merge unit A into unit B: members, history, collective commitments move"),
        ("move", "--to", "move unit A (with its subtree) under committee PARENT"),
        ("dissolve", "--into", "dissolve unit A: its members (a cell) or sub-units (a committee) go to B"),
    ):
        parser = unit_sub.add_parser(action, help=help_text)
        parser.add_argument("unit", metavar="A", help=naming)
        parser.add_argument(target_flag, dest="target", required=True, metavar="B", help=naming)
        parser.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    member = sub.add_parser("member", help="one member: personal data (export, anonymise), chat accounts")
    member_sub = member.add_subparsers(dest="member_command", required=True, metavar="ACTION")
    export = member_sub.add_parser("export", help="everything stored about a member, as UTF-8 JSON")
    export.add_argument("code", metavar="CODE")
    export.add_argument("--out", type=Path, metavar="FILE.json", help="write to this file (default: stdout)")
    anonymise = member_sub.add_parser("anonymise", help="erase a member's personal data (consent withdrawn)")
    anonymise.add_argument("code", metavar="CODE")
    accounts = member_sub.add_parser("accounts", help="a member's linked chat accounts (ids masked)")
    accounts.add_argument("code", metavar="CODE")
    unlink = member_sub.add_parser("unlink", help="remove one chat account of a member (see `member accounts`)")
    unlink.add_argument("code", metavar="CODE")
    unlink.add_argument("--account", required=True, type=int, metavar="ID", help="the account's number (#ID)")


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
    """Run one command; a reader that went away (`| head`) ends it quietly, as it ends Unix tools."""
    try:
        try:
            return run_command(argv)
        finally:
            sys.stdout.flush()  # here, not at interpreter exit, where a closed pipe can no longer be caught
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush must not fail again
        return EXIT_CLOSED_PIPE


def run_command(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_fast_event_loop()
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE
    secret = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    zalo_secret = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else ""
    link_key = settings.file_link_key.get_secret_value() if settings.file_link_key else ""
    setup_logging(settings.log_level, [secret, webhook_secret, zalo_secret, link_key])
    commands: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
        "run": cmd_run,
        "demo": cmd_demo,
        "chat": cmd_chat,
        "import-roster": cmd_import_roster,
        "invite": cmd_invite,
        "theme": cmd_theme,
        "db": cmd_db,
        "webhook": cmd_webhook,
        "web": cmd_web,
        "unit": cmd_unit,
        "member": cmd_member,
        "report": cmd_report,
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
    if args.db_command in ("backup", "restore"):
        from bot.backups import backup_command

        path = args.out if args.db_command == "backup" else args.file
        return backup_command(settings.database_url, args.db_command, path)
    upgrade(settings.database_url)
    print(a.DB_UPGRADED)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot import demo
    from bot.runtime import run

    if args.webhook:
        return run(settings, webhook=True)
    no_token = settings.telegram_bot_token is None and settings.zalo_bot_token is None
    if args.demo or no_token:
        if no_token:
            print(a.NO_TOKEN, file=sys.stderr)
            print(c.NO_ZALO_TOKEN, file=sys.stderr)
        if not sys.stdin.isatty():
            print(a.DEMO_NEEDS_TERMINAL, file=sys.stderr)
            return EXIT_USAGE
        return demo.run_demo(settings, EXAMPLE_ROSTER, DEMO_MEMBER)
    return run(settings, webhook=False)  # polling: every platform whose token is set, in one event loop


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot import demo

    return demo.reset_demo(settings, EXAMPLE_ROSTER)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot import demo

    return with_core(settings, lambda core: demo.chat(core, args.member, sys.stdin, sys.stdout))


def cmd_import_roster(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operator

    return with_core(settings, lambda core: operator.import_roster_file(core, args.file, args.dry_run))


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operator

    return with_core(
        settings,
        lambda core: operator.print_invites(core, settings, args.unit, args.member, args.platform, args.relink),
    )


def cmd_theme(args: argparse.Namespace, settings: Settings) -> int:
    from bot import operator

    if args.theme_command == "set":
        return with_core(settings, lambda core: operator.set_theme(core, args.year, args.title))
    return with_core(settings, lambda core: operator.show_theme(core, args.year))


def cmd_webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.webhook_admin import webhook_command

    return webhook_command(settings, args.webhook_command, args.platform)


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dashboard.admin import sessions

    return with_core(settings, lambda core: sessions(core, args.revoke))


def cmd_unit(args: argparse.Namespace, settings: Settings) -> int:
    from bot import org_admin

    return with_core(
        settings, lambda core: org_admin.change_unit(core, args.unit_command, args.unit, args.target, args.dry_run)
    )


def cmd_member(args: argparse.Namespace, settings: Settings) -> int:
    from bot import org_admin

    if args.member_command == "export":
        return with_core(settings, lambda core: org_admin.export_member(core, args.code, args.out))
    if args.member_command == "accounts":
        return with_core(settings, lambda core: org_admin.list_accounts(core, args.code))
    if args.member_command == "unlink":
        return with_core(settings, lambda core: org_admin.unlink(core, args.code, args.account))
    return with_core(settings, lambda core: org_admin.anonymise_member(core, args.code))


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from bot import reports_cli

    kind = args.format or ("docx" if args.out.suffix.lower() == ".docx" else "xlsx")
    if kind == "docx":
        return with_core(
            settings, lambda core: reports_cli.write_draft(core, args.unit, args.period, args.out, args.place)
        )
    return with_core(settings, lambda core: reports_cli.write_report(core, args.unit, args.period, args.out))


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

"""The operator's organisation and personal-data tasks behind the CLI: unit merge/move/dissolve, member export."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from bot.wiring import Core
from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.catalog import org as o
from handlers.services.accounts import member_accounts, unlink_account
from handlers.services.org_changes import DISSOLVE, MERGE, MOVE, OrgChange, dissolve_unit, merge_unit, move_unit
from handlers.services.personal_data import as_json, collect_personal_data, member_by_code, withdraw_consent
from storage.private_files import write_private


async def change_unit(core: Core, action: str, unit: str, target: str, dry_run: bool) -> int:
    """Plan the change; apply and commit it unless `dry_run` (then the transaction is rolled back)."""
    services = {MERGE: merge_unit, MOVE: move_unit, DISSOLVE: dissolve_unit}
    async with core.uow() as uow:
        change = await services[action](uow, unit, target, core.clock.now(), dry_run=dry_run)
        if not dry_run:
            await uow.commit()
    print("\n".join(change_lines(change)))
    return 0


def change_lines(change: OrgChange) -> list[str]:
    lines = [o.CHANGE_DRY_RUN] if change.dry_run else []
    lines.append(o.CHANGE_HEADER.format(action=o.ACTION_NAMES[change.action], unit=change.unit, target=change.target))
    if change.action == MOVE:
        lines.append(o.CHANGE_MEMBERS_WITH_UNIT.format(count=change.members_with_unit))
    else:
        lines.append(o.CHANGE_MEMBERS.format(target=change.target, count=len(change.members)))
        lines += _or_none([o.CHANGE_MEMBER_LINE.format(code=code, name=name) for code, name in change.members])
        if change.units:
            lines.append(o.CHANGE_UNITS.format(target=change.target, count=len(change.units)))
            lines += [o.CHANGE_UNIT_LINE.format(label=label) for label in change.units]
        lines.append(o.CHANGE_SCOPES.format(target=change.target, count=len(change.scopes)))
        scopes = [o.CHANGE_MEMBER_LINE.format(code=code, name=f"{name} ({role})") for code, name, role in change.scopes]
        lines += _or_none(scopes)
        lines.append(o.CHANGE_COMMITMENTS.format(target=change.target, count=change.commitments))
    if change.paths:
        lines.append(o.CHANGE_PATHS.format(count=len(change.paths)))
        lines += [o.CHANGE_PATH_LINE.format(label=label, old=old, new=new) for label, old, new in change.paths]
    if change.schedule_off:
        lines.append(o.CHANGE_SCHEDULE_OFF.format(unit=change.unit))
    if change.deactivated:
        lines.append(o.CHANGE_DEACTIVATED.format(unit=change.unit))
    lines.append(o.CHANGE_ROSTER_HINT)
    if not change.dry_run:
        lines.append(o.CHANGE_DONE)
    return lines


def _or_none(lines: list[str]) -> list[str]:
    return lines or [o.CHANGE_NONE]


async def export_member(core: Core, code: str, out: Path | None) -> int:
    """The member's data as UTF-8 JSON (the same content as /dulieu), to a file or to stdout."""
    async with core.uow() as uow:
        member = await member_by_code(uow, code)
        data = as_json(await collect_personal_data(uow, member))
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return 0
    await asyncio.to_thread(write_private, out, text.encode("utf-8"))
    print(o.EXPORT_WRITTEN.format(code=code, path=out), file=sys.stderr)
    return 0


async def anonymise_member(core: Core, code: str) -> int:
    async with core.uow() as uow:
        member = await member_by_code(uow, code)
        token = await withdraw_consent(uow, member, core.clock.now())
        await uow.commit()
    print(o.ANONYMISED.format(code=code, token=token))
    return 0


async def list_accounts(core: Core, code: str) -> int:
    """The member's chat accounts: number, platform, the id's last characters, linked, last seen, blocked."""
    async with core.uow() as uow:
        member, lines = await member_accounts(uow, code)
    print(a.ACCOUNTS_HEADER.format(code=member.code, name=member.full_name))
    if not lines:
        print(a.ACCOUNTS_NONE)
        return 0

    def local(moment: datetime) -> str:
        return moment.astimezone(core.tz).strftime("%d/%m/%Y %H:%M")

    for line in lines:
        state = a.ACCOUNT_BLOCKED.format(at=local(line.blocked_at)) if line.blocked_at else a.ACCOUNT_REACHABLE
        platform = c.PLATFORM_NAMES.get(line.platform, line.platform)
        print(
            a.ACCOUNT_LINE.format(
                id=line.id,
                platform=platform,
                masked=line.masked_id,
                linked=local(line.linked_at),
                seen=local(line.last_seen_at),
                state=state,
            )
        )
    print(a.ACCOUNTS_HINT.format(code=member.code))
    return 0


async def unlink(core: Core, code: str, account_id: int) -> int:
    async with core.uow() as uow:
        removed, told = await unlink_account(uow, code, account_id, core.clock.now(), core.tz)
        await uow.commit()
    platform = c.PLATFORM_NAMES.get(removed.platform, removed.platform)
    print(a.ACCOUNT_UNLINKED.format(id=removed.id, platform=platform, masked=removed.masked_id, code=code, told=told))
    return 0

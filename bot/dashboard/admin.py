"""`lamtheo web sessions [--revoke CODE]`: the open sessions of the web dashboard, or end a member's."""

from __future__ import annotations

from bot.wiring import Core
from handlers.catalog import core as t
from handlers.catalog import web as w
from handlers.services.web_access import revoke
from handlers.text import fmt_date


async def sessions(core: Core, revoke_code: str | None) -> int:
    now = core.clock.now()
    async with core.uow() as uow:
        if revoke_code is not None:
            count = await revoke(uow, revoke_code)
            await uow.commit()
            print(w.SESSIONS_REVOKED.format(count=count, code=revoke_code.strip()))
            return 0
        lines = await uow.web.sessions(now)
    if not lines:
        print(w.SESSIONS_NONE)
    for line in lines:
        created, expires = line.created_at.astimezone(core.tz), line.expires_at.astimezone(core.tz)
        print(
            w.SESSION_LINE.format(
                code=line.member_code,
                role=t.ROLE_NAMES.get(line.role, line.role),
                created=f"{fmt_date(created.date())} {created:%H:%M}",
                expires=f"{fmt_date(expires.date())} {expires:%H:%M}",
            )
        )
    return 0

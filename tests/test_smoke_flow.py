from handlers.messages import Incoming
from handlers.router import Router
from handlers.services.invites import issue_invites
from tests.support import Database, FakeClock


async def test_member_links_registers_and_logs_progress(router: Router, roster_db: Database, clock: FakeClock) -> None:
    async with roster_db.uow() as uow:
        lines = await issue_invites(uow, clock.now(), member_code="DV001")
        await uow.commit()
    n = 0

    async def say(text: str | None = None, payload: str | None = None) -> list:
        nonlocal n
        n += 1
        replies = await router.handle(Incoming("telegram", "111", str(n), text, payload))
        for r in replies:
            print("BOT:", r.text[:200], [c.label for c in r.choices])
        return replies

    await say(f"/start {lines[0].code}")
    await say("1")
    await say("/dangky")
    await say("Vận động 5 hộ phân loại rác")
    await say("Họp tổ, đến từng nhà")
    await say("31/02/2026")
    await say("31/12/2026")
    r = await say("1")
    assert "Đã lưu" in r[0].text
    await say("/capnhat")
    await say("150")
    await say("50")
    r = await say("Bỏ qua")
    assert "50%" in r[0].text
    await say("/camket")
    r = await say("/tonghop")
    assert "dành cho bí thư" in r[0].text

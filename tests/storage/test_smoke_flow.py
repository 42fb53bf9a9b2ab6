"""A member's whole journey through the router on every database backend (SQLite; PostgreSQL in CI)."""

from zoneinfo import ZoneInfo

from handlers.catalog import core as t
from handlers.messages import Incoming, Reply
from handlers.router import Router
from handlers.services.invites import issue_invites
from tests.chat import EXEMPLAR_QUESTION
from tests.support import Database, FakeClock, load_example_roster


async def test_member_links_registers_logs_progress_and_secretary_summarises(
    any_db: Database, clock: FakeClock
) -> None:
    await load_example_roster(any_db, clock)
    router = Router(any_db.uow, clock, ZoneInfo("Asia/Ho_Chi_Minh"))
    async with any_db.uow() as uow:
        batch = await issue_invites(uow, clock.now(), "Chi bộ thôn Đồng Tâm")
        codes = {line.member_code: line.code for line in batch.issued}
        await uow.commit()
    counter = 0

    async def say(user: str, text: str) -> list[Reply]:
        nonlocal counter
        counter += 1
        return await router.handle(Incoming("telegram", user, str(counter), text))

    assert (await say("111", f"/start {codes['DV001']}"))[1].text == t.CONSENT_NOTICE
    await say("111", "1")
    await say("111", "/dangky")
    await say("111", "Vận động 5 hộ phân loại rác")
    await say("111", "Họp tổ, đến từng nhà")
    assert (await say("111", "31/02/2026"))[0].text == t.DATE_INVALID.format(text="31/02/2026")
    assert (await say("111", "31/12/2026"))[0].text.startswith(EXEMPLAR_QUESTION)
    await say("111", "Không")
    assert (await say("111", "1"))[0].text.startswith("Đã lưu bản đăng ký số 1")
    await say("111", "/capnhat")
    assert (await say("111", "150"))[0].text == t.PERCENT_RANGE.format(value=150)
    await say("111", "50")
    assert "50%" in (await say("111", "Bỏ qua"))[0].text
    assert (await say("111", "/tonghop"))[0].text == t.SUMMARY_FORBIDDEN

    await say("222", f"/start {codes['DV002']}")
    await say("222", "Tôi đồng ý")
    clock.advance(minutes=1)  # this month's roll-up, a minute later
    summary = (await say("222", "/tonghop"))[0].text
    assert "Cá nhân đã đăng ký năm 2026: 1/6 (16,7%)" in summary
    assert "Cập nhật trong kỳ: 1/1 (100%)" in summary
    assert "Đã liên kết với bot: 2/6" in summary
    async with any_db.uow() as uow:
        member = await uow.members.by_code("DV001")
        assert member is not None
        [commitment] = await uow.commitments.active_for(member.id)
        assert commitment.percent == 50
        assert [entry.percent for entry in await uow.commitments.progress_of(commitment.id)] == [50]

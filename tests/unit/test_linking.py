"""Guessing invite codes is not a way in: wrong codes are counted per chat account."""

from handlers.catalog import core as t
from handlers.messages import Incoming, Reply
from handlers.router import Router
from handlers.services.invites import issue_invites
from handlers.services.linking import LINK_FAILURE_WINDOW, MAX_LINK_FAILURES
from tests.support import Database, FakeClock

GUESSES = [f"ABCDEF{n:02d}" for n in range(MAX_LINK_FAILURES)]


class Stranger:
    def __init__(self, router: Router, user: str) -> None:
        self.router, self.user, self.sent = router, user, 0

    async def say(self, text: str) -> list[Reply]:
        self.sent += 1
        return await self.router.handle(Incoming("telegram", self.user, f"{self.user}-{self.sent}", text))


async def real_code(database: Database, clock: FakeClock, member: str = "DV001") -> str:
    async with database.uow() as uow:
        [line] = (await issue_invites(uow, clock.now(), member_code=member)).issued
        await uow.commit()
    return line.code


async def test_after_too_many_wrong_codes_even_the_right_one_waits(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    code = await real_code(roster_db, clock)
    guesser = Stranger(router, "666")
    for guess in GUESSES:
        assert (await guesser.say(f"/start {guess}"))[0].text == t.CODE_UNKNOWN.format(code=guess)
    assert (await guesser.say(code))[0].text == t.CODE_TOO_MANY_TRIES
    async with roster_db.uow() as uow:
        assert await uow.accounts.find("telegram", "666") is None
        invite = await uow.invites.by_code(code)
        assert invite is not None and invite.used_at is None  # the real code is not spent

    clock.advance(seconds=LINK_FAILURE_WINDOW.total_seconds() + 1)
    replies = await guesser.say(code)
    assert replies[0].text.startswith("Xin chào đồng chí Nguyễn Văn An")
    assert replies[1].text == t.CONSENT_NOTICE


async def test_wrong_codes_of_one_account_do_not_block_another(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    code = await real_code(roster_db, clock)
    guesser, member = Stranger(router, "666"), Stranger(router, "777")
    for guess in GUESSES:
        await guesser.say(guess)
    assert (await member.say(f"/start {code}"))[1].text == t.CONSENT_NOTICE


async def test_fewer_wrong_codes_than_the_limit_still_allow_linking(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    code = await real_code(roster_db, clock)
    member = Stranger(router, "777")
    for guess in GUESSES[:-1]:
        await member.say(guess)
    assert (await member.say(code))[1].text == t.CONSENT_NOTICE


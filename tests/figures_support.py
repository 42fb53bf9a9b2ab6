"""The example roster loaded and the kinds of writes that change a figure (each one a `Change`), shared by the
tests of the roll-up's per-cell cache (tests/storage/test_cell_figures.py) and of the year's trend
(tests/storage/test_year_trend.py)."""


from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from handlers.services import commend_decisions, commendations, org_changes, personal_data, preferences, review
from handlers.services.activities import record_activity
from handlers.services.authz import Actor, load_actor
from handlers.services.collective import register_for_cell
from handlers.services.commitments import Draft, log_progress, register_commitment, withdraw_commitment
from handlers.services.exemplars import register_exemplar
from handlers.services.linking import give_consent
from handlers.services.replications import record_replication
from handlers.services.roster import import_roster
from handlers.services.roster_file import read_roster
from handlers.services.study import confirm_attendance, record_session
from storage.enums import ActivityKind, CommendationForm, CommitmentKind, CommitmentStatus, NomineeKind
from storage.models import Member
from storage.uow import UnitOfWork
from tests.support import EXAMPLE_CSV, Database, FakeClock

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE, THANH_SON = "Đảng bộ tỉnh Hòa Bình Xanh", "Đảng bộ xã Thanh Sơn"
DONG_TAM, TAN_LAP, BINH_MINH = "Chi bộ thôn Đồng Tâm", "Chi bộ thôn Tân Lập", "Chi bộ tổ dân phố Bình Minh"
TODAY = date(2026, 11, 23)
MEASURES = "Họp tổ, đến từng nhà"
Snapshot = dict[tuple[str, str], Any]


async def load_roster(db: Database, clock: FakeClock) -> None:
    async with db.uow() as uow:
        await import_roster(uow, read_roster(EXAMPLE_CSV).rows, clock.now())
        await uow.commit()


async def actor(uow: UnitOfWork, code: str) -> Actor:
    member = await uow.members.by_code(code)
    assert member is not None, code
    return await load_actor(uow, member)


async def member(uow: UnitOfWork, code: str) -> Member:
    found = await uow.members.by_code(code)
    assert found is not None, code
    return found


# --- the changes ---------------------------------------------------------------------------------------------------
async def register(uow: UnitOfWork, clock: FakeClock, code: str = "DV001") -> None:
    draft = Draft("Vận động 5 hộ phân loại rác tại nguồn", MEASURES, date(2026, 12, 31))
    await register_commitment(uow, await actor(uow, code), draft, TODAY, clock.now())


async def own_commitment(uow: UnitOfWork, code: str) -> int:
    found = (await uow.commitments.active_for((await member(uow, code)).id))[-1]
    return found.id


async def progress(uow: UnitOfWork, clock: FakeClock) -> None:
    await log_progress(uow, await actor(uow, "DV001"), await own_commitment(uow, "DV001"), 100, None, clock.now())


async def withdraw(uow: UnitOfWork, clock: FakeClock) -> None:
    await withdraw_commitment(uow, await actor(uow, "DV001"), await own_commitment(uow, "DV001"), clock.now())


async def approve_and_return(uow: UnitOfWork, clock: FakeClock) -> None:
    secretary = await actor(uow, "DV002")
    await review.approve_registration(uow, secretary, await own_commitment(uow, "DV003"), clock.now())
    comment = "Đề nghị ghi rõ số hộ và thời gian"
    await review.return_registration(uow, secretary, await own_commitment(uow, "DV005"), comment, clock.now())


async def link_and_block(uow: UnitOfWork, clock: FakeClock) -> None:
    found = await member(uow, "DV001")
    await give_consent(uow, found, clock.now())
    await uow.accounts.add("telegram", "1001", found.id, clock.now())


async def block(uow: UnitOfWork, clock: FakeClock) -> None:
    accounts = await uow.accounts.for_member((await member(uow, "DV001")).id)
    await uow.deliveries.mark_blocked([account.id for account in accounts], clock.now())  # a bulk UPDATE


async def pause(uow: UnitOfWork, clock: FakeClock) -> None:
    target = await member(uow, "DV004")
    await preferences.pause_member(uow, await actor(uow, "DV002"), target.id, "31/12/2026", TODAY, clock.now())


async def exempt(uow: UnitOfWork, clock: FakeClock) -> None:
    (await member(uow, "DV005")).exempt = True  # set by the operator in the database: no service yet


async def move_member(uow: UnitOfWork, clock: FakeClock) -> None:
    rows = [replace(r, cell=TAN_LAP) if r.code == "DV001" else r for r in read_roster(EXAMPLE_CSV).rows]
    await import_roster(uow, rows, clock.now())


async def merge_cells(uow: UnitOfWork, clock: FakeClock) -> None:
    await org_changes.merge_unit(uow, TAN_LAP, DONG_TAM, clock.now(), dry_run=False)


async def move_unit(uow: UnitOfWork, clock: FakeClock) -> None:
    await org_changes.move_unit(uow, BINH_MINH, THANH_SON, clock.now(), dry_run=False)


async def anonymise(uow: UnitOfWork, clock: FakeClock) -> None:
    await personal_data.withdraw_consent(uow, await member(uow, "DV001"), clock.now())


async def study(uow: UnitOfWork, clock: FakeClock) -> None:
    attendee = await member(uow, "DV003")
    title = "Học tập chuyên đề năm 2026"
    await record_session(uow, await actor(uow, "DV002"), TODAY, title, [attendee.id], TODAY, clock.now())


async def confirm(uow: UnitOfWork, clock: FakeClock) -> None:
    [session] = await uow.study.recent((await member(uow, "DV006")).cell_id or 0, TODAY, 1)
    await confirm_attendance(uow, await actor(uow, "DV006"), session.id, clock.now())


async def exemplar(uow: UnitOfWork, clock: FakeClock) -> None:
    await register_exemplar(uow, await actor(uow, "DV003"), NomineeKind.INDIVIDUAL, 2026, clock.now())


async def propose(uow: UnitOfWork, clock: FakeClock) -> None:
    nominee = await member(uow, "DV003")
    account = "Vận động 12 hộ hiến đất mở rộng đường thôn dài 300 m"
    await commendations.propose(uow, await actor(uow, "DV002"), nominee.id, None, account, TODAY, clock.now(), TZ)


async def commend(uow: UnitOfWork, clock: FakeClock, cell: str = DONG_TAM) -> None:
    [unit] = await uow.units.find_by_name(cell)
    [proposal] = await uow.honours.of_cells([unit.id], 2026)
    staff = await actor(uow, "DV025")
    form = CommendationForm.PRAISE
    await commend_decisions.commend(uow, staff, proposal.id, form, "12-QĐ/ĐU", TODAY, TODAY, clock.now(), TZ)


async def propose_cell(uow: UnitOfWork, clock: FakeClock) -> None:
    account = "Chi bộ vận động nhân dân làm 2 km đường bê tông"
    await commendations.propose(uow, await actor(uow, "DV007"), None, None, account, TODAY, clock.now(), TZ)


async def unblock(uow: UnitOfWork, clock: FakeClock) -> None:
    for account in await uow.accounts.for_member((await member(uow, "DV001")).id):
        account.blocked_at = None  # they wrote to the bot again


async def activity(uow: UnitOfWork, clock: FakeClock) -> None:
    title = "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh"
    await record_activity(uow, await actor(uow, "DV002"), ActivityKind.CONTEST, TODAY, title, 12, TODAY, clock.now())


PILOT, FOLLOWER = "Thu gom phế liệu gây quỹ giúp hộ khó khăn", "Thu gom phế liệu giúp hộ nghèo"


async def models(uow: UnitOfWork, clock: FakeClock) -> None:
    for code, name in (("DV016", PILOT), ("DV002", FOLLOWER)):
        draft = Draft(name, MEASURES, date(2026, 12, 31))
        await register_for_cell(uow, await actor(uow, code), CommitmentKind.MODEL, draft, TODAY, clock.now())


async def replicated_model(uow: UnitOfWork, clock: FakeClock) -> None:
    found = {c.content: c for c, _ in await uow.honours.model_options([2026])}
    leader = await actor(uow, "DV002")
    await record_replication(uow, leader, found[FOLLOWER], found[PILOT].id, None, clock.now())


async def withdraw_follower(uow: UnitOfWork, clock: FakeClock) -> None:
    """The follower model withdrawn by a plain change of its status: the replications' rows must see it."""
    found = {c.content: c for c, _ in await uow.honours.model_options([2026])}
    commitment = await uow.commitments.get(found[FOLLOWER].id)
    assert commitment is not None
    commitment.status = CommitmentStatus.WITHDRAWN.value


async def deadline_today(uow: UnitOfWork, clock: FakeClock) -> None:
    commitment = await uow.commitments.get(await own_commitment(uow, "DV003"))
    assert commitment is not None
    commitment.deadline = TODAY  # behind schedule from tomorrow on


Change = Callable[[UnitOfWork, FakeClock], Awaitable[None]]
# (what, the change, whether some figure must move)
STEPS: list[tuple[str, Change, bool]] = [
    ("registration", register, True),
    ("progress", progress, True),
    ("withdrawal of a commitment", withdraw, True),
    ("registrations of DV003 and DV005", lambda uow, clock: _both(uow, clock, "DV003", "DV005"), True),
    ("review: approve and return", approve_and_return, False),
    ("account linked with consent", link_and_block, True),
    ("account blocked", block, True),
    ("pause", pause, True),
    ("exemption", exempt, True),
    ("study session recorded", study, True),
    ("attendance confirmed", confirm, True),
    ("exemplar registration", exemplar, True),
    ("commendation proposed", propose, True),
    ("commendation decided", commend, True),
    ("activity", activity, True),
    ("a model of each of two cells", models, True),
    ("replicated model", replicated_model, True),
    ("deadline set to today", deadline_today, False),
    ("the follower model withdrawn", withdraw_follower, True),
    ("a collective proposal of Tân Lập", propose_cell, True),
    ("member moved (roster import)", move_member, True),
    ("the moved member's account usable again", unblock, True),  # October counts them where they were
    ("cells merged", merge_cells, True),
    ("the merged cell's proposal decided", lambda uow, clock: commend(uow, clock, TAN_LAP), True),
    ("unit moved", move_unit, True),
    ("anonymisation (consent withdrawn)", anonymise, True),
]


async def _both(uow: UnitOfWork, clock: FakeClock, *codes: str) -> None:
    for code in codes:
        await register(uow, clock, code)

"""The authorisation matrix, self-approval cases (issue 10): nobody approves or returns their own registration;
a leader's is reviewed by another leader of the cell or by the committee above; committee staff without a cell
by another member of staff of their committee or by the committee above.

Registrants: secretary DV002 and deputy DV003 (Chi bộ thôn Đồng Tâm), member DV001, committee staff DV025
(Đảng bộ xã Thanh Sơn, no cell). Reviewers add DV026 (a second member of staff of Thanh Sơn), DV027 (staff of
the province committee) and DV007 (secretary of Chi bộ thôn Tân Lập).
"""

from __future__ import annotations

import pytest

from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.router import Router
from handlers.services.errors import Forbidden, NotFound
from handlers.services.review import approve_registration, pending_registrations, return_registration, review_detail
from storage.enums import Role
from storage.models import Member
from tests.chat import add_commitment
from tests.review_support import actor_of, linked
from tests.support import Database, FakeClock

# (reviewer, registrant): True when the reviewer sees and may decide the registration.
MATRIX = {
    ("DV002", "DV002"): False,  # own
    ("DV003", "DV002"): True,  # another leader of the cell
    ("DV025", "DV002"): True,  # the committee above
    ("DV026", "DV002"): True,
    ("DV027", "DV002"): True,  # the province: its whole subtree
    ("DV007", "DV002"): False,  # another cell
    ("DV002", "DV003"): True,
    ("DV003", "DV003"): False,
    ("DV002", "DV001"): True,
    ("DV025", "DV025"): False,  # own
    ("DV026", "DV025"): True,  # another member of staff of the same committee
    ("DV027", "DV025"): True,  # the committee above
    ("DV002", "DV025"): False,  # a cell's leaders do not review their committee's staff
    ("DV007", "DV025"): False,
}


async def add_staff(db: Database, clock: FakeClock) -> None:
    """DV026 on the staff of Đảng bộ xã Thanh Sơn beside DV025; DV027 on the province committee's."""
    async with db.uow() as uow:
        [commune] = await uow.units.find_by_name("Đảng bộ xã Thanh Sơn")
        [province] = await uow.units.find_by_name("Đảng bộ tỉnh Hòa Bình Xanh")
        for code, name, unit in (("DV026", "Võ Thị Hoa", commune), ("DV027", "Lạc Văn Bình", province)):
            member = Member(
                code=code,
                full_name=name,
                position="Chuyên viên Ban Tuyên giáo",
                role=Role.COMMITTEE.value,
                scope_unit_id=unit.id,
                created_at=clock.now(),
                updated_at=clock.now(),
            )
            await uow.members.add(member)
        await uow.commit()


CASES = [
    pytest.param(reviewer, registrant, allowed, id=f"{reviewer}-reviews-{registrant}-{'yes' if allowed else 'no'}")
    for (reviewer, registrant), allowed in MATRIX.items()
]


@pytest.mark.parametrize(("reviewer", "registrant", "allowed"), CASES)
async def test_who_reviews_whose_registration(
    roster_db: Database, clock: FakeClock, reviewer: str, registrant: str, allowed: bool
) -> None:
    await add_staff(roster_db, clock)
    commitment_id = await add_commitment(roster_db, clock, registrant, f"Nội dung làm theo của {registrant}")
    async with roster_db.uow() as uow:
        actor = await actor_of(uow, reviewer)
        listed = [item.commitment_id for item in await pending_registrations(uow, actor)]
        assert (commitment_id in listed) is allowed
        if allowed:
            detail = await review_detail(uow, actor, commitment_id)
            assert detail.commitment_id == commitment_id
            await approve_registration(uow, actor, commitment_id, clock.now())
            return
        refusal = Forbidden if reviewer == registrant else NotFound
        for attempt in (
            lambda: review_detail(uow, actor, commitment_id),
            lambda: approve_registration(uow, actor, commitment_id, clock.now()),
            lambda: return_registration(uow, actor, commitment_id, "Đề nghị sửa lại cho cụ thể", clock.now()),
        ):
            with pytest.raises(refusal) as refused:
                await attempt()
            assert refused.value.message == (rv.REVIEW_OWN if reviewer == registrant else rv.REVIEW_GONE)


async def test_a_committee_members_registration_names_their_committee(roster_db: Database, clock: FakeClock) -> None:
    await add_staff(roster_db, clock)
    commitment_id = await add_commitment(roster_db, clock, "DV025", "Hướng dẫn các chi bộ đăng ký")
    async with roster_db.uow() as uow:
        [item] = await pending_registrations(uow, await actor_of(uow, "DV026"))
    assert (item.commitment_id, item.member_name, item.cell_name) == (
        commitment_id,
        "Cao Xuân Trường",
        "Đảng bộ xã Thanh Sơn",
    )


async def test_own_registration_is_left_out_and_a_forged_button_refused(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    own = await add_commitment(roster_db, clock, "DV002", "Nội dung của bí thư")
    other = await add_commitment(roster_db, clock, "DV001", "Nội dung của đảng viên")
    ngoc = await linked(router, roster_db, clock, "DV002", "2002")
    await ngoc.say("/duyet")
    listing = ngoc.all_texts[0]
    assert "Nội dung của đảng viên" in listing and "Nội dung của bí thư" not in listing
    assert rv.REVIEW_LIST_HEADER.format(count=1) in listing
    await ngoc.press_payload(f"{ngoc.nonce}|{own}")
    assert ngoc.all_texts[0] == t.INVALID_CHOICE
    await ngoc.press_payload(f"{ngoc.nonce}|{other}")
    assert "Nội dung của đảng viên" in ngoc.all_texts[0]
    async with roster_db.uow() as uow:
        saved = await uow.commitments.get(own)
        assert saved is not None and saved.review_state == "pending"


async def test_a_secretary_with_only_their_own_registration_pending_sees_none(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    await add_commitment(roster_db, clock, "DV002", "Nội dung của bí thư")
    ngoc = await linked(router, roster_db, clock, "DV002", "2003")
    await ngoc.say("/duyet")
    assert ngoc.all_texts == [rv.REVIEW_NONE_PENDING, t.MENU_PROMPT]

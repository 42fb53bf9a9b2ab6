"""/dangky: the exemplar question with the first registration of the year (a member for themself, a leader for the
cell), and a cell's model following another unit's model, chosen from a paged list, narrowed by typing, or typed.

Roster: DV001 member and DV002 secretary of Chi bộ thôn Đồng Tâm; DV007 secretary of Chi bộ thôn Tân Lập;
DV012 secretary of Chi bộ Trường Tiểu học Thanh Sơn; DV016, DV021 secretaries of the cells of Đảng bộ phường Hồng Phong.
"""

from __future__ import annotations

from sqlalchemy import select

from handlers.catalog import commend as cm
from handlers.catalog import core as t
from handlers.catalog import review as rv
from handlers.flows.picker import PAGE_SIZE
from handlers.router import Router
from handlers.text import shorten
from storage.enums import CommitmentKind
from storage.models import ExemplarRegistration, ModelReplication
from tests.chat import MEASURES, Chat, asks_exemplar, dialog, member_id
from tests.honours_support import unit_id
from tests.review_support import add_cell_item, linked
from tests.support import Database, FakeClock

DEED = "Vận động 5 hộ trong thôn phân loại rác tại nguồn"
MODEL = "Thắp sáng đường quê bằng đèn năng lượng mặt trời"
PILOT_CELLS = {
    "DV007": "Chi bộ thôn Tân Lập",
    "DV012": "Chi bộ Trường Tiểu học Thanh Sơn",
    "DV016": "Chi bộ tổ dân phố Hồng Hà",
    "DV021": "Chi bộ tổ dân phố Bình Minh",
}


async def exemplars(db: Database) -> list[tuple[int, str, int | None, int | None]]:
    async with db.sessions() as session:
        rows = (await session.scalars(select(ExemplarRegistration).order_by(ExemplarRegistration.id))).all()
        return [(row.year, row.kind, row.member_id, row.unit_id) for row in rows]


async def replications(db: Database) -> list[tuple[int | None, str | None]]:
    async with db.sessions() as session:
        rows = (await session.scalars(select(ModelReplication))).all()
        return [(row.source_commitment_id, row.source_text) for row in rows]


async def to_deadline(chat: Chat, content: str = DEED) -> None:
    await chat.say("/dangky")
    if rv.KIND_SELF in chat.choices:
        await chat.press(rv.KIND_SELF)
    await chat.say(content)
    await chat.say(MEASURES)
    await chat.say("31/12/2026")


async def test_a_member_registers_as_an_exemplar_once_a_year(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    an = await linked(router, roster_db, clock, "DV001", "111")
    await to_deadline(an)
    assert an.all_texts == [cm.ASK_EXEMPLAR_INDIVIDUAL.format(year=2026)]
    question = an.question
    for typed in ("có lẽ", "²", "<b>có</b>", "x" * 5000):
        await an.say(typed)
        assert an.all_texts == [t.INVALID_CHOICE, question.text]
    await an.press_payload(f"{an.nonce}|maybe")
    assert an.all_texts == [t.INVALID_CHOICE, question.text]
    await an.say("co, dang ky xay dung dien hinh")  # the choice's words, without diacritics
    assert an.all_texts[0].endswith(cm.CONFIRM_EXEMPLAR_INDIVIDUAL.format(year=2026) + "\n\nĐồng chí xác nhận đăng ký?")
    assert await exemplars(roster_db) == []  # saved only with the registration
    await an.press(t.CONFIRM)
    assert an.all_texts[0] == " ".join(
        [t.REGISTERED.format(number=1, year=2026), cm.EXEMPLAR_SAVED_INDIVIDUAL.format(year=2026)]
    )
    dong_tam = await unit_id(roster_db, "Chi bộ thôn Đồng Tâm")
    assert await exemplars(roster_db) == [(2026, "individual", await member_id(roster_db, "DV001"), dong_tam)]
    await to_deadline(an, "Giúp đỡ 2 hộ nghèo trong thôn")  # the second registration: not asked again
    assert an.all_texts[0].startswith("Xin đồng chí kiểm tra lại bản đăng ký")
    assert cm.CONFIRM_EXEMPLAR_INDIVIDUAL.format(year=2026) not in an.all_texts[0]


async def test_no_is_asked_once_and_saves_nothing(router: Router, roster_db: Database, clock: FakeClock) -> None:
    an = await linked(router, roster_db, clock, "DV001", "111")
    await to_deadline(an)
    await an.say("2")  # «Không», by number
    await an.press(t.CONFIRM)
    assert an.all_texts == [t.REGISTERED.format(number=1, year=2026), t.MENU_PROMPT]
    await to_deadline(an, "Giúp đỡ 2 hộ nghèo trong thôn")
    assert not asks_exemplar(an)
    assert await exemplars(roster_db) == []


async def test_a_secretary_registers_the_cell_as_an_exemplar(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/dangky")
    await ngoc.press(rv.KIND_COLLECTIVE)
    await ngoc.say("Xây dựng chi bộ thôn không có đảng viên vi phạm")
    await ngoc.say(MEASURES)
    await ngoc.say("cuối năm")
    assert ngoc.all_texts == [cm.ASK_EXEMPLAR_COLLECTIVE.format(cell="Chi bộ thôn Đồng Tâm", year=2026)]
    await ngoc.press(cm.EXEMPLAR_YES)
    assert cm.CONFIRM_EXEMPLAR_COLLECTIVE.format(year=2026) in ngoc.all_texts[0]
    await ngoc.press(t.CONFIRM)
    assert ngoc.all_texts[0].endswith(cm.EXEMPLAR_SAVED_COLLECTIVE.format(cell="Chi bộ thôn Đồng Tâm", year=2026))
    assert await exemplars(roster_db) == [(2026, "collective", None, await unit_id(roster_db, "Chi bộ thôn Đồng Tâm"))]
    await to_deadline(ngoc)  # her own first registration: asked about herself
    assert ngoc.all_texts == [cm.ASK_EXEMPLAR_INDIVIDUAL.format(year=2026)]


async def pilots(db: Database, clock: FakeClock) -> dict[str, int]:
    """Eleven models in four other cells, and one of Đồng Tâm's own (never offered to follow)."""
    found = {}
    for n in range(11):
        leader = list(PILOT_CELLS)[n % 4]
        name = f"Mô hình {n + 1:02d} {'thu gom phế liệu' if n == 5 else 'dân vận khéo'}"
        found[name] = await add_cell_item(db, clock, leader, name, CommitmentKind.MODEL)
    found["own"] = await add_cell_item(db, clock, "DV002", "Mô hình của chính chi bộ", CommitmentKind.MODEL)
    return found


def label(name: str, leader: str) -> str:
    return shorten(cm.MODEL_OPTION.format(name=name, cell=PILOT_CELLS[leader]), 60)  # a button's width


async def test_a_model_follows_a_pilot_chosen_from_the_pages(
    router: Router, roster_db: Database, clock: FakeClock
) -> None:
    ids = await pilots(roster_db, clock)
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/dangky")
    await ngoc.press(rv.KIND_MODEL)
    await ngoc.say(MODEL)
    await ngoc.say(MEASURES)
    await ngoc.say("31/12/2026")
    assert ngoc.all_texts == [f"{cm.ASK_REPLICATION}\n{t.PAGE_INFO.format(page=1, pages=2)}"]
    first_page = ngoc.choices
    assert first_page[0] == cm.REPLICATION_NONE and first_page[-2:] == [t.PAGE_NEXT, t.CANCEL]
    assert len(first_page) == 1 + PAGE_SIZE + 2 and "Mô hình của chính chi bộ" not in " ".join(first_page)
    # by cell, then name (diacritics ignored): thôn Tân Lập 01 05 09, tổ dân phố Bình Minh 04 08, Hồng Hà 03 07 11;
    # Trường Tiểu học 02 06 10 on the second page
    assert first_page[1:4] == [label(f"Mô hình {n} dân vận khéo", "DV007") for n in ("01", "05", "09")]
    assert first_page[4] == label("Mô hình 04 dân vận khéo", "DV021")
    await ngoc.press(t.PAGE_NEXT)
    assert ngoc.all_texts == [f"{cm.ASK_REPLICATION}\n{t.PAGE_INFO.format(page=2, pages=2)}"]
    assert ngoc.choices == [
        cm.REPLICATION_NONE,
        label("Mô hình 02 dân vận khéo", "DV012"),
        label("Mô hình 06 thu gom phế liệu", "DV012"),
        label("Mô hình 10 dân vận khéo", "DV012"),
        t.PAGE_PREV,
        t.CANCEL,
    ]
    await ngoc.press_payload(f"{ngoc.nonce}|m{ids['own']}")  # its own cell's model: not offered
    assert ngoc.all_texts[0] == t.INVALID_CHOICE
    await ngoc.say("phe lieu")  # narrows, without diacritics
    assert ngoc.choices == [
        cm.REPLICATION_NONE,
        label("Mô hình 06 thu gom phế liệu", "DV012"),
        t.FILTER_CLEAR,
        cm.REPLICATION_TYPED.format(name="phe lieu"),
        t.CANCEL,
    ]
    await ngoc.say("2")
    source = cm.SOURCE_IN_BOT.format(name="Mô hình 06 thu gom phế liệu", cell=PILOT_CELLS["DV012"])
    # the cell already registered a model this year: no exemplar question, the confirmation
    assert cm.CONFIRM_REPLICATES.format(source=source) in ngoc.all_texts[0]
    await ngoc.press(t.CONFIRM)
    assert await replications(roster_db) == [(ids["Mô hình 06 thu gom phế liệu"], None)]
    state = await dialog(roster_db, user_id="222")
    assert (state.flow, state.values) == ("menu", {})


async def test_a_pilot_outside_the_bot_is_typed(router: Router, roster_db: Database, clock: FakeClock) -> None:
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/dangky")
    await ngoc.press(rv.KIND_MODEL)
    await ngoc.say(MODEL)
    await ngoc.say(MEASURES)
    await ngoc.say("31/12/2026")
    assert ngoc.choices == [cm.REPLICATION_NONE, t.CANCEL]  # nothing in the bot to follow yet
    await ngoc.say("Tôi")
    await ngoc.press(cm.REPLICATION_TYPED.format(name="Tôi"))  # too short for a model's name
    assert ngoc.all_texts[0] == t.TEXT_TOO_SHORT.format(minimum=5)
    typed = "Dân vận khéo của xã Tân Hòa 🌾"
    await ngoc.say(typed)
    assert t.FILTER_NONE.format(query=typed) in ngoc.all_texts[0]
    await ngoc.press(cm.REPLICATION_TYPED.format(name=typed))
    await ngoc.press(cm.EXEMPLAR_NO)
    assert cm.CONFIRM_REPLICATES.format(source=cm.SOURCE_TYPED.format(name=typed)) in ngoc.all_texts[0]
    await ngoc.press(t.CONFIRM)
    assert await replications(roster_db) == [(None, typed)]


async def test_a_model_of_its_own(router: Router, roster_db: Database, clock: FakeClock) -> None:
    await pilots(roster_db, clock)
    ngoc = await linked(router, roster_db, clock, "DV002", "222")
    await ngoc.say("/dangky")
    await ngoc.press(rv.KIND_MODEL)
    await ngoc.say(MODEL)
    await ngoc.say(MEASURES)
    await ngoc.say("31/12/2026")
    await ngoc.press(cm.REPLICATION_NONE)
    assert not asks_exemplar(ngoc)  # the cell already registered a model this year
    assert cm.CONFIRM_REPLICATES.split("{")[0] not in ngoc.all_texts[0]
    await ngoc.press(t.CONFIRM)
    assert await replications(roster_db) == []

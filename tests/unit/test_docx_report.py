"""The draft report the committee signs, opened with python-docx: the header (superior and issuing committee,
number, party, place and date), the title, each figure as counted by hand in tests/report_world.py (with
tests/honours_support.honours_on_the_world), the lists, "Nơi nhận" and the signature block; A4 and Times New Roman.
Also through `lamtheo report --format docx` and /baocao."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.shared import Pt

from handlers.catalog import commend as cm
from handlers.catalog import document as dc
from handlers.catalog import reports as rp
from handlers.reports.docx_report import MIME
from handlers.router import Router
from handlers.services.periods import parse_cli
from handlers.services.report_doc import docx_for_unit, issuer_of, place_of
from tests.honours_support import ACCOUNT
from tests.report_world import DT
from tests.review_support import linked
from tests.support import TZ, Database, FakeClock

THANH_SON = "Đảng bộ xã Thanh Sơn"


async def draft(db: Database, clock: FakeClock, unit: str, period: str = "2026") -> DocumentObject:
    async with db.uow() as uow:
        _, attachment = await docx_for_unit(uow, unit, parse_cli(period, TZ), clock.now(), TZ)
    assert attachment.mime == MIME and attachment.filename.endswith("_20260101-20261231.docx")
    return Document(io.BytesIO(attachment.content))


def cells(document: DocumentObject, table: int) -> list[list[str]]:
    return [[p.text for p in cell.paragraphs] for cell in document.tables[table].rows[0].cells]


def body(document: DocumentObject) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


async def test_a_committees_draft(honours_db: Database, clock: FakeClock) -> None:
    document = await draft(honours_db, clock, THANH_SON)
    left, right = cells(document, 0)
    assert left == ["ĐẢNG BỘ TỈNH HÒA BÌNH XANH", "ĐẢNG ỦY XÃ THANH SƠN", "*", "Số:        -BC/ĐU"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "", "Thanh Sơn, ngày 23 tháng 11 năm 2026"]
    text = body(document)
    assert text[:3] == ["BÁO CÁO", "kết quả thực hiện Chỉ thị 05-CT/TW của Bộ Chính trị", "năm 2026"]
    assert text[4] == dc.OPENING.format(theme="", issuer="Đảng ủy xã Thanh Sơn", period="năm 2026", end="23/11/2026")
    # Counted by hand (tests/report_world.py, 2026 up to 23/11): 14 members in scope; studied DV001, DV002 (Đồng Tâm)
    # and DV013 (Trường Tiểu học): 3, in 2 of 3 cells; registered 8, updated 7, every commitment done 4, 3 behind
    # (DV002's of 31/10, Đồng Tâm's model of 30/06, DV012's of 30/09); Đồng Tâm's collective commitment; linked DV001,
    # DV002, DV007.
    expected = [
        "2/3 chi bộ đã tổ chức học tập chuyên đề cho 3 đảng viên, đạt 21,4% số đảng viên trong diện theo dõi "
        "(14 đồng chí).",
        "Có 8/14 đảng viên đăng ký nội dung làm theo, đạt 57,1%; 1 tập thể chi bộ đăng ký nội dung làm theo của tập "
        "thể. Trong kỳ, 7 đồng chí cập nhật kết quả thực hiện (87,5% số đã đăng ký); 4 đồng chí đã hoàn thành toàn bộ "
        "nội dung đăng ký (50%); còn 3 nội dung chậm tiến độ.",
        "3/14 đảng viên đã dùng bot để đăng ký và cập nhật kết quả làm theo.",
        # Đồng Tâm registered as an exemplar collective, DV001 as an individual
        "1 tập thể, 1 cá nhân đăng ký xây dựng tập thể, cá nhân điển hình trong học tập, làm theo gương Bác.",
        # Đồng Tâm's model, and Tân Lập's that follows it
        "Toàn Đảng bộ xã Thanh Sơn triển khai 2 mô hình học tập, làm theo gương Bác, trong đó 1 mô hình nhân rộng "
        "từ mô hình của đơn vị khác.",
        # Đồng Tâm's contest of 12/10/2026
        "1/3 chi bộ đã tổ chức hội thi, tọa đàm, cuộc thi viết với tổng số 139 người tham gia (1 hoạt động).",
        # DV001 rewarded; Tân Lập proposed to the province
        "Đã biểu dương, khen thưởng 0 tập thể và 1 cá nhân; đề nghị cấp trên biểu dương, khen thưởng 1 tập thể và 0 "
        "cá nhân.",
        "Bên cạnh kết quả đạt được, còn 6 đảng viên chưa đăng ký nội dung làm theo; 1 đồng chí đã đăng ký nhưng chưa "
        "cập nhật kết quả trong kỳ; 3 nội dung chậm tiến độ; 1 chi bộ chưa tổ chức học tập chuyên đề; 1 đảng viên "
        "không liên lạc được qua bot.",
    ]
    for sentence in expected:
        assert sentence in text, sentence
    pilot = "Nội dung model của DV002 (1 lần cập nhật)"
    assert f"- Mô hình «{pilot}» ({DT})" in text
    assert f"- Mô hình «Thắp sáng đường quê» (Chi bộ thôn Tân Lập), nhân rộng từ mô hình «{pilot}» ({DT})" in text
    contest = "Hội thi kể chuyện về tấm gương đạo đức Hồ Chí Minh"
    assert f"- Hội thi «{contest}» ({DT}, ngày 12/10/2026): 139 người tham gia" in text
    commended = dc.COMMENDED_ITEM.format(
        nominee=cm.NOMINEE_MEMBER.format(name="Nguyễn Văn An"),
        cell=DT,
        form="khen thưởng",
        number="12-QĐ/ĐU",
        date="20/11/2026",
        level="Đảng ủy xã Thanh Sơn",
        account=ACCOUNT,
    )
    assert f"- {commended}" in text
    for heading in (dc.PART_RESULTS, dc.PART_LIMITS, dc.PART_NEXT, dc.HEAD_STUDY, dc.HEAD_COMMEND):
        assert heading in text
    recipients, signature = cells(document, 1)
    assert recipients == [
        "Nơi nhận:",
        "- Tỉnh ủy Hòa Bình Xanh (để báo cáo),",
        "- Các chi bộ, đảng bộ trực thuộc,",
        "- Lưu Văn phòng Đảng ủy xã Thanh Sơn.",
    ]
    assert signature[:2] == ["T/M ĐẢNG ỦY", "BÍ THƯ"] and signature[-1] == ""  # the committee's secretary signs


async def test_the_page_and_the_font(honours_db: Database, clock: FakeClock) -> None:
    document = await draft(honours_db, clock, THANH_SON)
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    margins = (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin)
    assert [round(m.cm, 2) for m in margins if m is not None] == [3.0, 1.5, 2.0, 2.0]
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs if run.font.size is not None}
    assert sizes <= {13.0, 14.0, 15.0}
    title = next(p for p in document.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].font.bold


async def test_a_cells_draft_is_signed_by_its_secretary(honours_db: Database, clock: FakeClock) -> None:
    document = await draft(honours_db, clock, DT)
    left, _ = cells(document, 0)
    assert left == ["ĐẢNG BỘ XÃ THANH SƠN", "CHI BỘ THÔN ĐỒNG TÂM", "*", "Số:        -BC/CB"]
    text = body(document)
    assert "Chi bộ đã tổ chức học tập chuyên đề cho 2/6 đảng viên, đạt 33,3%." in text
    assert "Chi bộ đã tổ chức 1 hội thi, tọa đàm, cuộc thi viết với tổng số 139 người tham gia." in text
    recipients, signature = cells(document, 1)
    assert recipients == ["Nơi nhận:", "- Đảng ủy xã Thanh Sơn (để báo cáo),", "- Lưu chi bộ."]
    assert signature[:2] == ["T/M CHI BỘ", "BÍ THƯ"] and signature[-1] == "Trần Thị Bích Ngọc"


@pytest.mark.parametrize(
    ("name", "issuer", "place"),
    [
        ("Đảng bộ xã Thanh Sơn", ("Đảng ủy xã Thanh Sơn", "ĐẢNG ỦY", "ĐU"), "Thanh Sơn"),
        ("Đảng bộ phường Hồng Phong", ("Đảng ủy phường Hồng Phong", "ĐẢNG ỦY", "ĐU"), "Hồng Phong"),
        ("Đảng bộ tỉnh Hòa Bình Xanh", ("Tỉnh ủy Hòa Bình Xanh", "BAN THƯỜNG VỤ", "TU"), "Hòa Bình Xanh"),
        ("Đảng bộ Thành phố Hải Phòng", ("Thành ủy Hải Phòng", "BAN THƯỜNG VỤ", "TU"), "Hải Phòng"),
        ("Dang bo xa Tan Hoa", ("Đảng ủy xa Tan Hoa", "ĐẢNG ỦY", "ĐU"), "Tan Hoa"),  # typed without diacritics
        ("Chi bộ thôn Đồng Tâm", ("Chi bộ thôn Đồng Tâm", "CHI BỘ", "CB"), "thôn Đồng Tâm"),
        ("Ban Tuyên giáo", ("Ban Tuyên giáo", "CẤP ỦY", "CU"), dc.PLACE_UNKNOWN),
    ],
)
def test_the_issuing_committee_and_the_place(name: str, issuer: tuple[str, str, str], place: str) -> None:
    assert issuer_of(name) == issuer
    assert place_of(name) == place


def test_cli_writes_the_draft_and_says_to_edit_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from tests.support import EXAMPLE_CSV

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["import-roster", str(EXAMPLE_CSV)]) == 0
    out = tmp_path / "thanh-son.docx"
    capsys.readouterr()
    code = main(["report", "--unit", THANH_SON, "--period", "2026-Q4", "--out", str(out), "--place", "Thanh Sơn"])
    said = capsys.readouterr().out.strip()
    assert code == 0 and said == dc.CLI_DOCX_WRITTEN.format(unit=THANH_SON, period="quý 4/2026", path=out)
    assert said.splitlines()[0].startswith("Lưu ý: đây là bản dự thảo")  # the note comes first
    document = Document(str(out))
    assert cells(document, 0)[1][2].startswith("Thanh Sơn, ngày ")
    assert "quý 4/2026" in body(document)


async def test_baocao_offers_the_draft(router_world: Router, honours_db: Database, clock: FakeClock) -> None:
    staff = await linked(router_world, honours_db, clock, "DV025", "2525")
    await staff.say("/baocao")
    await staff.press(dc.FORMAT_DOCX)
    assert staff.question.text == rp.PERIOD_ASK
    await staff.press(rp.PERIOD_YEAR)
    reply = staff.last_replies[0]
    assert reply.text == dc.DOCX_READY.format(unit=THANH_SON, period="năm 2026")
    assert reply.text.startswith("Lưu ý: đây là bản dự thảo, lời văn do bot soạn")  # at the top of the cover note
    assert reply.attachment is not None and reply.attachment.mime == MIME
    assert body(Document(io.BytesIO(reply.attachment.content)))[0] == "BÁO CÁO"
    await staff.say("/baocao word thang")
    assert staff.last_replies[0].text == dc.DOCX_READY.format(unit=THANH_SON, period="tháng 11/2026")


@pytest.fixture
def router_world(honours_db: Database, clock: FakeClock) -> Router:
    return Router(honours_db.uow, clock, TZ)

"""Where LibreOffice is installed (.ci/run installs it), the Excel workbook and the DOCX draft are converted to PDF in
one `soffice` call: each sheet prints on one page, the draft on two, and no page is blank."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from handlers.services.periods import parse_cli
from handlers.services.report_doc import docx_for_unit
from handlers.services.reports import excel_for_unit
from tests.support import TZ, Database, FakeClock

SOFFICE = shutil.which("soffice")
UNIT = "Đảng bộ xã Thanh Sơn"

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text().strip() for page in PdfReader(pdf).pages]


async def test_the_workbook_and_the_draft_print(honours_db: Database, clock: FakeClock, tmp_path: Path) -> None:
    period = parse_cli("2026", TZ)
    async with honours_db.uow() as uow:
        summary, workbook = await excel_for_unit(uow, UNIT, period, clock.now(), TZ)
        _, draft = await docx_for_unit(uow, UNIT, period, clock.now(), TZ)
    (tmp_path / "sheets.xlsx").write_bytes(workbook.content)
    (tmp_path / "draft.docx").write_bytes(draft.content)
    assert SOFFICE is not None
    profile = (tmp_path / "profile").as_uri()  # a profile of its own: never shared with another soffice
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(tmp_path / "sheets.xlsx"), str(tmp_path / "draft.docx")],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    sheets = page_texts(tmp_path / "sheets.pdf")
    assert len(sheets) == 4 + len(summary.cells)  # the roll-up, three sheets of honours, a sheet per cell: a page each
    assert all(sheets), [len(text) for text in sheets]  # no blank page
    assert "BÁO CÁO KẾT QUẢ ĐĂNG KÝ" in sheets[0] and "Trang 1/7" in sheets[0]
    assert "Chi bộ thôn Tân Lập" in sheets[-2] and "Trang 6/7" in sheets[-2]
    pages = page_texts(tmp_path / "draft.pdf")
    assert len(pages) == 2 and all(pages), [len(text) for text in pages]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in pages[0] and "BÁO CÁO" in pages[0]
    assert "T/M ĐẢNG ỦY" in pages[-1] and "Nơi nhận:" in pages[-1]

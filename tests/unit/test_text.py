from datetime import date

import pytest

from handlers.text import clean, fmt_date, fmt_percent, fold, split_text, utf16_length


def test_split_respects_the_limit_and_keeps_every_character() -> None:
    text = "\n".join(f"Dòng số {i}: " + "chữ " * (i % 30) for i in range(400))
    pieces = split_text(text, 500)
    assert all(len(p) <= 500 for p in pieces) and len(pieces) > 1
    assert "\n".join(pieces) == text


def test_split_counts_emoji_as_telegram_does() -> None:
    text = "🙂" * 3000  # 3,000 characters, 6,000 UTF-16 units
    pieces = split_text(text, 4096, utf16_length)
    assert all(utf16_length(p) <= 4096 for p in pieces)
    assert "".join(pieces) == text


def test_short_text_is_one_piece() -> None:
    assert split_text("xin chào", 2000) == ["xin chào"]
    assert split_text("", 2000) == [""]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Đăng   ký \r\n\r\n\r\n\r\nxong  ", "Đăng ký\n\nxong"), ("a\u200bb\x00c", "abc"), (None, "")],
)
def test_clean(raw: str | None, expected: str) -> None:
    assert clean(raw) == expected


def test_fold_ignores_case_and_diacritics() -> None:
    assert fold("Đăng Ký!") == fold("dang ky") == "dang ky"
    assert fold("Hủy") == "huy"


def test_vietnamese_formats() -> None:
    assert fmt_date(date(2026, 3, 5)) == "05/03/2026"
    assert fmt_percent(5, 8) == "62,5%"
    assert fmt_percent(1, 3) == "33,3%"
    assert fmt_percent(3, 3) == "100%"
    assert fmt_percent(0, 0) == "0%"

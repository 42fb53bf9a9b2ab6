"""The router keeps an update's replies as JSON until they are sent (issue 11): they come back the same."""

from __future__ import annotations

import json

from handlers.messages import Attachment, Choice, Reply, replies_from_json, replies_to_json


def test_replies_survive_their_json_form() -> None:
    replies = [
        Reply("Chọn một mục:", (Choice("Cập nhật tiến độ", "7:progress"), Choice("Hủy", "7:__cancel"))),
        Reply("Nhập tỉ lệ hoàn thành:", (Choice("50", "50"),), numbered=False),
        Reply("Báo cáo tổng hợp", attachment=Attachment("tong-hop.xlsx", b"PK\x03\x04\x00\xff", "application/x")),
        Reply("Biểu đồ", attachment=Attachment("bieu-do.png", b"\x89PNG", "image/png", photo=True)),
    ]
    stored = json.loads(json.dumps(replies_to_json(replies)))  # as the database gives it back
    assert replies_from_json(stored) == replies
    assert replies_from_json(json.loads(json.dumps(replies_to_json([])))) == []

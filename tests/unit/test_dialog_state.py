"""The dialog state on its own: the button payload, a question's nonce, and the round trip through its row."""

from __future__ import annotations

from handlers.dialog_state import DialogState, button_payload, parse_payload
from storage.models import DialogStateRow


def test_a_payload_gives_back_its_nonce_and_value_even_when_the_value_has_a_bar() -> None:
    assert button_payload(7, "withdraw|12") == "7|withdraw|12"
    assert parse_payload(button_payload(7, "withdraw|12")) == ("7", "withdraw|12")
    assert parse_payload("no-bar") == ("no-bar", "")


def test_each_question_has_a_new_nonce_and_its_buttons_carry_it() -> None:
    state = DialogState(flow="register", nonce=4)
    first = state.ask("kind", "Loại?", [("Cá nhân", "person"), ("Tập thể", "collective")], numbered=True)
    second = state.ask("content", "Nội dung?", [("Hủy", "cancel")], numbered=False)
    assert [c.payload for c in first.choices] == ["5|person", "5|collective"]
    assert [c.payload for c in second.choices] == ["6|cancel"] and not second.numbered
    assert state.current_reply() == second


def test_a_state_read_back_from_its_row_is_the_same_state() -> None:
    state = DialogState(flow="progress", data={"commitment_id": 3})
    state.ask("percent", "Bao nhiêu phần trăm?", [("50%", "50"), ("100%", "100")], numbered=False)
    row = DialogStateRow(account_id=1, flow=state.flow, step=state.step, nonce=state.nonce, data=state.to_json())
    assert DialogState.from_row(row) == state
    assert DialogState.from_row(None) == DialogState()

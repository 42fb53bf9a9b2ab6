"""Members named in queued messages by id, their name put in when the message is sent (issue 10).

A message the bot queues (announcement, digest, notice) waits as a delivery row; a name written into it would
outlive the member's withdrawal. `member_ref(id)` stands for the member in such a text and `render_refs` puts in
the name they have when the row is sent (after a withdrawal that is their anonymous token). The marks are
control characters, which `handlers.text.clean` removes from everything users type, so no one can forge one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from storage.uow import UnitOfWork

_OPEN, _CLOSE = "\x1e", "\x1f"
_REF = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def member_ref(member_id: int) -> str:
    return f"{_OPEN}{member_id}{_CLOSE}"


def referenced_ids(texts: Sequence[str]) -> set[int]:
    return {int(found) for text in texts for found in _REF.findall(text)}


def fill_refs(text: str, names: dict[int, str]) -> str:
    return _REF.sub(lambda match: names.get(int(match.group(1)), ""), text)


async def render_refs(uow: UnitOfWork, texts: Sequence[str]) -> list[str]:
    """The texts with each member reference replaced by the member's current name (one query for all)."""
    ids = referenced_ids(texts)
    if not ids:
        return list(texts)
    names = {member_id: member.full_name for member_id, member in (await uow.deliveries.members(sorted(ids))).items()}
    return [fill_refs(text, names) for text in texts]

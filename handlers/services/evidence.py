"""Photos a member sends as evidence of progress, attached to the progress entry they log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.services.authz import Actor, own_active_commitment
from storage.models import Evidence
from storage.uow import UnitOfWork

MAX_PHOTOS_PER_ENTRY = 10
FILE_REF_MAX = 2000  # a Zalo photo URL with its signature fits easily


def pending_photo(platform: str, file_ref: str) -> list[str]:
    """A photo waiting in the dialog state (JSON) until the progress entry is saved."""
    return [platform, file_ref.strip()[:FILE_REF_MAX]]


async def attach_evidence(
    uow: UnitOfWork, actor: Actor, commitment_id: int, photos: Sequence[Sequence[str]], now: datetime
) -> int:
    """Attach the photos to the commitment's latest progress entry (just logged); returns how many."""
    if not any(file_ref for _, file_ref in photos):
        return 0  # the usual case: nothing to look up
    commitment = await own_active_commitment(uow, actor, commitment_id)
    entry_id = await uow.evidence.latest_entry_id(commitment.id)
    saved = 0
    for platform, file_ref in list(photos)[:MAX_PHOTOS_PER_ENTRY]:
        if not file_ref:
            continue
        await uow.evidence.add(
            Evidence(
                commitment_id=commitment.id,
                progress_entry_id=entry_id,
                platform=platform,
                file_ref=file_ref,
                created_at=now,
            )
        )
        saved += 1
    return saved

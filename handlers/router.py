"""The one entry point of the conversation: an incoming message in, replies out.

Each update is handled in one transaction: it is claimed in the update log (a redelivery is
skipped), the dialog state is loaded, the step runs, and state, effects and the replies commit together.
The replies stay kept with the update's key until the channel reports them sent (`replied`): an update
processed again after a crash in between (the inbox's take-over or replay) gets them again, not nothing.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.catalog import channels as c
from handlers.catalog import core as t
from handlers.clock import Clock
from handlers.dialog import CANCEL_VALUE, Ctx, FlowRegistry, Input
from handlers.dialog_state import DialogState, parse_payload, save_state
from handlers.flows import default_flows
from handlers.flows.consent import DECLINED_STEP
from handlers.messages import Incoming, Reply, replies_from_json, replies_to_json
from handlers.services.authz import load_actor
from handlers.services.channels import linked_platforms
from handlers.services.errors import NotFound, UserError
from handlers.services.evidence import MAX_PHOTOS_PER_ENTRY, pending_photo
from handlers.services.linking import link_account, looks_like_code
from handlers.text import clean, fold
from storage.models import DialogStateRow
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# "Last seen" is for the operator (who uses the bot); minute precision is not needed and saves a write.
LAST_SEEN_GRANULARITY = timedelta(minutes=10)

COMMANDS = {
    "start": "start",
    "dangky": "register",
    "register": "register",
    "capnhat": "progress",
    "progress": "progress",
    "camket": "pledges",
    "pledges": "pledges",
    "tonghop": "summary",
    "summary": "summary",
    "baocao": "report",
    "report": "report",
    "trogiup": "help",
    "help": "help",
    "huy": "cancel",
    "cancel": "cancel",
    "menu": "menu",
    "kenh": "channel",
    "channel": "channel",
    "dulieu": "mydata",
    "mydata": "mydata",
    "duyet": "review",
    "approve": "review",
    "tudanhgia": "self_assessment",
    "selfassess": "self_assessment",
    "hoctap": "study",
    "study": "study",
    "lichhop": "meeting",
    "meeting": "meeting",
    "nhacnho": "preferences",
    "reminders": "preferences",
    "nhacviec": "reminder",
    "thongbao": "announce",
    "announce": "announce",
    "bieuduong": "commend",
    "commend": "commend",
    "hoatdong": "activity",
    "activity": "activity",
    "web": "web",
    "trangweb": "web",
}
# Typed without a slash (Zalo has no command menu): the folded words of a whole message.
BARE_COMMANDS = {
    "dang ky": "register",
    "cap nhat": "progress",
    "cam ket": "pledges",
    "tong hop": "summary",
    "bao cao": "report",
    "tro giup": "help",
    "huong dan": "help",
    "huy": "cancel",
    "menu": "menu",
    "kenh": "channel",
    "kenh nhan tin": "channel",
    "du lieu": "mydata",
    "duyet": "review",
    "tu danh gia": "self_assessment",
    "hoc tap": "study",
    "lich hop": "meeting",
    "nhac nho": "preferences",
    "thong bao": "announce",
    "bieu duong": "commend",
    "hoat dong": "activity",
    "trang web": "web",
}
# The Vietnamese command words also work typed without their slash ("dangky"): Zalo has no command menu to tap.
VIETNAMESE_COMMANDS = (
    "dangky capnhat camket tonghop baocao trogiup huy kenh dulieu duyet tudanhgia hoctap lichhop nhacnho nhacviec"
    " thongbao bieuduong hoatdong trangweb"
)
BARE_COMMANDS.update({word: COMMANDS[word] for word in VIETNAMESE_COMMANDS.split()})


def parse_command(text: str) -> tuple[str, str] | None:
    if text.startswith("/"):
        head, _, arg = text[1:].partition(" ")
        name = head.split("@", 1)[0].lower()
        return COMMANDS.get(name, "menu"), arg.strip()
    bare = BARE_COMMANDS.get(fold(text))
    return (bare, "") if bare else None


class Router:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        tz: ZoneInfo,
        flows: FlowRegistry | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.tz = tz
        self.flows = flows or default_flows()

    async def handle(self, msg: Incoming) -> list[Reply]:
        now = self.clock.now()
        async with self.uow_factory() as uow:
            if not await uow.updates.claim(msg.platform, msg.update_key, now):
                return await self._unsent(uow, msg)
            replies = await self._dispatch(uow, msg, now)
            if replies:
                await uow.updates.keep_replies(msg.platform, msg.update_key, replies_to_json(replies))
            await uow.commit()
        return replies

    async def partly_replied(self, msg: Incoming, left: Sequence[Reply]) -> None:
        """The first replies went: only `left` stays kept, so an instance taking over after a crash sends those
        and does not repeat what already arrived (at most the one message in flight at the crash comes twice)."""
        async with self.uow_factory() as uow:
            await uow.updates.keep_replies(msg.platform, msg.update_key, replies_to_json(left))
            await uow.commit()

    async def replied(self, msg: Incoming) -> None:
        """The channel is done with the update's replies (sent, or refused and handled): they are not kept."""
        async with self.uow_factory() as uow:
            await uow.updates.replies_sent(msg.platform, msg.update_key)
            await uow.commit()

    @staticmethod
    async def _unsent(uow: UnitOfWork, msg: Incoming) -> list[Reply]:
        """A duplicate: nothing to do again, but the replies of its first processing if they were never sent."""
        kept = await uow.updates.unsent_replies(msg.platform, msg.update_key)
        if not kept:
            log.info("duplicate update skipped platform=%s key=%s", msg.platform, msg.update_key)
            return []
        log.warning("duplicate update, sending its unsent replies platform=%s key=%s", msg.platform, msg.update_key)
        return replies_from_json(kept)

    async def unreachable(self, platform: str, external_id: str) -> None:
        """The platform refused a reply (the member blocked the bot): the account is marked unreachable, as the
        sender marks it for a refused delivery, until they write again."""
        async with self.uow_factory() as uow:
            account = await uow.accounts.find(platform, external_id)
            if account is None:
                return
            await uow.deliveries.mark_blocked([account.id], self.clock.now())
            await uow.commit()
        log.info("reply refused, account marked unreachable platform=%s account_id=%s", platform, account.id)

    async def unseen(self, platform: str, external_id: str) -> None:
        """The platform did not take the reply: the question it asked is marked unseen, so that the member's next
        message gets it again instead of being read as its answer (the state was committed before sending)."""
        async with self.uow_factory() as uow:
            account = await uow.accounts.find(platform, external_id)
            row = await uow.dialogs.load(account.id) if account else None
            if account is None or row is None:
                return
            state = DialogState.from_row(row)
            state.shown = False
            await save_state(uow, account.id, row, state, row.updated_at)
            await uow.commit()
        log.info(
            "reply not delivered, question kept for the next message platform=%s account_id=%s", platform, account.id
        )

    async def _dispatch(self, uow: UnitOfWork, msg: Incoming, now: datetime) -> list[Reply]:
        text = clean(msg.text)
        command = parse_command(text) if text and not msg.payload else None
        account, member, row, scope = await uow.dialogs.load_for(msg.platform, msg.account_id)
        if account is None or member is None or not member.active:
            return await self._stranger(uow, msg, text, command, now, row)
        if now - account.last_seen_at > LAST_SEEN_GRANULARITY:
            account.last_seen_at = now
        if account.blocked_at is not None:  # they write again: reachable again
            account.blocked_at = None
        state = DialogState.from_row(row)
        ctx = Ctx(uow, await load_actor(uow, member, scope), member, state, now, self.tz, self.flows)
        replies = await self._converse(ctx, msg, text, command)
        if account.id in uow.personal.unlinked_account_ids:  # consent withdrawn: the account is gone
            return replies
        await save_state(uow, account.id, row, ctx.state, now)
        return replies

    async def _stranger(
        self,
        uow: UnitOfWork,
        msg: Incoming,
        text: str,
        command: tuple[str, str] | None,
        now: datetime,
        row: DialogStateRow | None,
    ) -> list[Reply]:
        code = command[1] if command and command[0] == "start" else ("" if command else text)
        if not code or not looks_like_code(code):
            return [Reply(t.STRANGER)]
        try:
            account, member = await link_account(uow, msg.platform, msg.account_id, code, now, self.tz)
        except UserError as error:
            return [Reply(error.message)]
        log.info("account linked platform=%s member_id=%s", msg.platform, member.id)
        cell = await uow.units.get(member.cell_id) if member.cell_id else None
        greeting = Reply(t.LINKED.format(name=member.full_name, cell=cell.name if cell else ""))
        state = DialogState(nonce=row.nonce if row else 0)  # a relinked account: old buttons stay stale
        ctx = Ctx(uow, await load_actor(uow, member), member, state, now, self.tz, self.flows)
        replies = await ctx.start("consent") if member.consent_at is None else await ctx.back_to_menu()
        await save_state(uow, account.id, row, ctx.state, now)
        if len(await linked_platforms(uow, ctx.actor)) > 1:  # a second platform: say how to choose
            greeting = Reply(f"{greeting.text}\n{c.HELP_CHANNEL.strip()}")
        return [greeting, *replies]

    async def _converse(self, ctx: Ctx, msg: Incoming, text: str, command: tuple[str, str] | None) -> list[Reply]:
        if ctx.member.consent_at is None:
            return await self._consent_gate(ctx, msg, text, command)
        if command is not None:
            return await self._command(ctx, *command)
        if msg.payload is not None:
            return await self._pressed(ctx, msg.payload)
        if msg.image_ref:
            return await self._photo(ctx, msg.platform, msg.image_ref)
        if not text:
            return self._with_current([Reply(t.NOT_TEXT)], ctx.state)
        if ctx.state.flow is None:
            return await ctx.back_to_menu()
        if not ctx.state.shown:  # they never saw the question: what they typed is no answer to it
            ctx.state.shown = True
            return self._with_current([Reply(t.QUESTION_NOT_DELIVERED)], ctx.state)
        value = ctx.state.match_typed(text)
        return await self._step(ctx, Input(text="" if value else text, value=value))

    async def _consent_gate(self, ctx: Ctx, msg: Incoming, text: str, command: tuple[str, str] | None) -> list[Reply]:
        """Until the member consents, the notice is all the bot offers."""
        declined = ctx.state.flow == "consent" and ctx.state.step == DECLINED_STEP
        if declined and not (command and command[0] == "start"):
            return [Reply(t.CONSENT_STILL_DECLINED)]  # a short reminder, not the whole notice again
        if ctx.state.flow != "consent" or command is not None or declined:
            return await ctx.start("consent")
        if msg.payload is not None:
            return await self._pressed(ctx, msg.payload)
        return await self._step(ctx, Input(text=text, value=ctx.state.match_typed(text)))

    async def _command(self, ctx: Ctx, name: str, arg: str) -> list[Reply]:
        if name == "cancel":
            had_flow = ctx.state.flow not in (None, "menu")
            return await ctx.back_to_menu(Reply(t.CANCELLED if had_flow else t.NOTHING_TO_CANCEL))
        if name == "start":
            if arg and looks_like_code(arg):
                return await ctx.back_to_menu(Reply(t.ALREADY_LINKED.format(name=ctx.member.full_name)))
            return await ctx.back_to_menu()
        return await self._guarded(ctx, lambda: ctx.start(name, arg))

    async def _photo(self, ctx: Ctx, platform: str, image_ref: str) -> list[Reply]:
        """A photo is evidence of progress: kept with the entry being logged, or (when no other flow is under
        way) it starts logging one; in the middle of another flow it is no answer to the question."""
        if ctx.state.flow not in (None, "menu", "progress"):
            return self._with_current([Reply(t.NOT_TEXT)], ctx.state)
        if ctx.state.flow != "progress":
            started = await self._guarded(ctx, lambda: ctx.start("progress"))
            if ctx.state.flow != "progress":  # nothing to attach it to
                return [Reply(c.PHOTO_NOT_SAVED), *started]
            ctx.state.data["photos"] = [pending_photo(platform, image_ref)]
            return [Reply(c.PHOTO_RECEIVED_START), *started]
        photos = list(ctx.state.data.get("photos") or [])
        if len(photos) >= MAX_PHOTOS_PER_ENTRY:
            return self._with_current([Reply(c.PHOTO_TOO_MANY.format(limit=MAX_PHOTOS_PER_ENTRY))], ctx.state)
        ctx.state.data["photos"] = [*photos, pending_photo(platform, image_ref)]
        return self._with_current([Reply(c.PHOTO_RECEIVED)], ctx.state)

    async def _pressed(self, ctx: Ctx, payload: str) -> list[Reply]:
        nonce, value = parse_payload(payload)
        state = ctx.state
        if state.flow is None:
            return await ctx.back_to_menu(Reply(t.STALE_CHOICE))
        if nonce != str(state.nonce):
            return self._with_current([Reply(t.STALE_CHOICE)], state)
        if not state.has_value(value):  # a forged payload: only offered choices are accepted
            return self._with_current([Reply(t.INVALID_CHOICE)], state)
        return await self._step(ctx, Input(value=value))

    async def _step(self, ctx: Ctx, inp: Input) -> list[Reply]:
        if inp.value == CANCEL_VALUE:
            return await self._command(ctx, "cancel", "")
        flow = self.flows.get(ctx.state.flow or "")
        if flow is None:
            return await ctx.back_to_menu()
        return await self._guarded(ctx, lambda: flow.on_input(ctx, inp))

    async def _guarded(self, ctx: Ctx, run: Callable[[], Awaitable[list[Reply]]]) -> list[Reply]:
        """Run a step; on a user error restore the state so the same question is asked again."""
        before = copy.deepcopy(ctx.state)
        try:
            return await run()
        except NotFound as error:  # what the question was about is gone: asking again cannot help
            return await ctx.back_to_menu(Reply(error.message))
        except UserError as error:
            ctx.state = before
            if before.flow is None:
                return await ctx.back_to_menu(Reply(error.message))
            return self._with_current([Reply(error.message)], before)

    @staticmethod
    def _with_current(replies: list[Reply], state: DialogState) -> list[Reply]:
        current = state.current_reply()
        return [*replies, current] if current else replies

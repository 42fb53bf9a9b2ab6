"""Telegram: python-telegram-bot 22 in, platform-neutral messages to the router, replies out.

Handler order (the whole wiring of this channel is here):
  1. a pressed inline button          -> Incoming(payload=...)
  2. any text, commands included      -> Incoming(text=...)
  3. anything else in a private chat  -> Incoming(text=None) (the router asks for text);
                                         a photo -> Incoming(image_ref=largest size's file_id) (evidence)
  errors                              -> logged without message text; the user gets a polite notice. While
                                         the webhook endpoint processes an update (`failures_collected`), an
                                         error is handed to it instead: the inbox retries, then gives up

`TelegramBot` starts the Application by hand in both modes (it shares the runtime's loop). Siblings:
`telegram_messenger.py` (the bot's own messages), `telegram_webhook.py` (the web server's endpoint and setWebhook
& co), `telegram_limiter.py` (requests through the token's shared rate budget).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from telegram import Bot, BotCommand, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.channels.telegram_limiter import BudgetLimiter
from bot.rate_budget import Kind, RateBudget
from handlers.catalog import core as t
from handlers.messages import Attachment, Incoming, Reply
from handlers.router import Router
from handlers.text import split_text, utf16_length

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]  # what polling asks for, and what setWebhook subscribes to
BOT_COMMANDS: list[tuple[str, str]] = t.COMMAND_MENU  # the command menu shown by Telegram clients

# PTB's process_update hands a handler's exception to the error handler and returns normally; the error
# handler appends it here instead while someone collects them (the webhook endpoint, for the inbox).
_failures: ContextVar[list[BaseException] | None] = ContextVar("telegram_update_failures", default=None)


@contextmanager
def failures_collected() -> Iterator[list[BaseException]]:
    """Errors of the updates processed in this block (same task), instead of the error handler's notice."""
    collected: list[BaseException] = []
    token = _failures.set(collected)
    try:
        yield collected
    finally:
        _failures.reset(token)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One big button per row: easy to hit on a small screen."""
    if not reply.choices:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=c.payload)] for c in reply.choices])


class TelegramChannel:
    def __init__(self, router: Router) -> None:
        self.router = router

    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        private = filters.ChatType.PRIVATE
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(private & filters.TEXT, self.on_text))
        app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, self.on_other))
        app.add_error_handler(self.on_error)

    def _key(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
        return f"{context.bot.id}:{update.update_id}"

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        incoming = Incoming(PLATFORM, str(user.id), self._key(update, context), text=message.text)
        await self.reply(context, message.chat_id, incoming, await self.router.handle(incoming))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        photo = message.photo[-1].file_id if message.photo else None  # the largest size comes last
        incoming = Incoming(PLATFORM, str(user.id), self._key(update, context), text=None, image_ref=photo)
        await self.reply(context, message.chat_id, incoming, await self.router.handle(incoming))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        try:
            await query.answer()  # only stops the button's spinner: never let it cost the press itself
        except TelegramError as error:  # e.g. "query is too old" for presses queued while the bot was down
            log.warning("could not answer a button press: %s", type(error).__name__)
        chat_id = query.message.chat.id if query.message else user.id
        incoming = Incoming(PLATFORM, str(user.id), self._key(update, context), payload=query.data or "")
        replies = await self.router.handle(incoming)
        if await self.reply(context, chat_id, incoming, replies) and replies and query.message is not None:
            await self._remove_buttons(query)

    @staticmethod
    async def _remove_buttons(query: CallbackQuery) -> None:
        """The question was answered: its buttons go, so an old one is not pressed by mistake later."""
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as error:  # too old to edit, or already without buttons: nothing lost
            log.debug("could not remove answered buttons: %s", type(error).__name__)

    async def reply(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, incoming: Incoming, replies: Sequence[Reply]
    ) -> bool:
        """Send the replies; False when the member blocked the bot (403), which marks the account unreachable.
        Any other refusal marks the question unseen (asked again at the next message) and goes on to the error
        handler (or the webhook inbox). Only a crash before this ends leaves the replies kept for a resend, or, under
        the webhook inbox, no answer from Telegram (a timeout, a reset): the inbox's next try sends them."""

        async def went(count: int) -> None:  # the first `count` replies arrived: a take-over sends only the rest
            await self.router.partly_replied(incoming, replies[count:])

        try:
            await self.send(context, chat_id, replies, went)
        except Forbidden:
            await self.router.unreachable(PLATFORM, incoming.account_id)
            await self._replied(incoming, replies)
            return False
        except TelegramError as error:
            if _failures.get() is not None and no_answer(error):  # the inbox's next try sends what did not go
                raise
            await self.router.unseen(PLATFORM, incoming.account_id)
            await self._replied(incoming, replies)
            raise
        await self._replied(incoming, replies)
        return True

    async def _replied(self, incoming: Incoming, replies: Sequence[Reply]) -> None:
        """Done with the replies (a refusal is handled above): the router stops keeping them for a resend."""
        if replies:
            await self.router.replied(incoming)

    async def send(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        replies: Sequence[Reply],
        went: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        """Send the replies in order; `went(n)` after the n-th of several (not after the last one)."""
        for number, reply in enumerate(replies, 1):
            await self._send_one(context, chat_id, reply)
            if went is not None and number < len(replies):
                await went(number)

    @staticmethod
    async def _send_one(context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply) -> None:
        file = reply.attachment
        if file is not None and utf16_length(reply.text) <= MessageLimit.CAPTION_LENGTH:
            await send_attachment(context.bot, chat_id, file, reply.text, keyboard(reply))
            return
        pieces = split_text(reply.text, MessageLimit.MAX_TEXT_LENGTH, utf16_length)
        for index, piece in enumerate(pieces):
            markup = keyboard(reply) if index == len(pieces) - 1 else None
            await context.bot.send_message(chat_id, piece, reply_markup=markup)
        if file is not None:  # the text was too long for a caption: it went first, the file follows
            await send_attachment(context.bot, chat_id, file, "", None)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        collected = _failures.get()
        if collected is not None and error is not None:  # the inbox decides: try again, or give up and tell
            collected.append(error)
            return
        log.error(
            "error while handling an update: %s",
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error else None,
        )
        if isinstance(update, Update):
            await notify_failure(context.bot, update)


def no_answer(error: TelegramError) -> bool:
    """Telegram did not answer (a timeout, a reset): not a refusal, the message may not have gone."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


async def notify_failure(bot: Bot, update: Update) -> None:
    """Tell the update's chat that it could not be handled; best effort."""
    if update.effective_chat is None:
        return
    try:
        await bot.send_message(update.effective_chat.id, t.INTERNAL_ERROR)
    except Exception as error:  # the failure itself is logged by whoever called
        log.warning("could not send the error notice: %s", type(error).__name__)


async def send_attachment(
    bot: Bot, chat_id: int, file: Attachment, caption: str, markup: InlineKeyboardMarkup | None
) -> None:
    upload = InputFile(file.content, filename=file.filename)
    if file.photo:
        await bot.send_photo(chat_id, upload, caption=caption or None, reply_markup=markup)
    else:
        await bot.send_document(chat_id, upload, caption=caption or None, reply_markup=markup)


def build_application(
    token: str,
    base_url: str,
    router: Router,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    budget: RateBudget | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> Application:  # type: ignore[type-arg]
    """The Application with this channel's handlers; no job queue (housekeeping is the runtime's one loop).
    Its requests take slots of the token's `budget` as replies (none: unpaced, for tests)."""
    builder = ApplicationBuilder().token(token).base_url(base_url).job_queue(None)
    if on_shutdown is not None:
        shutdown = on_shutdown

        async def post_shutdown(_app: Application) -> None:  # type: ignore[type-arg]
            await shutdown()

        builder = builder.post_shutdown(post_shutdown)
    if budget is not None:
        builder = builder.rate_limiter(BudgetLimiter(budget, Kind.REPLY, max_retries=3))  # type: ignore[arg-type]
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    app = builder.build()
    TelegramChannel(router).install(app)
    return app


class TelegramBot:
    """The running Telegram side in both modes: the Application is started by hand (it shares the runtime's
    loop); updates come from its updater (polling) or from the inbox (webhooks, bot/channels/telegram_webhook.py)."""

    platform = PLATFORM

    def __init__(self, app: Application) -> None:  # type: ignore[type-arg]
        self.app = app

    async def start(self) -> None:
        """Initialise (getMe), set the command menu, start handling updates."""
        await self.app.initialize()
        await set_command_menu(self.app)
        await self.app.start()

    async def start_polling(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)

    async def stop_polling(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()

    async def stop(self) -> None:
        """Stop polling (if it polls), finish the updates in hand, shut down."""
        await self.stop_polling()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


async def set_command_menu(app: Application) -> None:  # type: ignore[type-arg]
    try:
        await app.bot.set_my_commands([BotCommand(name, text) for name, text in BOT_COMMANDS])
        log.info("running as @%s", app.bot.username)
    except Exception:  # the command menu is a convenience; the bot works without it
        log.warning("could not set the bot's command menu")


async def bot_username(token: str, base_url: str) -> str | None:
    """The bot's @username from getMe, for invite links; None when Telegram cannot be reached."""
    from telegram import Bot

    try:
        async with Bot(token, base_url=base_url) as bot:
            return bot.username
    except Exception:
        log.warning("could not ask Telegram for the bot's username")
        return None


def invite_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"

"""Polling mode (`lamtheo run`): Telegram and Zalo from one process and one event loop.

Each platform whose token is set runs: Telegram through python-telegram-bot's updater (started by hand,
so it shares the loop), Zalo through `ZaloChannel.poll`. Ctrl+C or SIGTERM stops both cleanly: the
polls end, an update being handled is finished, then the database is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.background import messengers_for, start_background
from bot.settings import Settings
from bot.wiring import Core, build_core
from handlers.catalog import admin as a
from handlers.catalog import channels as c
from handlers.outbound import Messenger
from handlers.services.maintenance import prune_update_log

if TYPE_CHECKING:
    from bot.channels.zalo import ZaloChannel

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY_S = 3600
TELEGRAM_UPDATES = ["message", "callback_query"]


def install_stop_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for name in ("SIGINT", "SIGTERM"):
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):  # Windows: Ctrl+C only
            loop.add_signal_handler(getattr(signal, name), stop.set)


async def run_polling(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run every configured platform until `stop` is set (or a stop signal arrives)."""
    stop = stop or asyncio.Event()
    install_stop_signals(stop)
    core = build_core(settings)
    try:
        async with contextlib.AsyncExitStack() as stack:
            tasks: list[asyncio.Task[None]] = []
            zalo: Messenger | None = None
            try:
                if settings.zalo_bot_token is not None:
                    channel = _zalo_channel(settings, core, stack.push_async_callback)
                    tasks.append(asyncio.create_task(channel.poll(stop), name="zalo-polling"))
                    zalo = channel.messenger
                    print(c.RUNNING_ZALO, file=sys.stderr)
                if settings.telegram_bot_token is not None:
                    await _start_telegram(settings, core, stack)
                    print(a.RUNNING, file=sys.stderr)
                else:  # the Telegram application prunes the update log itself
                    tasks.append(asyncio.create_task(_housekeeping(core, stop), name="housekeeping"))
                background = await start_background(core, settings, messengers_for(settings, zalo))
                stack.push_async_callback(background.stop)
                await stop.wait()
                log.info("stopping")
            finally:  # also when a platform failed to start: the others end before the database closes
                stop.set()
                await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await core.close()
    return 0


def _zalo_channel(
    settings: Settings, core: Core, on_exit: Callable[[Callable[[], Awaitable[None]]], object]
) -> ZaloChannel:
    from bot.channels.zalo import build_zalo

    assert settings.zalo_bot_token is not None
    channel = build_zalo(
        settings.zalo_bot_token.get_secret_value(),
        settings.zalo_api_base_url,
        core.router,
        settings.zalo_monthly_quota,
    )
    on_exit(channel.client.close)
    return channel


async def _start_telegram(settings: Settings, core: Core, stack: contextlib.AsyncExitStack) -> None:
    from bot.channels.telegram import build_application

    assert settings.telegram_bot_token is not None
    app = build_application(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url, core.router)
    await stack.enter_async_context(app)  # initialize() now, shutdown() at the end
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    stack.push_async_callback(app.stop)
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=TELEGRAM_UPDATES, drop_pending_updates=False)
    stack.push_async_callback(app.updater.stop)


async def _housekeeping(core: Core, stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), HOUSEKEEPING_EVERY_S)
            return
        try:
            async with core.uow() as uow:
                removed = await prune_update_log(uow, core.clock.now())
                await uow.commit()
            log.info("pruned %d processed-update keys", removed)
        except Exception as error:  # housekeeping must never stop the bot
            log.warning("housekeeping failed: %s", type(error).__name__)

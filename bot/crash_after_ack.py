"""A test seam, installed by the runtime only when LAMTHEO_TEST_EXIT_AFTER_ACK=1 is in the environment.

The first webhook update answered with a 200 kills the process with SIGKILL right after the answer was
sent, before the inbox worker saw the update: a deterministic "crash after the acknowledgement" for
tests/e2e/test_web_process.py (the next start must process the stored update).
"""

from __future__ import annotations

import logging
import os
import signal

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.inbox import Inbox

log = logging.getLogger(__name__)

ENV = "LAMTHEO_TEST_EXIT_AFTER_ACK"


def requested() -> bool:
    return os.environ.get(ENV) == "1"


def crash_after_ack(inbox: Inbox) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/webhook/"):
            return await handler(request)
        await inbox.stop()  # what is accepted from here on stays stored, unprocessed, for the next start
        response = await handler(request)
        if response.status != 200:
            return response
        await response.prepare(request)
        await response.write_eof()
        log.warning("%s is set: killing this process right after the acknowledgement", ENV)
        os.kill(os.getpid(), signal.SIGKILL)
        return response

    return middleware

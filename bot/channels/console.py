"""The terminal: the same flows, choices as numbered lines, typing only (as on Zalo)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import TextIO

from handlers.catalog import core as t
from handlers.messages import Incoming, Reply
from handlers.router import Router

PLATFORM = "console"
Switch = Callable[[str], Awaitable[str | None]]


def render(reply: Reply) -> str:
    return reply.as_plain_text(t.CHOOSE_BY_NUMBER, t.OR_TYPE)


class ConsoleChannel:
    """Reads lines, hands them to the router as the given member's console account, prints replies.

    `switch` (demo only) handles "/as CODE" to continue as another member; it returns the new
    account id or None when the code is unknown.
    """

    def __init__(
        self,
        router: Router,
        account_id: str,
        stdin: TextIO,
        stdout: TextIO,
        switch: Switch | None = None,
        prompt: str = "> ",
    ) -> None:
        self.router, self.account_id = router, account_id
        self.stdin, self.stdout, self.switch, self.prompt = stdin, stdout, switch, prompt

    def show(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    async def say(self, text: str) -> list[Reply]:
        incoming = Incoming(PLATFORM, self.account_id, uuid.uuid4().hex, text=text)
        replies = await self.router.handle(incoming)
        for reply in replies:
            self.show(render(reply))
        if replies:
            await self.router.replied(incoming)
        return replies

    def _start_reader(self) -> asyncio.Queue[str]:
        """Lines from stdin via a daemon thread: a blocked read must not keep Ctrl+C from exiting."""
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def read() -> None:
            while True:
                line = self.stdin.readline()
                loop.call_soon_threadsafe(lines.put_nowait, line)
                if not line:
                    return

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return lines

    async def run(self, first: str | None = "/start") -> None:
        if first:
            await self.say(first)
        lines = self._start_reader()
        while True:
            self.stdout.write(self.prompt)
            self.stdout.flush()
            line = await lines.get()
            if not line:  # end of input (Ctrl+D)
                self.show("")
                return
            line = line.rstrip("\n")
            if self.switch and line.strip().lower().startswith("/as "):
                new_account = await self.switch(line.strip()[4:].strip())
                if new_account:
                    self.account_id = new_account
                    await self.say("/start")
                continue
            await self.say(line)

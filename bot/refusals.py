"""One WARNING a minute at most about refused requests, with how many were refused since the last one.

Wrong webhook secrets and bad file links come from outside and can come by the thousand: each one logged
would flood the log (and fill the disk). The first refusal is told at once; the next ones are counted and
told with the next warning, a minute or more later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

EVERY_S = 60.0


class RefusalLog:
    def __init__(
        self, logger: logging.Logger, what: str, every_s: float = EVERY_S, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.logger, self.what, self.every_s, self._now = logger, what, every_s, now
        self._count = 0
        self._last_warning: float | None = None

    def refused(self, detail: str = "") -> None:
        """Count one refusal; warn when the last warning is a minute old. `detail` must hold no secret or text."""
        self._count += 1
        now = self._now()
        if self._last_warning is not None and now - self._last_warning < self.every_s:
            return
        suffix = f" (last: {detail})" if detail else ""
        self.logger.warning("%s: %d refused since the last warning%s", self.what, self._count, suffix)
        self._count, self._last_warning = 0, now

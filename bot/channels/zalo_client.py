"""The Zalo Bot API over httpx: the nine methods, 429 backoff, and errors that never carry the token.

The token is part of every URL (`<base>/bot<TOKEN>/<method>`): httpx logs URLs, so each client adds a
redacting filter for its token to httpx's loggers, and no error raised here carries the URL.
"""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType
from typing import Any, Self

import httpx

from bot.logs import RedactingFilter

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
POLL_TIMEOUT_S = 30


# --- errors (none of them carries the URL, hence never the token) ---------------------------------------------
class ZaloError(Exception):
    """Anything that went wrong talking to the Zalo Bot API."""

    sent_before = 0  # messages of the same batch that had already gone out


class ZaloApiError(ZaloError):
    """The API answered `ok: false` (or an HTTP error without a usable body)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Zalo API error {code}: {description}")
        self.code, self.description = code, description


class ZaloRateLimited(ZaloApiError):
    """Still HTTP 429 after the client's own retries."""

    def __init__(self, description: str, retry_after: float) -> None:
        super().__init__(429, description)
        self.retry_after = retry_after


class ZaloNetworkError(ZaloError):
    """No answer. `maybe_sent`: the request may have reached Zalo (a read timeout), so it may have acted."""

    def __init__(self, method: str, reason: str, maybe_sent: bool) -> None:
        super().__init__(f"Zalo {method}: {reason}")
        self.maybe_sent = maybe_sent


# --- the client --------------------------------------------------------------------------------------------------
_protected: set[str] = set()


def protect_secret(secret: str) -> None:
    """Blank `secret` in whatever httpx and httpcore log (they log request URLs), whoever set up logging."""
    if not secret or secret in _protected:
        return
    _protected.add(secret)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).addFilter(RedactingFilter([secret]))


def _retry_hint(response: httpx.Response, body: Any) -> float | None:
    if isinstance(body, dict):
        parameters = body.get("parameters")
        if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
            return float(parameters["retry_after"])
        if isinstance(body.get("retry_after"), int | float):
            return float(body["retry_after"])
    header = response.headers.get("Retry-After", "")
    try:
        return float(header) if header else None
    except ValueError:
        return None


class ZaloClient:
    """The nine methods of the Zalo Bot API over one httpx.AsyncClient (POST, JSON body)."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        http: httpx.AsyncClient | None = None,
        max_retries: int = 3,
        max_backoff: float = 30.0,
        timeout: float = 15.0,
    ) -> None:
        if not token:
            raise ValueError("empty Zalo token")
        protect_secret(token)
        self._token = token
        self._base = base_url.rstrip("/")
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None
        self.max_retries, self.max_backoff, self.timeout = max_retries, max_backoff, timeout

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self._base!r})"

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # -- plumbing --
    async def _post(self, method: str, params: dict[str, Any], seconds: float) -> httpx.Response:
        url = f"{self._base}/bot{self._token}/{method}"
        try:
            return await self._http.post(url, json=params, timeout=seconds)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            reason = type(error).__name__
        except httpx.TimeoutException as error:
            raise ZaloNetworkError(method, type(error).__name__, maybe_sent=True) from None
        except httpx.HTTPError as error:
            raise ZaloNetworkError(method, type(error).__name__, maybe_sent=True) from None
        raise ZaloNetworkError(method, reason, maybe_sent=False)

    async def _call(
        self, method: str, params: dict[str, Any] | None = None, *, seconds: float | None = None, none_on: int = 0
    ) -> Any:
        """POST the method; the `result` of an ok answer. HTTP `none_on` (408 for getUpdates) gives None."""
        attempt = 0
        while True:
            response = await self._post(method, params or {}, seconds or self.timeout)
            if none_on and response.status_code == none_on:
                return None
            try:
                body = response.json()
            except ValueError:
                body = None
            if response.status_code == 429:
                hint = _retry_hint(response, body)
                if attempt >= self.max_retries:
                    raise ZaloRateLimited("Too Many Requests", hint or 1.0)
                delay = min(self.max_backoff, hint if hint is not None else 0.5 * 2**attempt)
                log.warning("zalo %s: rate limited, retrying in %.1fs", method, delay)
                await asyncio.sleep(delay)
                attempt += 1
                continue
            return self._result(method, response, body)

    @staticmethod
    def _result(method: str, response: httpx.Response, body: Any) -> Any:
        if not isinstance(body, dict):
            raise ZaloApiError(response.status_code, f"{method}: unreadable answer")
        if body.get("ok") is True and response.is_success:
            return body.get("result")
        code = body.get("error_code")
        description = body.get("description") or body.get("message") or response.reason_phrase or "error"
        raise ZaloApiError(int(code) if isinstance(code, int) else response.status_code, str(description)[:300])

    # -- the nine methods --
    async def get_me(self) -> dict[str, Any]:
        result = await self._call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, wait_s: int = POLL_TIMEOUT_S) -> list[dict[str, Any]]:
        """At most one update as a rule (a list is accepted too); [] when there was none (HTTP 408)."""
        result = await self._call("getUpdates", {"timeout": str(wait_s)}, seconds=wait_s + 10.0, none_on=408)
        if isinstance(result, dict):
            return [result]
        if isinstance(result, list):
            return [item for item in result if isinstance(item, dict)]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self._call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self._call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self._call("getWebhookInfo")
        return result if isinstance(result, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self._call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> Any:
        params = {"chat_id": chat_id, "photo": photo}
        if caption:
            params["caption"] = caption
        return await self._call("sendPhoto", params)

    async def send_sticker(self, chat_id: str, sticker: str) -> Any:
        return await self._call("sendSticker", {"chat_id": chat_id, "sticker": sticker})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self._call("sendChatAction", {"chat_id": chat_id, "action": action})

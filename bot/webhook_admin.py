"""The platforms' webhooks: `lamtheo webhook set|info|delete [--platform telegram|zalo|all]`, and the
registration the runtime does when `lamtheo run --webhook` starts."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterable, Sequence

from bot.channels.webhooks import PlatformWebhook
from bot.settings import Settings
from handlers.catalog import web as w

log = logging.getLogger(__name__)

EXIT_USAGE = 2


def webhook_settings_missing(settings: Settings) -> bool:
    return settings.webhook_base_url is None or settings.webhook_secret is None


def webhook_url(settings: Settings, platform: str) -> str:
    return f"{settings.webhook_base_url}/webhook/{platform}"


def configured_webhooks(settings: Settings) -> dict[str, PlatformWebhook]:
    """The webhook operations of every platform whose token is set."""
    found: dict[str, PlatformWebhook] = {}
    if settings.telegram_bot_token is not None:
        from bot.channels import telegram_webhook

        token = settings.telegram_bot_token.get_secret_value()
        found["telegram"] = telegram_webhook.webhook_operations(token, settings.telegram_api_base_url)
    if settings.zalo_bot_token is not None:
        from bot.channels import zalo_webhook

        token = settings.zalo_bot_token.get_secret_value()
        found["zalo"] = zalo_webhook.webhook_operations(token, settings.zalo_api_base_url)
    return found


def webhook_command(settings: Settings, action: str, platform: str) -> int:
    """`lamtheo webhook set|info|delete [--platform telegram|zalo|all]`."""
    if action == "set" and webhook_settings_missing(settings):
        print(w.WEBHOOK_NEEDS_SETTINGS, file=sys.stderr)
        return EXIT_USAGE
    available = configured_webhooks(settings)
    chosen = list(available) if platform == "all" else [platform]
    if not chosen:
        print(w.WEBHOOK_NO_PLATFORM, file=sys.stderr)
        return EXIT_USAGE
    failures = 0
    for name in chosen:
        if name not in available:
            print(w.WEBHOOK_PLATFORM_MISSING.format(platform=name), file=sys.stderr)
            failures += 1
            continue
        hooks = available[name]
        try:
            print(asyncio.run(_webhook_action(settings, hooks, action)))
        except Exception as error:  # the platform refused or could not be reached: say which, go on
            reason = redact(f"{type(error).__name__}: {error}", secrets_of(settings))
            print(w.WEBHOOK_FAILED.format(platform=name, reason=reason[:300]), file=sys.stderr)
            failures += 1
    return 1 if failures else 0


def secrets_of(settings: Settings) -> list[str]:
    held = (settings.telegram_bot_token, settings.zalo_bot_token, settings.webhook_secret)
    return [secret.get_secret_value() for secret in held if secret is not None]


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


async def _webhook_action(settings: Settings, hooks: PlatformWebhook, action: str) -> str:
    if action == "set":
        assert settings.webhook_secret is not None
        url = webhook_url(settings, hooks.platform)
        await hooks.set(url, settings.webhook_secret.get_secret_value())
        return w.WEBHOOK_SET.format(platform=hooks.platform, url=url)
    if action == "delete":
        await hooks.delete()
        return w.WEBHOOK_DELETED.format(platform=hooks.platform)
    info = await hooks.info()
    return w.WEBHOOK_INFO.format(
        platform=hooks.platform,
        url=info.url or w.WEBHOOK_INFO_NONE,
        pending=info.pending,
        error=info.last_error or w.WEBHOOK_INFO_NO_ERROR,
    )


async def register_webhooks(settings: Settings, platforms: Sequence[str]) -> None:
    """setWebhook for every platform served; a failure is logged (`lamtheo webhook set` can retry)."""
    assert settings.webhook_secret is not None
    available = configured_webhooks(settings)
    for platform in platforms:
        hooks = available.get(platform)
        if hooks is None:
            continue
        try:
            await hooks.set(webhook_url(settings, platform), settings.webhook_secret.get_secret_value())
            log.info("webhook registered platform=%s", platform)
        except Exception as error:
            log.error("could not register the webhook platform=%s: %s", platform, type(error).__name__)

"""Channels by code, configured from the environment (settings.MESSAGING_CHANNELS):

with open_channel("sms") as channel:
    reference = channel.send(outgoing)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from amparo.messaging.channels.base import (
    Channel,
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
)
from amparo.messaging.channels.console import ConsoleChannel
from amparo.messaging.channels.email import EmailChannel
from amparo.messaging.channels.http import ADAPTERS, GatewayConfig

__all__ = ["Outgoing", "PermanentFailure", "TemporaryFailure", "open_channel", "provider_of"]


def provider_of(code: str) -> str:
    """console, smtp, twilio or rapidpro."""
    return settings.MESSAGING_CHANNELS.get(code, {}).get("provider", "console")


def build(code: str) -> Channel:
    config = dict(settings.MESSAGING_CHANNELS.get(code, {}))
    provider = config.pop("provider", "console")
    if provider == "console":
        return ConsoleChannel(code)
    if provider == "smtp":
        return EmailChannel()
    adapter = ADAPTERS[provider]
    return adapter(code, GatewayConfig(provider=provider, **config))


@contextmanager
def open_channel(code: str) -> Iterator[Channel]:
    channel = build(code)
    try:
        yield channel
    finally:
        channel.close()

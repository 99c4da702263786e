"""SMS and WhatsApp through an HTTP gateway: a Twilio-style and a RapidPro-style adapter.

Both speak the provider's documented request, with credentials from the environment
(`AMPARO_SMS_*`, `AMPARO_WHATSAPP_*`; `settings.MESSAGING_CHANNELS`). The standard library's
HTTP client is enough for one POST with a timeout, and keeps a dependency out.

- Twilio-style: `POST {url}/2010-04-01/Accounts/{account}/Messages.json`, form-encoded `To`,
  `From`, `Body`, `StatusCallback` (ours, with `?message=<our uuid>`); HTTP Basic with the
  account and token; answers 201 with `sid`. WhatsApp addresses carry the `whatsapp:` prefix.
- RapidPro-style: `POST {url}/api/v2/broadcasts.json`, JSON `{"urns": ["tel:+…"], "text": …}`
  with `Authorization: Token …`; answers 201 with `uuid` (or `id`).

429, 5xx, timeouts and refused connections are temporary; other 4xx are permanent.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from amparo.messaging.channels.base import Outgoing, PermanentFailure, TemporaryFailure


@dataclass(frozen=True)
class GatewayConfig:
    provider: str  # twilio, rapidpro
    url: str
    token: str
    account: str = ""
    sender: str = ""
    status_callback: str = ""  # our URL for the provider's delivery reports
    timeout: float = 10.0


class _HttpChannel:
    code: str

    def __init__(self, code: str, config: GatewayConfig) -> None:
        self.code = code
        self.config = config

    def _post(self, url: str, data: bytes, headers: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.config.timeout) as response:  # noqa: S310
                body = response.read(65536)
        except urllib.error.HTTPError as exc:
            reason = f"HTTP {exc.code}"
            if exc.code == 429 or exc.code >= 500:
                raise TemporaryFailure(reason) from exc
            raise PermanentFailure(reason + _detail(exc)) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TemporaryFailure(type(exc).__name__) from exc
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        return answer if isinstance(answer, dict) else {}

    def close(self) -> None:
        return None


class TwilioStyleChannel(_HttpChannel):
    def send(self, message: Outgoing) -> str:
        c = self.config
        prefix = "whatsapp:" if self.code == "whatsapp" else ""
        fields = {"To": prefix + message.address, "From": prefix + c.sender, "Body": message.body}
        if c.status_callback:
            # Our message's uuid rides along: a report can settle the message even before we
            # stored the provider's sid (or when the worker died during this very call).
            query = urllib.parse.urlencode({"message": str(message.reference)})
            fields["StatusCallback"] = f"{c.status_callback}?{query}"
        credentials = base64.b64encode(f"{c.account}:{c.token}".encode()).decode()
        answer = self._post(
            f"{c.url.rstrip('/')}/2010-04-01/Accounts/{c.account}/Messages.json",
            urllib.parse.urlencode(fields).encode(),
            {
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return str(answer.get("sid", ""))[:100]


class RapidProStyleChannel(_HttpChannel):
    def send(self, message: Outgoing) -> str:
        c = self.config
        scheme = "whatsapp:" if self.code == "whatsapp" else "tel:"
        address = message.address.lstrip("+") if self.code == "whatsapp" else message.address
        answer = self._post(
            f"{c.url.rstrip('/')}/api/v2/broadcasts.json",
            json.dumps({"urns": [scheme + address], "text": message.body}).encode(),
            {"Authorization": f"Token {c.token}", "Content-Type": "application/json"},
        )
        return str(answer.get("uuid") or answer.get("id") or "")[:100]


def _detail(exc: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(exc.read(4096) or b"{}")
    except (ValueError, OSError):
        return ""
    if isinstance(answer, dict) and answer.get("message"):
        return f": {str(answer['message'])[:200]}"
    return ""


ADAPTERS: dict[str, type[TwilioStyleChannel] | type[RapidProStyleChannel]] = {
    "twilio": TwilioStyleChannel,
    "rapidpro": RapidProStyleChannel,
}

"""A fake SMS/WhatsApp gateway on 127.0.0.1 that answers like the providers' HTTP APIs.

Used by the tests (real HTTP, no mocks of our code) and by `bench/messaging.py`:

    with FakeProvider(latency=0.05, failure_rate=0.02) as provider:
        settings.MESSAGING_CHANNELS["sms"] = provider.channel_config("twilio")
        ...
        provider.accepted  # one Request per message the provider took (201)

Twilio-style: `POST /2010-04-01/Accounts/<account>/Messages.json` (form `To`, `From`, `Body`,
`StatusCallback`; HTTP Basic) → 201 `{"sid": "SM…"}`. RapidPro-style: `POST
/api/v2/broadcasts.json` (JSON `urns`, `text`; `Authorization: Token …`) → 201 `{"uuid": …}`.
Refusals: 401 for wrong credentials; `failure_rate` of the requests get 500 (temporary for the
adapters); `script` answers given codes, or "timeout" (sleep past the client's timeout), to the
next requests in order. Run alone: `python bench/fake_provider.py --port 8025 --latency 0.05`.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCOUNT = "AC00000000000000000000000000000000"
TOKEN = "fake-token"


@dataclass
class Request:
    provider: str  # twilio, rapidpro
    to: str
    text: str
    callback: str = ""
    answered: int = 201
    at: float = field(default_factory=time.monotonic)
    # What the tests check of the request itself, and the reference the answer gave.
    payload: dict = field(default_factory=dict)  # form fields (one value each) or the JSON
    authorization: str = ""
    ref: str = ""


class FakeProvider:
    def __init__(
        self,
        *,
        latency: float = 0.0,
        failure_rate: float = 0.0,
        seed: int = 7,
        port: int = 0,
        timeout_sleep: float = 3.0,
    ) -> None:
        self.latency = latency
        self.failure_rate = failure_rate
        self.timeout_sleep = timeout_sleep
        self.random = random.Random(seed)
        self.script: list[int | str] = []  # the next answers, in order: 201, 400, 500, "timeout"
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.numbers = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle --------------------------------------------------------------------------
    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def channel_config(self, provider: str, *, timeout: float = 2.0, callback: str = "") -> dict:
        """The `settings.MESSAGING_CHANNELS[code]` entry that points an adapter here."""
        return {
            "provider": provider,
            "url": self.url,
            "token": TOKEN,
            "account": ACCOUNT,
            "sender": "+15550001111",
            "status_callback": callback,
            "timeout": timeout,
        }

    # -- what it saw --------------------------------------------------------------------------
    @property
    def accepted(self) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.answered == 201]

    def accepted_per_address(self) -> Counter:
        return Counter(r.to for r in self.accepted)

    def summary(self) -> dict[str, int]:
        """What `GET /_summary` answers: requests, refused, accepted, addresses accepted twice."""
        with self.lock:
            requests = list(self.requests)
        per_address = Counter(r.to for r in requests if r.answered == 201)
        return {
            "requests": len(requests),
            "refused": sum(1 for r in requests if r.answered != 201),
            "accepted": sum(per_address.values()),
            "twice": sum(1 for n in per_address.values() if n > 1),
        }

    # -- the server ---------------------------------------------------------------------------
    def _answer(self) -> int | str:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            failed = self.failure_rate and self.random.random() < self.failure_rate
        return 500 if failed else 201

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802 — http.server's name
                if self.path != "/_summary":
                    return self._send(404, {"message": "not found"})
                return self._send(200, provider.summary())

            def do_POST(self) -> None:  # noqa: N802 — http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                kind, to, text, callback, authorized = self._parse(body)
                payload = self._payload(kind, body)
                if kind is None:
                    return self._send(404, {"message": "not found"})
                if not authorized:
                    return self._send(401, {"code": 20003, "message": "Authenticate"})
                if provider.latency:
                    time.sleep(provider.latency)
                answer = provider._answer()
                if answer == "timeout":
                    time.sleep(provider.timeout_sleep)
                    answer = 201  # too late: the client gave up, but the message went
                request = Request(kind, to, text, callback, int(answer))
                request.payload = payload
                request.authorization = self.headers.get("Authorization", "")
                with provider.lock:
                    number = next(provider.numbers)
                    request.ref = f"SM{number:032d}" if kind == "twilio" else f"rp-{number:08d}"
                    provider.requests.append(request)
                if request.answered != 201:
                    return self._send(request.answered, {"code": 30001, "message": "refused"})
                if kind == "twilio":
                    return self._send(201, {"sid": request.ref, "status": "queued"})
                return self._send(201, {"id": number, "uuid": request.ref})

            def _payload(self, kind: str | None, body: bytes) -> dict:
                if kind == "twilio":
                    return {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
                try:
                    data = json.loads(body or b"{}")
                except ValueError:
                    return {}
                return data if isinstance(data, dict) else {}

            def _parse(self, body: bytes) -> tuple[str | None, str, str, str, bool]:
                auth = self.headers.get("Authorization", "")
                if self.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json":
                    fields = urllib.parse.parse_qs(body.decode())
                    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
                    return (
                        "twilio",
                        fields.get("To", [""])[0],
                        fields.get("Body", [""])[0],
                        fields.get("StatusCallback", [""])[0],
                        auth == f"Basic {expected}",
                    )
                if self.path == "/api/v2/broadcasts.json":
                    try:
                        data = json.loads(body or b"{}")
                    except ValueError:
                        data = {}
                    urns = data.get("urns") or [""]
                    to = str(urns[0]).split(":", 1)[-1]
                    return "rapidpro", to, str(data.get("text", "")), "", auth == f"Token {TOKEN}"
                return None, "", "", "", False

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout, a kill)

        return Handler


class ProviderProcess:
    """A `FakeProvider` in a process of its own, as a real gateway is: its threads then take no
    turn of the interpreter lock from the process that times pages. It runs `nice` steps nicer,
    like the background workers (`AMPARO_WORKER_NICE`): the gateway stands for a machine
    elsewhere, whose CPU the app would not have to share."""

    def __init__(self, *, latency: float, failure_rate: float, nice: int = 10) -> None:
        self.arguments = [
            "--port", "0", "--latency", str(latency), "--failure-rate", str(failure_rate),
            "--nice", str(nice), "--quiet",
        ]  # fmt: skip
        self.process: subprocess.Popen | None = None
        self.url = ""

    def __enter__(self) -> ProviderProcess:
        self.process = subprocess.Popen(  # noqa: S603 — this file, with our own arguments
            [sys.executable, __file__, *self.arguments], stdout=subprocess.PIPE, text=True
        )
        line = self.process.stdout.readline()  # "fake provider on http://127.0.0.1:… (…)"
        if not line.startswith("fake provider on "):
            self.process.kill()
            raise RuntimeError(f"the fake provider did not start: {line!r}")
        self.url = line.split()[3]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def summary(self) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.url}/_summary", timeout=60) as answer:  # noqa: S310
            return json.loads(answer.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--failure-rate", type=float, default=0.02)
    parser.add_argument("--nice", type=int, default=0, help="run this many steps nicer")
    parser.add_argument("--quiet", action="store_true", help="no counts every 5 s")
    args = parser.parse_args()
    if args.nice > 0:
        os.nice(args.nice)
    with FakeProvider(latency=args.latency, failure_rate=args.failure_rate, port=args.port) as p:
        print(f"fake provider on {p.url} (account {ACCOUNT}, token {TOKEN})", flush=True)
        try:
            while True:
                time.sleep(5)
                if not args.quiet:
                    print(f"{len(p.accepted)} accepted, {len(p.requests)} requests", flush=True)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()

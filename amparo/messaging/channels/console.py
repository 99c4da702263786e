"""The demo's channel: each message is a line appended to a file under the instance folder
(`var/messages/<channel>.log`), so nothing leaves the machine."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from amparo.messaging.channels.base import Outgoing

_lock = threading.Lock()


class ConsoleChannel:
    def __init__(self, code: str, folder: Path | None = None) -> None:
        self.code = code
        self.path = (folder or Path(settings.AMPARO_HOME) / "messages") / f"{code}.log"

    def send(self, message: Outgoing) -> str:
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "to": message.address,
                "subject": message.subject,
                "text": message.body,
                "reference": str(message.reference),
            },
            ensure_ascii=False,
        )
        with _lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line + "\n")
        return f"console-{message.reference}"

    def close(self) -> None:
        return None

"""E-mail through Django's mail framework (SMTP in production: `EMAIL_HOST`, … from the
environment). One connection serves a batch; the opt-out link travels as List-Unsubscribe
with one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from amparo.messaging.channels.base import Outgoing, PermanentFailure, TemporaryFailure


class EmailChannel:
    code = "email"

    def __init__(self) -> None:
        self.connection = get_connection(timeout=settings.AMPARO_MESSAGING_TIMEOUT)

    def send(self, message: Outgoing) -> str:
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={"X-Amparo-Message": str(message.reference), **message.headers},
            connection=self.connection,
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(_smtp_reason(exc)) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx: the server refuses for good; 4xx: try later.
            failure = PermanentFailure if exc.smtp_code >= 500 else TemporaryFailure
            raise failure(f"SMTP {exc.smtp_code}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(type(exc).__name__) from exc
        return ""

    def close(self) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.connection.close()


def _smtp_reason(exc: smtplib.SMTPRecipientsRefused) -> str:
    codes = sorted({code for code, _text in exc.recipients.values()})
    return "SMTP " + ",".join(str(c) for c in codes)

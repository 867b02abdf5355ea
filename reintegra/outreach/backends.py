"""Pluggable backends that send messages to returnees.

`settings.REINTEGRA_MESSAGE_BACKENDS` maps a channel (SMS, WHATSAPP, EMAIL) to the dotted path
of a backend class; a channel not listed uses `FileBackend`, which appends one JSON line per
message to `settings.REINTEGRA_MESSAGE_FILE` (default `<data dir>/messages.jsonl`).

A backend's `send` returns the provider's reference for the message or raises `DeliveryFailed`
with a short reason. Reasons are shown to staff and stored: they never contain the address or
the text of the message (neither do log lines).
"""

import json
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string


class DeliveryFailed(Exception):
    """The backend could not hand the message over; `reason` is safe to store and show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:200]


class MessageBackend:
    """Sends one message on one channel to one address."""

    def send(self, channel: str, address: str, subject: str, body: str) -> str:
        raise NotImplementedError


def message_file() -> Path:
    default = Path(settings.DATA_DIR) / "messages.jsonl"
    return Path(getattr(settings, "REINTEGRA_MESSAGE_FILE", default))


class FileBackend(MessageBackend):
    """Writes each message as a JSON line to a file (the default: trials and development)."""

    _lock = threading.Lock()

    def send(self, channel: str, address: str, subject: str, body: str) -> str:
        reference = f"file-{uuid.uuid4().hex}"
        line = {
            "at": timezone.now().isoformat(),
            "reference": reference,
            "channel": channel,
            "to": address,
            "subject": subject,
            "body": body,
        }
        path = message_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        except OSError as err:
            raise DeliveryFailed(f"cannot write the message file ({err.strerror})") from err
        return reference


class SmtpBackend(MessageBackend):
    """Email through Django's mail (the deployment sets EMAIL_BACKEND and the SMTP server)."""

    def send(self, channel: str, address: str, subject: str, body: str) -> str:
        reference = f"mail-{uuid.uuid4().hex}"
        try:
            sent = send_mail(subject or "", body, None, [address], fail_silently=False)
        except Exception as err:
            # Any mail error (SMTP refusals, connection errors) is a failed delivery.
            raise DeliveryFailed(f"mail error ({type(err).__name__})") from err
        if not sent:
            raise DeliveryFailed("the mail server accepted nothing")
        return reference


class SmsGatewayBackend(MessageBackend):
    """An HTTP SMS / WhatsApp gateway: POST JSON `{"channel", "to", "text"}` to
    `REINTEGRA_SMS_GATEWAY_URL` with `Authorization: Bearer <REINTEGRA_SMS_GATEWAY_TOKEN>`; a 2xx
    answer `{"id": "..."}` gives the reference. Timeouts, HTTP errors and unreadable answers
    are failed deliveries."""

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url: str = url or getattr(settings, "REINTEGRA_SMS_GATEWAY_URL", "") or ""
        self.token: str = token or getattr(settings, "REINTEGRA_SMS_GATEWAY_TOKEN", "") or ""
        self.timeout = timeout or float(getattr(settings, "REINTEGRA_SMS_GATEWAY_TIMEOUT", 10))

    def send(self, channel: str, address: str, subject: str, body: str) -> str:
        if not self.url.startswith(("http://", "https://")):
            raise DeliveryFailed("no SMS gateway is configured")
        payload = json.dumps({"channel": channel, "to": address, "text": body}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as err:
            raise DeliveryFailed(f"gateway answered HTTP {err.code}") from err
        except urllib.error.URLError as err:
            raise DeliveryFailed(f"gateway unreachable ({type(err.reason).__name__})") from err
        except TimeoutError as err:
            raise DeliveryFailed("gateway timed out") from err
        except OSError as err:
            raise DeliveryFailed(f"gateway error ({type(err).__name__})") from err
        try:
            answer: Any = json.loads(raw or b"{}")
        except ValueError as err:
            raise DeliveryFailed("gateway answer is not JSON") from err
        reference = answer.get("id") if isinstance(answer, dict) else None
        if not reference:
            raise DeliveryFailed("gateway answer has no message id")
        return str(reference)[:100]


DEFAULT_BACKEND = "reintegra.outreach.backends.FileBackend"


def backend_for(channel: str) -> MessageBackend:
    """The configured backend of a channel (the file backend when none is configured)."""
    paths = getattr(settings, "REINTEGRA_MESSAGE_BACKENDS", {}) or {}
    cls = import_string(paths.get(channel, DEFAULT_BACKEND))
    return cls()

"""A real SMTP server on localhost (aiosmtpd) that keeps what it receives, for tests that send email."""

from __future__ import annotations

import email
import socket
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class ReceivedEmail:
    to: list[str]
    subject: str
    body: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, sink: list[ReceivedEmail]) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message: Message = email.message_from_bytes(envelope.content)
        if message.is_multipart():
            parts = [p for p in message.walk() if p.get_content_type() == "text/plain"]
            payload = parts[0].get_payload(decode=True) if parts else b""
        else:
            payload = message.get_payload(decode=True)
        body = payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)
        self.sink.append(ReceivedEmail(list(envelope.rcpt_tos), str(message["Subject"]), body))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.messages: list[ReceivedEmail] = []
        self._controller = Controller(_Handler(self.messages), hostname=self.host, port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def messages_to(self, address: str) -> list[ReceivedEmail]:
        return [m for m in self.messages if address in m.to]

    def wait_for_messages_to(self, address: str, count: int = 1, timeout: float = 30.0) -> list[ReceivedEmail]:
        """The messages to `address` once at least `count` have arrived: a served app sends email after the
        response has gone, so a browser test can read the page before the message is delivered."""
        deadline = time.monotonic() + timeout
        while len(self.messages_to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages_to(address)

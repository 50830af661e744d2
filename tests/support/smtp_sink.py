"""An SMTP sink on 127.0.0.1 that records, per delivery, the peer address and the HELO."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as the sink received it."""

    peer: str  # the address the sending MTA connected from
    helo: str  # what it said in HELO/EHLO
    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str


class _Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deliveries: list[Delivery] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        subject = str(message_from_bytes(content).get("Subject", ""))
        delivery = Delivery(
            peer=str(session.peer[0]),
            helo=str(session.host_name),
            mail_from=str(envelope.mail_from),
            rcpt_tos=tuple(envelope.rcpt_tos),
            subject=subject,
        )
        with self.lock:
            self.deliveries.append(delivery)
        return "250 OK"


class SmtpSink:
    """Run with ``start()``/``stop()``; ``wait_for(subject)`` returns that delivery."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._recorder = _Recorder()
        self._controller = Controller(self._recorder, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def deliveries(self) -> list[Delivery]:
        with self._recorder.lock:
            return list(self._recorder.deliveries)

    def find(self, subject: str) -> list[Delivery]:
        return [d for d in self.deliveries() if d.subject == subject]

    def wait_for(self, subjects: list[str], timeout: float, why: Any = "") -> dict[str, Delivery]:
        """Every delivery with one of ``subjects``; fails with ``why()`` after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        wanted = set(subjects)
        while True:
            found = {d.subject: d for d in self.deliveries() if d.subject in wanted}
            if len(found) == len(wanted):
                return found
            if time.monotonic() > deadline:
                missing = sorted(wanted - found.keys())
                detail = why() if callable(why) else why
                raise AssertionError(
                    f"{len(missing)} of {len(wanted)} messages not delivered within "
                    f"{timeout:.0f} s (first: {missing[:3]})\n{detail}"
                )
            time.sleep(0.05)

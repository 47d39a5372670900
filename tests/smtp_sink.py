"""A real SMTP server on loopback for tests and benchmarks (aiosmtpd): it keeps what it receives,
can refuse chosen recipients, and can be slow. Run it as a process too:

    python -m tests.smtp_sink --port 2525 --out DIR [--delay 0.1]
    python -m tests.smtp_sink --port 2525 --ids FILE      # benchmarks: one reminder id a line

which writes each message received to DIR as a .eml file (or only its reminder id to FILE)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, out: Path | None = None, refuse=(), delay: float = 0.0, ids: Path | None = None):
        self.messages: list = []
        self.ids = ids.open("a") if ids else None
        self.out = out
        self.refuse = {r.lower() for r in refuse}
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.ids is not None:  # benchmark mode: keep only the reminder id of each message
            header = next(
                (line for line in envelope.content.split(b"\r\n") if line.startswith(b"X-MDT-Reminder:")),
                b"X-MDT-Reminder: ?",
            )
            self.ids.write(header.split(b":", 1)[1].strip().decode() + "\n")
            self.ids.flush()
            return "250 Message accepted"
        mail = message_from_bytes(envelope.content, policy=email_policy.default)
        with self.lock:
            self.messages.append(mail)
            n = len(self.messages)
        if self.out is not None:
            (self.out / f"{time.time_ns()}-{n}.eml").write_bytes(envelope.content)
        return "250 Message accepted"


class Sink:
    """``with Sink() as sink:`` a server on 127.0.0.1:sink.port; ``sink.messages``."""

    def __init__(
        self,
        refuse=(),
        delay: float = 0.0,
        out: Path | None = None,
        port: int | None = None,
        ids: Path | None = None,
    ):
        self.port = port or free_port()
        self.handler = Handler(out, refuse, delay, ids)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list:
        with self.handler.lock:
            return list(self.handler.messages)

    def __enter__(self) -> Sink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", help="write each message here as a .eml file")
    parser.add_argument("--ids", help="only append each message's X-MDT-Reminder to this file")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    with Sink(delay=args.delay, out=out, port=args.port, ids=Path(args.ids) if args.ids else None):
        print(f"SMTP sink on 127.0.0.1:{args.port}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()

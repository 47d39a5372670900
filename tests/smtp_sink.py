"""A real SMTP server on loopback for tests and benchmarks (aiosmtpd): it keeps what it receives,
can refuse chosen recipients, and can be slow. Run it as a process too:

    python -m tests.smtp_sink --port 2525 --out DIR [--delay 0.1]

which writes each message received to DIR as a .eml file."""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from email import message_from_bytes, policy as email_policy
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, out: Path | None = None, refuse=(), delay: float = 0.0):
        self.messages: list = []
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
        mail = message_from_bytes(envelope.content, policy=email_policy.default)
        with self.lock:
            self.messages.append(mail)
            n = len(self.messages)
        if self.out is not None:
            (self.out / f"{time.time_ns()}-{n}.eml").write_bytes(envelope.content)
        return "250 Message accepted"


class Sink:
    """``with Sink() as sink:`` a server on 127.0.0.1:sink.port; ``sink.messages``."""

    def __init__(self, refuse=(), delay: float = 0.0, out: Path | None = None, port: int | None = None):
        self.port = port or free_port()
        self.handler = Handler(out, refuse, delay)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list:
        with self.handler.lock:
            return list(self.handler.messages)

    def __enter__(self) -> "Sink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with Sink(delay=args.delay, out=out, port=args.port):
        print(f"SMTP sink on 127.0.0.1:{args.port}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()

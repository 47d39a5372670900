"""Sign-in throttling: failed attempts are counted per account (the email typed, whether or not it
exists, so the answer reveals nothing) and per network address, in ``mdt.auth.state`` (Redis in
production, the database on the embedded default), so every gunicorn worker counts the same
attempts. The address is the client's as seen through the configured number of proxies
(``MDT_TRUSTED_PROXIES``, read by Werkzeug's ProxyFix); a header is never trusted otherwise.

When a limit is reached the account (or address) is refused for the rest of the window, with a
clear message; signing in with the right password does not lift it early. Every failed attempt
and every lockout is audited (``mdt.auth.services``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app, request

from mdt.auth.state import state


@dataclass(frozen=True)
class Limits:
    account: int
    address: int
    window: int  # seconds


def limits() -> Limits:
    config = current_app.config
    return Limits(
        account=int(config["MDT_LOGIN_ACCOUNT_LIMIT"]),
        address=int(config["MDT_LOGIN_ADDRESS_LIMIT"]),
        window=int(config["MDT_LOGIN_WINDOW_MINUTES"]) * 60,
    )


def client_address() -> str:
    return request.remote_addr or "unknown"


def _account_key(email: str) -> str:
    return "login-fail:account:" + hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def _address_key(address: str) -> str:
    return "login-fail:address:" + address


def refused(email: str, address: str) -> str | None:
    """Which limit refuses this sign-in now ("account" or "address"), or None."""
    lim = limits()
    if state().count(_account_key(email)) >= lim.account:
        return "account"
    if state().count(_address_key(address)) >= lim.address:
        return "address"
    return None


def count_failure(email: str, address: str) -> str | None:
    """Count a failed attempt; the limit it just reached ("account" or "address"), or None."""
    lim = limits()
    on_account = state().incr(_account_key(email), lim.window)
    on_address = state().incr(_address_key(address), lim.window)
    if on_account == lim.account:
        return "account"
    if on_address == lim.address:
        return "address"
    return None


def forget_account(email: str) -> None:
    """A successful sign-in (or a new password) clears the account's failures, not the address's;
    with the unit of work."""
    state().delete_in_unit(_account_key(email))


RESET_PER_EMAIL = 3
RESET_PER_ADDRESS = 10


def may_ask_reset(email: str, address: str) -> bool:
    """Reset links asked for: a few per address and per email in the window, so that nobody's
    mailbox can be flooded (beyond that, the same answer and nothing sent)."""
    window = limits().window
    on_email = state().incr("reset:account:" + _account_key(email).rsplit(":", 1)[1], window)
    on_address = state().incr("reset:address:" + address, window)
    return on_email <= RESET_PER_EMAIL and on_address <= RESET_PER_ADDRESS

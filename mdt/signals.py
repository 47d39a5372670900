"""Cross-domain reactions, one mechanism: a domain declares in its own ``signals.py`` what happened
to its records (``hearing_changed``, ``consent_changed``...) and its services send the signal after
flushing the change; other domains subscribe (blinker). The sender never imports the receiver, so
reactions never create import cycles, and every reaction is a plain function call in the same
transaction, easy to follow from the receiver's ``connect``.

Receivers take ``(sender, ids)``: the ids of the records that changed."""

from __future__ import annotations

from blinker import Namespace, Signal

_namespace = Namespace()


def declare(name: str, doc: str) -> Signal:
    """A signal, declared once, where its source lives."""
    return _namespace.signal(name, doc=doc)


def send(signal: Signal, ids) -> None:
    """Tell the subscribers that the records ``ids`` changed (and were flushed)."""
    ids = sorted({int(i) for i in ids if i is not None})
    if ids:
        signal.send(getattr(signal, "name", None), ids=ids)

"""The embedded broker (no server): kombu's filesystem transport, with each message written
atomically.

kombu writes a message straight into the queue folder, so a consumer polling at that moment can
take the file while it is still empty and stop on a JSON error (seen with ``celery worker -B``,
where beat writes as the worker reads). Here the message is written under a name the consumer
skips and renamed into place in one step. Registered as ``mdtfs://``."""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):  # type: ignore[override]  # kombu's two bases disagree
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"  # not "<queue>.msg": the consumer passes it by
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


TRANSPORT_ALIASES["mdtfs"] = "workers.broker:Transport"

"""The embedded broker writes each message in one step: a consumer never reads half a message."""

from __future__ import annotations

import json
import os

from kombu import Connection

import workers.broker


def test_a_message_appears_in_the_queue_folder_only_once_written(tmp_path, monkeypatch):
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),  # kombu's default is ./control
    }
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        # What a consumer polling now would find: no message yet, the whole one under a name it skips.
        seen.append(([p.name for p in folder.iterdir() if p.name.endswith(".msg")], open(src, "rb").read()))
        real_replace(src, dst)

    monkeypatch.setattr(workers.broker.os, "replace", replace)
    with Connection("mdtfs://", transport_options=options) as conn:
        queue = conn.SimpleQueue("celery")
        queue.put({"task": "ping"})
        assert seen and seen[0][0] == [] and json.loads(seen[0][1])["body"]
        assert queue.get(timeout=2).payload == {"task": "ping"}
        assert not list(folder.iterdir())
        queue.close()

"""Celery wired the pallets/flask way: every task runs inside an app context."""

from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from flask import Flask

from mdt.transaction import atomic
from workers import broker  # noqa: F401  (registers the embedded broker, mdtfs://)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return atomic(self.run)(*args, **kwargs)  # one unit of work per task

    celery_app = Celery(app.name, task_cls=FlaskTask)
    config = dict(app.config["CELERY"])
    transport = config.get("broker_transport_options", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in transport:
            Path(transport[key]).mkdir(parents=True, exist_ok=True)
    celery_app.config_from_object(config)
    celery_app.conf.include = ["workers.tasks"]
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app

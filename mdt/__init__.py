"""MDT Case Tracker: case tracking for provincial multidisciplinary teams helping returned migrant
workers. ``create_app`` builds the Flask application (``flask --app mdt``, ``mdt:create_app()``);
the factory lives in ``mdt.app``."""

from mdt.app import create_app

__all__ = ["create_app"]

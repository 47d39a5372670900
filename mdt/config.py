"""Configuration read from ``MDT_*`` environment variables.

The embedded default (no variables set) is SQLite under ``instance/`` and a Celery broker on the
file system, so the product runs on a fresh machine with no server. ``MDT_DATABASE_URL`` and
``MDT_REDIS_URL`` switch to PostgreSQL and Redis. ``MDT_ENV=production`` refuses to start without
``MDT_SECRET_KEY`` and ``MDT_FILES_KEY``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example production without a secret key)."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


MODES = ("development", "testing", "production")
MIN_SECRET_BYTES = 32


SMS_PROVIDERS = ("log", "http", "twilio")


def _sms(env) -> dict:
    provider = (env.get("MDT_SMS_PROVIDER") or "log").strip().lower()
    if provider not in SMS_PROVIDERS:
        raise ConfigError(f"MDT_SMS_PROVIDER={provider!r} is not one of {', '.join(SMS_PROVIDERS)}.")
    fields = env.get("MDT_SMS_HTTP_FIELDS") or "{}"
    try:
        parsed = json.loads(fields)
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ValueError
    except ValueError:
        raise ConfigError(
            "MDT_SMS_HTTP_FIELDS must be a JSON object of field names, "
            'e.g. {"to": "msisdn", "text": "message"}.'
        ) from None
    return {
        "MDT_SMS_PROVIDER": provider,
        "MDT_SMS_FROM": env.get("MDT_SMS_FROM") or None,
        "MDT_SMS_TIMEOUT": float(env.get("MDT_SMS_TIMEOUT", "10")),
        "MDT_SMS_HTTP_URL": env.get("MDT_SMS_HTTP_URL") or None,
        "MDT_SMS_HTTP_FIELDS": parsed,
        "MDT_SMS_HTTP_FORMAT": env.get("MDT_SMS_HTTP_FORMAT") or "json",
        "MDT_SMS_HTTP_AUTH_HEADER": env.get("MDT_SMS_HTTP_AUTH_HEADER") or "Authorization",
        "MDT_SMS_HTTP_TOKEN": env.get("MDT_SMS_HTTP_TOKEN") or None,
        "MDT_SMS_WEBHOOK_SECRET": env.get("MDT_SMS_WEBHOOK_SECRET") or None,
        "MDT_SMS_TWILIO_ACCOUNT_SID": env.get("MDT_SMS_TWILIO_ACCOUNT_SID") or None,
        "MDT_SMS_TWILIO_AUTH_TOKEN": env.get("MDT_SMS_TWILIO_AUTH_TOKEN") or None,
        "MDT_SMS_TWILIO_MESSAGING_SERVICE_SID": env.get("MDT_SMS_TWILIO_MESSAGING_SERVICE_SID") or None,
        "MDT_SMS_TWILIO_BASE_URL": env.get("MDT_SMS_TWILIO_BASE_URL") or "https://api.twilio.com",
    }


def database_url(url: str) -> str:
    """A database URL as SQLAlchemy takes it: ``postgres://`` and ``postgresql://`` use psycopg 3."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = overrides or {}
    mode = overrides.get("MDT_ENV") or env.get("MDT_ENV", "development")
    if mode not in MODES:
        # "Production" or "prod" must not start a development server with demo data allowed.
        raise ConfigError(f"MDT_ENV={mode!r} is not one of {', '.join(MODES)}.")
    secret = overrides.get("SECRET_KEY") or env.get("MDT_SECRET_KEY")
    if mode == "production" and len((secret or "").encode()) < MIN_SECRET_BYTES:
        raise ConfigError(
            "MDT_SECRET_KEY is not set or shorter than 32 bytes: refusing to start in production "
            "without a strong secret key (make one with: python -c 'import secrets; "
            "print(secrets.token_hex(32))')."
        )
    if not secret:
        # Development and tests: a per-instance key kept under instance/, never in the repo.
        key_file = Path(instance_path) / "secret_key"
        if mode == "testing" and overrides.get("MDT_ENV") == "testing":
            secret = "testing-only-key"  # the test suite's own apps; never from the environment
        else:
            Path(instance_path).mkdir(parents=True, exist_ok=True)
            if not key_file.exists():
                key_file.write_text(secrets.token_hex(32))
                key_file.chmod(0o600)
            secret = key_file.read_text().strip()

    files_key = overrides.get("MDT_FILES_KEY") or env.get("MDT_FILES_KEY")
    if mode == "production" and not files_key:
        raise ConfigError(
            "MDT_FILES_KEY is not set: refusing to start in production without the master key that "
            "encrypts documents (make one with: python -c 'import secrets; print(secrets.token_hex(32))'; "
            "keep it apart from the database and its backups)."
        )
    if not files_key:
        # Development and tests: a per-instance key kept under instance/, never in the repo.
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        files_key_file = Path(instance_path) / "files_key"
        if not files_key_file.exists():
            files_key_file.write_text(secrets.token_hex(32))
            files_key_file.chmod(0o600)
        files_key = files_key_file.read_text().strip()
    for key in [files_key, *filter(None, env.get("MDT_FILES_PREVIOUS_KEYS", "").split(","))]:
        try:
            if len(bytes.fromhex(key.strip())) != 32:
                raise ValueError
        except ValueError:
            raise ConfigError(
                "MDT_FILES_KEY (and each of MDT_FILES_PREVIOUS_KEYS) must be 64 hex digits."
            ) from None

    db_url = database_url(env.get("MDT_DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'mdt.sqlite3'}")

    redis_url = env.get("MDT_REDIS_URL")
    broker_dir = Path(instance_path) / "broker"
    if redis_url:
        celery = {
            "broker_url": redis_url,
            "result_backend": redis_url,
            "task_ignore_result": True,
        }
    else:
        celery = {
            "broker_url": "mdtfs://",  # workers/broker.py: the filesystem transport, atomic writes
            "broker_transport_options": {
                "data_folder_in": str(broker_dir / "queue"),
                "data_folder_out": str(broker_dir / "queue"),
                "processed_folder": str(broker_dir / "processed"),
                "control_folder": str(broker_dir / "control"),  # else ./control in the working directory
            },
            "task_ignore_result": True,
        }
    celery["beat_schedule"] = {
        "mark-missed-deadlines": {
            "task": "workers.tasks.mark_missed_deadlines",
            "schedule": float(env.get("MDT_EXPIRY_SECONDS", "3600")),
        },
        "expire-referrals": {
            "task": "workers.tasks.expire_referrals",
            "schedule": float(env.get("MDT_EXPIRY_SECONDS", "3600")),
        },
        "sweep-reminders": {
            "task": "workers.tasks.sweep_reminders",
            "schedule": float(env.get("MDT_SWEEP_SECONDS", "60")),
        },
        "remind-overdue": {
            "task": "workers.tasks.remind_overdue",
            "schedule": float(env.get("MDT_EXPIRY_SECONDS", "3600")),
        },
        "purge-expired-state": {
            "task": "workers.tasks.purge_expired_state",
            "schedule": float(env.get("MDT_EXPIRY_SECONDS", "3600")),
        },
        "apply-retention": {
            "task": "workers.tasks.apply_retention",
            "schedule": float(env.get("MDT_RETENTION_SECONDS", "86400")),
        },
        "watch-reading": {
            "task": "workers.tasks.watch_reading",
            "schedule": float(env.get("MDT_READ_ALERT_SECONDS", "300")),
        },
        "heartbeat": {
            "task": "workers.tasks.heartbeat",
            "schedule": float(env.get("MDT_HEARTBEAT_SECONDS", "60")),
        },
    }
    celery["timezone"] = "UTC"

    config = {
        "MDT_ENV": mode,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CELERY": celery,
        "MDT_REDIS_URL": redis_url,
        "MAX_CONTENT_LENGTH": int(env.get("MDT_MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        # Documents (mdt.documents): the master key, keys still read while rotating, the largest
        # file, and an S3-compatible bucket instead of instance/documents.
        "MDT_FILES_KEY": files_key,
        "MDT_FILES_PREVIOUS_KEYS": env.get("MDT_FILES_PREVIOUS_KEYS", ""),
        "MDT_FILES_MAX_BYTES": int(env.get("MDT_FILES_MAX_BYTES", 25 * 1024 * 1024)),
        "MDT_FILES_S3_BUCKET": env.get("MDT_FILES_S3_BUCKET") or None,
        "MDT_FILES_S3_ENDPOINT": env.get("MDT_FILES_S3_ENDPOINT") or None,
        # The key and certificate (PEM) that sign custody PDFs; a self-signed pair is made under
        # instance/signing/ without them.
        "MDT_SIGNING_KEY_FILE": env.get("MDT_SIGNING_KEY_FILE") or None,
        "MDT_SIGNING_CERT_FILE": env.get("MDT_SIGNING_CERT_FILE") or None,
        "SESSION_COOKIE_SECURE": _bool(env.get("MDT_COOKIE_SECURE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("MDT_COOKIE_SECURE"), True),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": int(float(env.get("MDT_SESSION_HOURS", "12")) * 3600),
        # Sessions live on the server (mdt.auth.sessions); the browser holds a random id in a
        # cookie that, in production, only this host over https can set (the __Host- prefix).
        "SESSION_COOKIE_NAME": (
            "__Host-mdt" if mode == "production" and _bool(env.get("MDT_COOKIE_SECURE"), True) else "mdt"
        ),
        "MDT_SESSION_IDLE_MINUTES": float(env.get("MDT_SESSION_IDLE_MINUTES", "30")),
        "MDT_SESSION_HOURS": float(env.get("MDT_SESSION_HOURS", "12")),
        # A form stays valid as long as the session that showed it can last.
        "WTF_CSRF_TIME_LIMIT": int(float(env.get("MDT_SESSION_HOURS", "12")) * 3600),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "MDT_LANGUAGES": {"en": "English", "th": "ไทย", "fil": "Filipino"},
        # Sign-in throttling (mdt.auth.throttle): failed attempts per account and per address in a
        # window; the address as seen through MDT_TRUSTED_PROXIES proxies (0: the socket's peer).
        "MDT_LOGIN_ACCOUNT_LIMIT": int(env.get("MDT_LOGIN_ACCOUNT_LIMIT", "10")),
        "MDT_LOGIN_ADDRESS_LIMIT": int(env.get("MDT_LOGIN_ADDRESS_LIMIT", "50")),
        "MDT_LOGIN_WINDOW_MINUTES": int(env.get("MDT_LOGIN_WINDOW_MINUTES", "15")),
        # The public complaint form: complaints and status checks per network address an hour.
        "MDT_COMPLAINT_LIMIT": int(env.get("MDT_COMPLAINT_LIMIT", "5")),
        "MDT_STATUS_CHECK_LIMIT": int(env.get("MDT_STATUS_CHECK_LIMIT", "20")),
        # Unusual reading (mdt.privacy.alerts): case files opened by one member in an hour.
        "MDT_READ_ALERT_CASES": int(env.get("MDT_READ_ALERT_CASES", "40")),
        "MDT_READ_ALERT_OUTSIDE": int(env.get("MDT_READ_ALERT_OUTSIDE", "10")),
        "MDT_TRUSTED_PROXIES": int(env.get("MDT_TRUSTED_PROXIES", "0")),
        "MDT_PAGE_SIZE": 50,
        # Offline work (mdt.field): a device drops its copy after this many days without a
        # signed-in contact.
        "MDT_OFFLINE_DAYS": int(env.get("MDT_OFFLINE_DAYS", "7")),
        # Flask-Compress: brotli for browsers that take it, else gzip (static files are then kept
        # by the browser for a year under content-hashed names: mdt.assets).
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # Reminders: where links point, how mail leaves, and how hard the sweep tries.
        "MDT_BASE_URL": env.get("MDT_BASE_URL", "http://localhost:5000"),
        "MDT_SMTP_URL": env.get("MDT_SMTP_URL"),  # smtp://user:pass@host:587?starttls=1
        "MDT_MAIL_FROM": env.get("MDT_MAIL_FROM", "MDT reminders <no-reply@localhost>"),
        "MDT_REMINDER_LEASE_SECONDS": int(env.get("MDT_REMINDER_LEASE_SECONDS", "300")),
        "MDT_REMINDER_RETRY_SECONDS": int(env.get("MDT_REMINDER_RETRY_SECONDS", "60")),
        "MDT_REMINDER_MAX_ATTEMPTS": int(env.get("MDT_REMINDER_MAX_ATTEMPTS", "5")),
        "MDT_REMINDER_BATCH": int(env.get("MDT_REMINDER_BATCH", "100")),
        # At most this many handed out per sweep (issue 17: 100,000 due at once need 100000).
        "MDT_REMINDER_SWEEP_LIMIT": int(env.get("MDT_REMINDER_SWEEP_LIMIT", "20000")),
        # SMS (mdt.sms.providers): the provider, the sender, the generic gateway's address, field
        # names and token, Twilio's account, and the secret of the generic gateway's webhooks.
        **_sms(env),
    }
    config.update(overrides)
    return config

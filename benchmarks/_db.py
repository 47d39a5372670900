"""The database a benchmark runs on: MDT_BENCH_DATABASE_URL (wiped first) or a temporary SQLite
file."""

from __future__ import annotations

import os
import tempfile

from sqlalchemy import create_engine, text


def fresh_database_url() -> str:
    url = os.environ.get("MDT_BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{tempfile.mkdtemp(prefix='mdt-bench-')}/bench.sqlite3"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url

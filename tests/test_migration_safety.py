"""Migrations since the previous release only expand the schema (docs/deploy.md, "Upgrading
without downtime"): the previous release keeps serving while they run, so none may drop, rename
or retype what it uses, nor add a NOT NULL column it would not fill. A migration that does so on
purpose, in the release after the one that stopped using the thing, says so with a line starting
``Contract:`` in its docstring (what it removes, and the release that stopped using it).

The previous release is the commit in .ci/previous-release; the migrations it did not have are
the ones looked at. scripts/upgrade_check.py (tests/test_upgrade_path.py) is the proof by running;
this is the early, static warning, with the rule written next to the line that breaks it.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "migrations" / "versions"

# Raw SQL in op.execute(...) that breaks the release still running.
DESTRUCTIVE_SQL = re.compile(
    r"\bDROP\s+(TABLE|COLUMN)\b|\bRENAME\b|\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b|\bSET\s+NOT\s+NULL\b",
    re.IGNORECASE,
)
DROPPING = {"drop_column", "drop_table", "rename_table"}


def previous_release() -> str:
    lines = (ROOT / ".ci" / "previous-release").read_text().splitlines()
    return next(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _keywords(call: ast.Call) -> dict[str, ast.AST]:
    return {k.arg: k.value for k in call.keywords if k.arg}


def _is_column(node: ast.AST) -> bool:
    """``sa.Column(...)`` or ``Column(...)``."""
    func = node.func if isinstance(node, ast.Call) else None
    return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) == "Column"


def _strings(node: ast.AST) -> str:
    return " ".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def destructive_operations(source: str) -> list[str]:
    """What the ``upgrade()`` of a migration does that the previous release would trip over, as
    ``line: what`` (empty for a migration that only expands, or one marked as a contract)."""
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree) or ""
    if any(line.strip().lower().startswith("contract:") for line in docstring.splitlines()):
        return []
    upgrade = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None)
    found: list[str] = []
    for node in ast.walk(upgrade) if upgrade else ():
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, kw = node.func.attr, _keywords(node)
        if name in DROPPING:
            found.append(f"{node.lineno}: {name}")
        elif name == "alter_column":
            if "new_column_name" in kw:
                found.append(f"{node.lineno}: alter_column renames")
            if "type_" in kw:
                found.append(f"{node.lineno}: alter_column changes the type")
            if _false(kw.get("nullable")):
                # Even with a server default: the previous release may write NULL into it.
                found.append(f"{node.lineno}: alter_column makes a column NOT NULL")
        elif name == "add_column":
            for column in node.args:
                ckw = _keywords(column) if isinstance(column, ast.Call) and _is_column(column) else {}
                if _false(ckw.get("nullable")) and "server_default" not in ckw:
                    found.append(f"{node.lineno}: add_column NOT NULL without a server_default")
        elif name == "execute" and (sql := DESTRUCTIVE_SQL.search(_strings(node))):
            found.append(f"{node.lineno}: execute: {sql.group(0)}")
    return found


def test_migrations_since_the_previous_release_only_expand():
    commit = previous_release()
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", commit, "migrations/versions/"],
        capture_output=True,
        text=True,
    )
    need("the previous release in git history", listed.returncode == 0, listed.stderr.strip())
    before = {Path(p).name for p in listed.stdout.split()}
    assert before, f"no migrations at {commit}"
    new = sorted(p for p in VERSIONS.glob("*.py") if p.name not in before)
    found = {p.name: ops for p in new if (ops := destructive_operations(p.read_text()))}
    assert found == {}, (
        "these migrations would break the release still serving while they run; move the change "
        "to the following release and mark it 'Contract:' in the docstring (docs/deploy.md)"
    )


SAFE = [
    'def upgrade():\n    op.add_column("case_file", sa.Column("x", sa.Text(), nullable=True))\n',
    'def upgrade():\n    op.add_column("note", Column("n", Integer(), nullable=False, server_default="0"))\n',
    'def upgrade():\n    op.create_table("t", sa.Column("id", sa.Integer(), nullable=False))\n',
    'def upgrade():\n    op.create_index("ix", "person", ["mdt_id"])\n',
    'def upgrade():\n    pass\n\ndef downgrade():\n    op.drop_column("case_file", "x")\n',
    '"""Contract: drops case_file.legacy_ref, unused since 1b47959."""\n'
    'def upgrade():\n    op.drop_column("case_file", "legacy_ref")\n',
]
DESTRUCTIVE = [
    ('def upgrade():\n    op.drop_column("case_file", "summary")\n', "drop_column"),
    ('def upgrade():\n    op.drop_table("note")\n', "drop_table"),
    ('def upgrade():\n    op.rename_table("note", "case_note")\n', "rename_table"),
    (
        'def upgrade():\n    with op.batch_alter_table("person") as b:\n        b.drop_column("sex")\n',
        "drop_column",
    ),
    ('def upgrade():\n    op.alter_column("person", "sex", new_column_name="gender")\n', "renames"),
    ('def upgrade():\n    op.alter_column("person", "sex", type_=sa.Integer())\n', "type"),
    ('def upgrade():\n    op.alter_column("person", "sex", nullable=False)\n', "NOT NULL"),
    ('def upgrade():\n    op.alter_column("note", "kind", nullable=False, server_default="x")\n', "NOT NULL"),
    (
        'def upgrade():\n    op.add_column("note", sa.Column("kind", sa.Text(), nullable=False))\n',
        "without a server_default",
    ),
    ('def upgrade():\n    op.execute("ALTER TABLE note DROP COLUMN body")\n', "DROP COLUMN"),
    ('def upgrade():\n    op.execute(sa.text("ALTER TABLE note RENAME body TO text"))\n', "RENAME"),
    ('def upgrade():\n    op.execute("ALTER TABLE note ALTER COLUMN body TYPE varchar(10)")\n', "TYPE"),
    ('def upgrade():\n    op.execute(f"ALTER TABLE {T} ALTER COLUMN body SET NOT NULL")\n', "NOT NULL"),
]


@pytest.mark.parametrize("source", SAFE)
def test_expanding_is_allowed(source):
    assert destructive_operations(source) == []


@pytest.mark.parametrize(("source", "what"), DESTRUCTIVE)
def test_destructive_operations_are_found(source, what):
    found = destructive_operations(source)
    assert len(found) == 1 and what in found[0], found


def test_the_scan_reads_the_real_migrations():
    """Before there was an upgrade path to keep, 0017 rebuilt intake_draft by dropping it: the
    scan finds that in the real file (older migrations are not held to the rule)."""
    assert destructive_operations((VERSIONS / "0017_intake_drafts.py").read_text()) == ["25: drop_table"]
    others = {p.name for p in VERSIONS.glob("*.py") if destructive_operations(p.read_text())}
    assert others == {"0017_intake_drafts.py"}

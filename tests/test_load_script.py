"""The load test (benchmarks/load) asks for real addresses: every endpoint it names is a route of the
app with that method, a filled-in path reaches that route, and the locustfile builds every request
from that list (no literal path, no unknown name). Read without importing locust (not installed in
CI, and its import patches the standard library)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from mdt import create_app
from tests.conftest import BASE_CONFIG

LOAD = Path(__file__).resolve().parent.parent / "benchmarks" / "load"


def _paths_module():
    spec = importlib.util.spec_from_file_location("load_paths", LOAD / "paths.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


paths = _paths_module()
SAMPLE_VALUES = {"case_id": 7, "matter_id": 3, "meeting_id": 2}


@pytest.fixture(scope="module")
def url_map(tmp_path_factory):
    app = create_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path_factory.mktemp('load')}/x.sqlite3"}
    )
    return app.url_map


@pytest.mark.parametrize("name", sorted(paths.ENDPOINTS))
def test_every_endpoint_is_a_route_and_its_path_reaches_it(url_map, name):
    method, rule = paths.ENDPOINTS[name]
    assert any(r.rule == rule and method in (r.methods or ()) for r in url_map.iter_rules()), (
        f"{name}: no route {method} {rule}"
    )
    needed = {k: v for k, v in SAMPLE_VALUES.items() if f":{k}>" in rule}
    sent_method, path, label = paths.request(name, {"page": 2}, **needed)
    matched, _args = url_map.bind("localhost").match(path.split("?")[0], method=sent_method, return_rule=True)
    assert matched.rule == rule
    assert label.startswith(f"{method} {rule}")


def test_the_locustfile_builds_every_request_from_the_list():
    tree = ast.parse((LOAD / "locustfile.py").read_text())
    named, literal = set(), []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        first = node.args[0] if node.args else None
        by_name = (isinstance(func, ast.Name) and func.id == "request") or (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "post_form")
            and getattr(func.value, "id", "") == "self"
        )
        if by_name and not (isinstance(first, ast.Name) and first.id == "name"):  # the helpers pass it on
            assert isinstance(first, ast.Constant), f"line {node.lineno}: the endpoint's name, spelled out"
            named.add(first.value)
        if isinstance(func, ast.Attribute) and getattr(func.value, "attr", "") == "client":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and str(arg.value).startswith("/"):
                    literal.append(f"line {node.lineno}: {arg.value!r}")
    assert literal == []
    assert named - set(paths.ENDPOINTS) == set(), "names the locustfile asks for that paths.py lacks"
    assert set(paths.ENDPOINTS) - named == set(), "endpoints in paths.py that the locustfile never uses"

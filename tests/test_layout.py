"""The tree is the architecture: the layers' imports point one way (README "Architecture")."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PKG = Path(__file__).resolve().parents[1] / "fsnb"
# layer → the fsnb packages it must not import (directly or lazily inside a function)
FORBIDDEN = {
    "read": ("fsnb.checks", "fsnb.diagnosis", "fsnb.fix", "fsnb.present", "fsnb.lab"),
    "probe": ("fsnb.checks", "fsnb.diagnosis", "fsnb.fix", "fsnb.present", "fsnb.lab"),
    "lab": ("fsnb.present",),
}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_one_way(layer):
    bad = []
    for path in sorted((PKG / layer).rglob("*.py")):
        for mod in imports(path):
            if any(mod == f or mod.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(PKG.parent)} imports {mod}")
    assert not bad, "\n".join(bad)


def test_no_module_left_flat_beside_the_layers():
    """The spine stays small: every other module lives in the layer it belongs to."""
    spine = {p.stem for p in PKG.glob("*.py")}
    assert spine == {"__init__", "__main__", "blocking", "context", "errors", "i18n", "journal", "redact", "result",
                     "runner", "schema", "target"}, spine


def test_a_long_module_says_why_at_its_top():
    """Modules stay small enough to read in one sitting; one over 500 lines states the reason in its docstring."""
    long = {str(p.relative_to(PKG)): ast.get_docstring(ast.parse(p.read_text())) or ""
            for p in PKG.rglob("*.py") if len(p.read_text().splitlines()) > 500}
    assert all("Over 500 lines:" in doc for doc in long.values()), [m for m, d in long.items() if "Over 500" not in d]

"""The packages are layers and import only downward (docs/ARCHITECTURE.md): read every import
statement of every module (inside functions too) and check it against the layer table."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> layer; a package may import its own layer's modules only from itself.
# analysis (2.5) sits above workflows and below webapp: library code the web app and the CLI share.
LAYERS = {"archive": 0, "importers": 1, "index": 1, "workflows": 2, "analysis": 2.5, "webapp": 3,
          "cli": 4}


def imported_packages(path: Path) -> set[str]:
    """The first-party top-level packages a module imports (relative imports: its own)."""
    return imported_names(path) & set(LAYERS)


def imported_names(path: Path) -> set[str]:
    """Every top-level package a module imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def modules():
    return sorted(p for package in LAYERS for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_imports_only_layers_below_its_own(path):
    package = path.relative_to(ROOT).parts[0]
    upward = {other for other in imported_packages(path) - {package}
              if LAYERS[other] >= LAYERS[package]}
    assert not upward, f"{package} (layer {LAYERS[package]}) imports {sorted(upward)}"


def test_the_layer_table_covers_every_package():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench", "devset"}
    assert packages == set(LAYERS)


def test_the_checker_sees_imports_in_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom archive import model\n\ndef f():\n"
                      "    import webapp.render\n    from cli.main import main\n", encoding="utf-8")
    assert imported_packages(module) == {"archive", "webapp", "cli"}


def test_the_analysis_layer_has_no_flask():
    """analysis is a library the CLI uses without the web app: no Flask, no Werkzeug, no Jinja."""
    web = {"flask", "werkzeug", "jinja2", "markupsafe"}
    for path in (ROOT / "analysis").rglob("*.py"):
        names = imported_names(path)
        assert not names & web, f"{path.name} imports {sorted(names & web)}"

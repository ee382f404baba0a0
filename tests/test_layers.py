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


# ---- inside the archive package: the store at the bottom, the operations above it -----------

def archive_imports(path: Path) -> set[str]:
    """The modules of `archive/` that a module of it imports (`from archive import x` too)."""
    own = {p.stem for p in (ROOT / "archive").glob("*.py")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names
                         if a.name.startswith("archive."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "archive":
                found.update(a.name for a in node.names if a.name in own)
            elif node.module.startswith("archive."):
                found.add(node.module.split(".")[1])
    return found - {"__init__", path.stem}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each as the path that closes it (depth-first search)."""
    found, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    return found


def test_the_archive_package_has_no_import_cycle():
    graph = {p.stem: archive_imports(p) for p in (ROOT / "archive").glob("*.py")}
    assert graph["store"] and "renames" not in graph["store"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"store": {"renames"}, "renames": {"files", "store"}, "files": set()}) == [
        ["renames", "store", "renames"]]


# Private names of third-party objects some modules must reach (python-docx's XML elements,
# openpyxl's charts of a sheet, os._exit in a forked child): not the project's own.
FOREIGN_PRIVATE = {"_exit", "_tc", "_p", "_r", "_blob", "_charts"}


def private_reads(path: Path) -> list[str]:
    """`from m import _x`, and `obj._x` where `_x` is not defined in this module (so it is
    another module's private name); `self._x`/`cls._x` and dunders are the module's own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            defined.add(node.attr)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [f"line {node.lineno}: from {node.module} import {a.name}"
                      for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_")
              and not node.attr.startswith("__") and node.attr not in defined | FOREIGN_PRIVATE
              and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", modules() + sorted((ROOT / "tests").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_a_module_reads_no_other_modules_private_names(path):
    """Tests included: they go through the same public interface as the code."""
    assert private_reads(path) == []


def test_the_private_name_checker_sees_reads(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from archive.store import _entry\nimport os\n\n"
                      "def f(archive, self):\n    os._exit(0)\n    self._x = 1\n"
                      "    return archive._md('x'), archive._x, self._y\n", encoding="utf-8")
    assert private_reads(module) == ["line 1: from archive.store import _entry",
                                     "line 7: archive._md"]

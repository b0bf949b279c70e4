"""The admin web's import structure: its modules form no circle, and it reads nothing from the bot's actions.

Imports are read from the source with ``ast``, those inside functions included, so a circle cannot hide
behind a late import."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Optional, Set

ADMIN = Path(__file__).resolve().parent.parent / "admin"


def imported_modules(source: str, package: str) -> Set[str]:
    """Every module ``source`` imports, anywhere in the file; ``from pkg import name`` counts as pkg.name too."""
    found: Set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from .x import y
                base = ".".join(filter(None, [package, base]))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph(folder: Path, package: str) -> Dict[str, Set[str]]:
    """Module -> the package's modules it imports (names that are not modules, like functions, drop out)."""
    modules = {f"{package}.{path.stem}": path for path in sorted(folder.glob("*.py")) if path.stem != "__init__"}
    return {name: {m for m in imported_modules(path.read_text(encoding="utf-8"), package) if m in modules} - {name}
            for name, path in modules.items()}


def find_cycle(graph: Dict[str, Set[str]]) -> Optional[List[str]]:
    """One circle of imports as a path (first module repeated at the end), or None."""
    done: Set[str] = set()

    def visit(module: str, path: List[str]) -> Optional[List[str]]:
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        for target in sorted(graph.get(module, ())):
            cycle = visit(target, path + [module])
            if cycle:
                return cycle
        done.add(module)
        return None

    for start in sorted(graph):
        cycle = visit(start, [])
        if cycle:
            return cycle
    return None


def test_admin_modules_import_each_other_without_a_cycle() -> None:
    graph = import_graph(ADMIN, "admin")
    assert "admin.kb_views" in graph["admin.app"]  # the graph is read at all
    cycle = find_cycle(graph)
    assert cycle is None, "admin modules import each other in a circle: " + " -> ".join(cycle or [])


def test_admin_imports_nothing_from_the_actions() -> None:
    offenders = {path.name: sorted(m for m in imported_modules(path.read_text(encoding="utf-8"), "admin")
                                   if m == "actions" or m.startswith("actions."))
                 for path in sorted(ADMIN.glob("*.py"))}
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_an_import_inside_a_function_that_closes_a_circle_is_found(tmp_path: Path) -> None:
    (tmp_path / "pages.py").write_text("from pkg.forms import choices\n", encoding="utf-8")
    (tmp_path / "forms.py").write_text("def choices():\n    from pkg import pages\n    return pages\n",
                                       encoding="utf-8")
    (tmp_path / "html.py").write_text("from . import forms\n", encoding="utf-8")
    assert find_cycle(import_graph(tmp_path, "pkg")) == ["pkg.forms", "pkg.pages", "pkg.forms"]


def test_modules_importing_in_one_direction_only_have_no_cycle(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from pkg import views, forms\n", encoding="utf-8")
    (tmp_path / "views.py").write_text("from pkg.forms import choices\n", encoding="utf-8")
    (tmp_path / "forms.py").write_text("import json\n", encoding="utf-8")
    assert find_cycle(import_graph(tmp_path, "pkg")) is None


async def test_a_knowledge_error_no_page_handles_is_a_clear_404_or_400(aiohttp_client, kb_engine):
    from aiohttp import web

    from admin.app import knowledge_errors
    from knowledge.errors import InvalidChange, NotFound

    async def missing(request):
        raise NotFound("Không có điều khoản dn-999.")

    async def invalid(request):
        raise InvalidChange("số liệu không có trong nội dung.")

    app = web.Application(middlewares=[knowledge_errors])
    app.add_routes([web.get("/missing", missing), web.get("/invalid", invalid)])
    client = await aiohttp_client(app)
    response = await client.get("/missing")
    assert response.status == 404 and await response.text() == "Không có điều khoản dn-999."
    response = await client.get("/invalid")
    assert response.status == 400 and "số liệu không có trong nội dung" in await response.text()

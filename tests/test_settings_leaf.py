"""One source of settings: a leaf module every process builds its settings from, each default written once, and
the layers below the CLI never load it."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from config.settings import PROJECT_ROOT, Settings

PROJECT_PACKAGES = ("config", "bot", "knowledge", "nlu", "actions", "connectors", "admin")
LAYERS = ("connectors", "admin", "actions", "nlu", "knowledge")


def test_the_settings_module_imports_nothing_of_the_project():
    tree = ast.parse((PROJECT_ROOT / "config" / "settings.py").read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & set(PROJECT_PACKAGES)


def test_every_layer_below_the_cli_loads_without_loading_the_cli():
    # Every module of the layers, in a fresh interpreter: none may pull in `bot` (the CLI and supervisor).
    script = f"""
import importlib, pkgutil, sys
for package in {LAYERS!r}:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(info.name)
print(sorted(name for name in sys.modules if name == "bot" or name.startswith("bot.")))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _constants(path: Path):
    """The literal values a module's code uses (docstrings and comments left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [str(node.value) for node in ast.walk(tree) if isinstance(node, ast.Constant) and id(node) not in docstrings]


def test_each_default_port_and_the_database_default_are_written_once():
    sources = [p for package in PROJECT_PACKAGES for p in (PROJECT_ROOT / package).rglob("*.py")]
    for default in ("5005", "5055", "8080", "8081", "8082", "knowledge.db"):
        places = [str(p.relative_to(PROJECT_ROOT)) for p in sources
                  if any(re.search(rf"(?<![\d.]){re.escape(default)}\b", value) for value in _constants(p))]
        assert places == ["config/settings.py"], (default, places)


def test_every_process_reads_the_same_database_url_wherever_it_starts(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the action server and Rasa's components used to default to ./var
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BOT_VAR_DIR", raising=False)
    from actions import runtime
    from nlu import kb_catalogue

    expected = f"sqlite:///{PROJECT_ROOT / 'var' / 'knowledge.db'}"
    assert runtime.settings().database_url == expected
    assert kb_catalogue.shared_alias_cache()._url == expected


def test_rasa_url_accepts_a_base_or_a_webhook_url_and_defaults_to_the_rasa_port():
    assert Settings.from_env({}).rasa_url == "http://127.0.0.1:5005"
    assert Settings.from_env({"RASA_PORT": "5999"}).rasa_url == "http://127.0.0.1:5999"
    assert Settings.from_env({"RASA_URL": "http://rasa:5005/webhooks/rest/webhook"}).rasa_url == "http://rasa:5005"

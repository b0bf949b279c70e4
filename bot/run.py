"""`bot run`: load the KB, train if needed, and supervise Rasa, the action server and the web chat."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

from bot.settings import PROJECT_ROOT, Settings

NLU_DIR = PROJECT_ROOT / "nlu"


def _wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except Exception:
            time.sleep(0.5)
    return False


def prepare(settings: Settings) -> Path:
    """Knowledge base loaded, model trained: what `run` needs before starting."""
    from knowledge.db import create_schema, make_engine
    from knowledge.importer import is_empty, load_curated
    from nlu.model_store import latest_model, train_full

    engine = make_engine(settings.database_url)
    create_schema(engine)
    if is_empty(engine):
        print("run: loading the curated knowledge base", flush=True)
        load_curated(engine)
    engine.dispose()
    model = latest_model(settings.model_dir)
    if model is None:
        print("run: training the model (a few minutes the first time)", flush=True)
        model = train_full(settings.model_dir)
    return model


def commands(settings: Settings, model: Path, ports: Dict[str, int]) -> Dict[str, List[str]]:
    py = sys.executable
    return {
        "actions": [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ports["actions"])],
        "rasa": [py, "-m", "rasa", "run", "-m", str(model), "--port", str(ports["rasa"]), "--enable-api",
                 "-i", "127.0.0.1", "--endpoints", str(NLU_DIR / "endpoints.yml"),
                 "--credentials", str(NLU_DIR / "credentials.yml")],
        "webchat": [py, "-m", "connectors.webchat_server", "--port", str(ports["webchat"]),
                    "--rasa", f"http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook"],
    }


def run(settings: Settings) -> int:
    model = prepare(settings)
    ports = {"rasa": 5005, "actions": 5055, "webchat": int(os.environ.get("WEBCHAT_PORT", "8080"))}
    env = {**os.environ, "DATABASE_URL": settings.database_url, "TF_CPP_MIN_LOG_LEVEL": "2"}
    procs: Dict[str, subprocess.Popen] = {}
    cmds = commands(settings, model, ports)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, cmd in cmds.items():
        procs[name] = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env)
    if _wait_http(f"http://127.0.0.1:{ports['rasa']}/status", 180):
        print(f"run: ready — web chat on http://127.0.0.1:{ports['webchat']}/ , "
              f"REST on http://127.0.0.1:{ports['rasa']}/webhooks/rest/webhook", flush=True)
    restarts = {name: 0 for name in procs}
    while not stopping:
        time.sleep(1)
        for name, proc in procs.items():
            if proc.poll() is not None and not stopping:
                if restarts[name] >= 5:
                    print(f"run: {name} keeps failing; stopping", file=sys.stderr)
                    stopping = True
                    break
                restarts[name] += 1
                print(f"run: {name} exited with {proc.returncode}; restarting", file=sys.stderr)
                procs[name] = subprocess.Popen(cmds[name], cwd=PROJECT_ROOT, env=env)
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    for proc in procs.values():
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0

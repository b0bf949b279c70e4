"""`bot run`: load the KB, train if needed, and supervise Rasa, the action server and the web chat."""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from bot.servers import Stack
from config.settings import Settings


def ensure_kb(settings: Settings) -> None:
    """Create the schema and load the curated data into an empty KB."""
    from knowledge.db import create_schema, make_engine
    from knowledge.importer import is_empty, load_curated

    engine = make_engine(settings.database_url)
    create_schema(engine)
    if is_empty(engine):
        print("setup: loading the curated knowledge base", file=sys.stderr, flush=True)
        load_curated(engine)
    engine.dispose()


def prepare(settings: Settings) -> Path:
    """Knowledge base loaded, model trained: what a running assistant needs."""
    from nlu.model_store import latest_model, train_full

    ensure_kb(settings)
    model = latest_model(settings.model_dir)
    if model is None:
        print("setup: training the model (about three minutes the first time)", file=sys.stderr, flush=True)
        model = train_full(settings.model_dir)
    return model


def run(settings: Settings) -> int:
    model = prepare(settings)
    ports = {"rasa": settings.rasa_port, "actions": settings.actions_port, "webchat": settings.webchat_port,
             "admin": settings.admin_port}
    stack = Stack(settings, model, ports)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    stack.start()
    print(f"run: ready. Web chat: http://127.0.0.1:{ports['webchat']}/  "
          f"Admin: http://127.0.0.1:{ports['admin']}/admin/  REST: {stack.rest_url}", flush=True)
    restarts = {name: 0 for name in stack.procs}
    while not stopping:
        time.sleep(1)
        for name, proc in list(stack.procs.items()):
            if proc.poll() is not None and not stopping:
                if restarts[name] >= 5:
                    print(f"run: {name} keeps failing; stopping", file=sys.stderr)
                    stopping = True
                    break
                restarts[name] += 1
                print(f"run: {name} exited with {proc.returncode}; restarting", file=sys.stderr)
                stack.start_one(name)
    stack.stop()
    return 0

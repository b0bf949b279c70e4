"""A Rasa and action server on loopback over a scratch copy of the knowledge base, for benchmarks."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Tuple

from bot.servers import Stack, free_port
from config.settings import Settings


@contextmanager
def scratch_assistant(settings: Settings, model: Path) -> Iterator[Tuple[str, str]]:
    """The base URL and API token of servers answering from a copy of the SQLite KB (the original is
    left as it is)."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "kb.db"
        shutil.copy(Path(settings.database_url.split("///", 1)[1]), kb)
        run_settings = Settings(database_url=f"sqlite:///{kb}", var_dir=Path(tmp), model_dir=settings.model_dir)
        stack = Stack(run_settings, model, {"rasa": free_port(), "actions": free_port()}, webchat=False,
                      channels=False, log_dir=Path(tmp) / "logs")
        stack.start()
        try:
            yield f"http://127.0.0.1:{stack.ports['rasa']}", stack.api_token
        finally:
            stack.stop()

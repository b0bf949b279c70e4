"""Starting and stopping the Rasa server, the action server and the web chat on loopback."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from config.settings import PROJECT_ROOT, Settings

NLU_DIR = PROJECT_ROOT / "nlu"
SQL_TRACKER_STORE = "bot.tracker_store.CoreSQLTrackerStore"  # Rasa's SQL store, its queries prepared once
KEPT_TRACKER_STORE = "bot.tracker_store.KeptInMemoryTrackerStore"  # memory first, written to SQLite behind
# TensorFlow's thread pools, one thread each: a message's model run is small, and beside the other servers
# on few cores more threads cost more than they give (sustained rate +17% on 2 cores, benchmarks/load.py).
# The environment can set other values.
RASA_THREAD_DEFAULTS = {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except Exception:
            time.sleep(0.3)
    return False


def hash_key(settings: Settings) -> str:
    """The key that pseudonymises senders: from BOT_HASH_KEY, else a random one kept in var/."""
    return settings.hash_key or _secret(settings, "BOT_HASH_KEY", "hash.key")


def rasa_token(settings: Settings) -> str:
    """The token Rasa's HTTP API (conversations, parsing) asks for: from RASA_AUTH_TOKEN, else a random
    one kept in var/. The channels' webhooks do not need it."""
    return _secret(settings, "RASA_AUTH_TOKEN", "rasa.token")


def _secret(settings: Settings, env_name: str, filename: str) -> str:
    if os.environ.get(env_name):
        return os.environ[env_name]
    path = settings.var_dir / filename
    if not path.exists():
        # Written aside, then linked into place: servers started at once must not read a half-written file
        # (an empty key failed every action of one server) nor each keep a key of its own.
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{filename}.{os.getpid()}.{secrets.token_hex(4)}")
        draft.write_text(secrets.token_hex(32), encoding="utf-8")
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another server's secret is in place first: use it
        finally:
            draft.unlink()
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise RuntimeError(f"{path} is empty: delete it, or set {env_name}")
    return value


def write_endpoints(settings: Settings, action_port: int, persistent: bool, action_url: Optional[str] = None) -> Path:
    """endpoints.yml for this run: the action server, and where conversations and their locks are kept.

    TRACKER_STORE_URL and REDIS_URL are written as ``${...}`` references that Rasa expands from its
    environment (``Stack.env``), so no password lands in the file."""
    action_url = action_url or f"http://127.0.0.1:{action_port}/webhook"
    endpoints: Dict[str, object] = {"action_endpoint": {"url": action_url}}
    if settings.tracker_store_url:
        endpoints["tracker_store"] = {"type": SQL_TRACKER_STORE, "url": "${TRACKER_STORE_URL}"}
    else:  # the embedded default: conversations in var/tracker.db, kept across restarts
        endpoints["tracker_store"] = {"type": SQL_TRACKER_STORE if persistent else KEPT_TRACKER_STORE,
                                      "dialect": "sqlite", "db": str(settings.var_dir / "tracker.db")}
    if settings.redis_url:
        endpoints["lock_store"] = {"type": "bot.lock_store.AtomicRedisLockStore", "url": "${REDIS_URL}"}
        if settings.redis_key_prefix:
            endpoints["lock_store"]["key_prefix"] = settings.redis_key_prefix
    else:
        endpoints["lock_store"] = {"type": "in_memory"}
    path = settings.var_dir / f"endpoints-{action_port}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


@dataclass
class Stack:
    """The processes of one running assistant."""

    settings: Settings
    model: Path
    ports: Dict[str, int]
    webchat: bool = True
    channels: bool = True
    # Conversations written straight to SQLite, so separate `bot ask` calls continue them; a long-running
    # server serves them from memory and writes them to the same file behind (kept across restarts).
    persistent_tracker: bool = False
    procs: Dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: Dict[str, List[str]] = field(default_factory=dict)
    log_dir: Optional[Path] = None
    endpoints: Optional[Path] = None  # written for this run, removed when it stops

    @property
    def api_token(self) -> str:
        """What Rasa's HTTP API asks for (``?token=``); handed to Rasa in its environment, not its command line."""
        return rasa_token(self.settings)

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/webhook"

    def env(self) -> Dict[str, str]:
        # rasa_sdk listens on all interfaces unless SANIC_HOST says otherwise: keep it on loopback.
        return {"SANIC_HOST": "127.0.0.1", **RASA_THREAD_DEFAULTS, **os.environ,
                "DATABASE_URL": self.settings.database_url,
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "BOT_HASH_KEY": hash_key(self.settings), "RASA_AUTH_TOKEN": self.api_token,
                "PYTHONUNBUFFERED": "1",
                "BOT_VAR_DIR": str(self.settings.var_dir), "RASA_URL": f"http://127.0.0.1:{self.ports['rasa']}",
                **self.store_env()}

    def store_env(self) -> Dict[str, str]:
        """The shared stores' URLs the endpoints file refers to (see write_endpoints), and the channels' secrets."""
        names = {"TRACKER_STORE_URL": self.settings.tracker_store_url, "REDIS_URL": self.settings.redis_url,
                 "TELEGRAM_BOT_TOKEN": self.settings.telegram_bot_token,
                 "ZALO_OA_SECRET_KEY": self.settings.zalo_oa_secret}
        return {name: value for name, value in names.items() if value}

    def build_commands(self) -> None:
        py = sys.executable
        endpoints = self.endpoints = write_endpoints(self.settings, self.ports["actions"], self.persistent_tracker)
        self.commands = {
            "actions": [py, "-m", "rasa_sdk", "--actions", "actions", "--port", str(self.ports["actions"])],
            "rasa": [py, "-m", "bot.rasa_server", "run", "-m", str(self.model), "--port", str(self.ports["rasa"]),
                     "--enable-api", "-i", "127.0.0.1", "--endpoints", str(endpoints),
                     "--credentials", str(NLU_DIR / "credentials.yml")],
        }
        # Channels that need secrets start only when their secret is set.
        if self.channels and self.settings.telegram_bot_token:
            self.commands["telegram"] = [py, "-m", "connectors.telegram_main"]
        if self.channels and self.settings.zalo_oa_secret:
            self.commands["zalo"] = [py, "-m", "connectors.zalo_main"]
        if "admin" in self.ports:
            self.commands["admin"] = [py, "-m", "admin.server", "--port", str(self.ports["admin"])]
        if self.webchat:
            self.commands["webchat"] = [py, "-m", "connectors.webchat_server", "--port", str(self.ports["webchat"]),
                                        "--rasa", f"http://127.0.0.1:{self.ports['rasa']}"]

    def start_one(self, name: str) -> None:
        out = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        self.procs[name] = subprocess.Popen(self.commands[name], cwd=PROJECT_ROOT, env=self.env(),
                                            stdout=out, stderr=subprocess.STDOUT if out else None)

    def start(self, timeout: float = 240) -> None:
        self.build_commands()
        for name in self.commands:
            self.start_one(name)
        deadline = time.monotonic() + timeout
        for url in (f"http://127.0.0.1:{self.ports['actions']}/health",
                    f"http://127.0.0.1:{self.ports['rasa']}/status?token={self.api_token}"):
            while not wait_http(url, 1.0):
                dead = [name for name, proc in self.procs.items() if proc.poll() is not None]
                if dead or time.monotonic() > deadline:
                    self.stop()
                    where = f" (logs in {self.log_dir})" if self.log_dir else ""
                    raise RuntimeError(f"{', '.join(dead) or 'a server'} did not start{where}")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.endpoints is not None:
            self.endpoints.unlink(missing_ok=True)
            self.endpoints = None

"""One role of the scaled-out deployment per process, as docker-compose.yml runs them:

    python -m bot.deploy prepare      # KB schema and curated data if empty, model trained if missing; exits
    python -m bot.deploy rasa         # Rasa server (SQL tracker store, Redis locks when their URLs are set)
    python -m bot.deploy actions      # action server
    python -m bot.deploy webchat | telegram | zalo | admin
    python -m bot.deploy health URL   # exit 0 when URL answers with a status below 500 (container health checks)

Servers listen on BIND_HOST (0.0.0.0 in a container; default 127.0.0.1). Rasa calls the action server at
ACTION_ENDPOINT_URL; connectors call Rasa at RASA_URL. Settings and secrets come from the environment
only (see config/settings.py); the server roles replace this process (exec), so signals reach the server."""
from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from typing import Dict, List, Mapping, NoReturn, Optional, Sequence

from bot.servers import NLU_DIR, RASA_THREAD_DEFAULTS, write_endpoints
from config.settings import Settings

PY = sys.executable


def _require(env: Mapping[str, str], *names: str) -> None:
    missing = [n for n in names if not env.get(n)]
    if missing:
        raise SystemExit(f"deploy: set {', '.join(missing)}")


def command(role: str, env: Mapping[str, str], settings: Settings) -> List[str]:
    """The command line that runs ``role``."""
    host = env.get("BIND_HOST") or "127.0.0.1"
    rasa_url = settings.rasa_url
    if role == "rasa":
        from nlu.model_store import latest_model

        model = latest_model(settings.model_dir)
        if model is None:
            raise SystemExit(f"deploy: no model in {settings.model_dir}; run `python -m bot.deploy prepare` first")
        port = str(settings.rasa_port)
        action_url = env.get("ACTION_ENDPOINT_URL") or settings.action_endpoint_url
        endpoints = write_endpoints(settings, int(port), persistent=False, action_url=action_url)
        return [PY, "-m", "bot.rasa_server", "run", "-m", str(model), "--port", port, "-i", host,
                "--endpoints", str(endpoints), "--credentials", str(NLU_DIR / "credentials.yml")]
    if role == "actions":
        _require(env, "BOT_HASH_KEY")  # every action server must pseudonymise senders alike
        return [PY, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.actions_port)]
    if role == "webchat":
        return [PY, "-m", "connectors.webchat_server", "--host", host, "--port", str(settings.webchat_port),
                "--rasa", rasa_url]
    if role == "telegram":
        _require(env, "TELEGRAM_BOT_TOKEN")
        return [PY, "-m", "connectors.telegram_main", "--rasa", rasa_url]
    if role == "zalo":
        _require(env, "ZALO_OA_SECRET_KEY", "ZALO_APP_ID", "ZALO_APP_SECRET")
        return [PY, "-m", "connectors.zalo_main", "--host", host, "--port", str(settings.zalo_port)]
    if role == "admin":
        return [PY, "-m", "admin.server", "--host", host, "--port", str(settings.admin_port)]
    raise SystemExit(f"deploy: unknown role {role!r}")


def child_env(role: str, env: Mapping[str, str]) -> Dict[str, str]:
    extra = {"PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    if role == "actions":
        extra["SANIC_HOST"] = env.get("BIND_HOST") or "127.0.0.1"  # rasa_sdk's own default is 0.0.0.0
    defaults = RASA_THREAD_DEFAULTS if role == "rasa" else {}
    return {**defaults, **env, **extra}


def health(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 0 if response.status < 500 else 1
    except urllib.error.HTTPError as exc:  # 404/405 still prove the server is up
        return 0 if exc.code < 500 else 1
    except OSError:
        return 1


def main(argv: Optional[Sequence[str]] = None) -> NoReturn:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        raise SystemExit(__doc__)
    role = args[0]
    if role == "health" and len(args) == 2:
        raise SystemExit(health(args[1]))
    settings = Settings.from_env()
    if role == "prepare":
        from bot.run import prepare

        print(f"deploy: preparing with {settings.masked()}", flush=True)
        prepare(settings)
        raise SystemExit(0)
    argv_ = command(role, os.environ, settings)
    os.execve(PY, argv_, child_env(role, os.environ))


if __name__ == "__main__":
    main()

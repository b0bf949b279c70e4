"""The compose deployment: docker-compose.yml names every service with a health check and takes secrets from
the environment only; `python -m bot.deploy ROLE` runs each role as compose does."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from bot import deploy
from bot.servers import free_port, wait_http
from config.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
SERVICES = {"postgres", "redis", "rasa", "actions", "webchat", "telegram", "zalo", "admin"}
SECRETS = {"POSTGRES_PASSWORD": "pg-pass", "REDIS_PASSWORD": "redis-pass", "BOT_HASH_KEY": "hash-key"}
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|_KEY$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _env(service: dict) -> dict:
    env = service.get("environment") or {}
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


def test_every_named_service_is_there_with_a_health_check(compose):
    services = compose["services"]
    assert SERVICES <= set(services)
    for name in SERVICES | {"lb"}:
        test = (services[name].get("healthcheck") or {}).get("test")
        assert test and not services[name]["healthcheck"].get("disable"), f"{name} has no health check"


def test_app_services_run_the_project_image_and_scale_out(compose):
    services = compose["services"]
    app = {n for n, s in services.items() if s.get("build")}
    assert {"setup", "rasa", "actions", "webchat", "telegram", "zalo", "admin"} <= app
    assert all(services[n]["build"] == "." for n in app) and (PROJECT_ROOT / "Dockerfile").exists()
    assert len({services[n]["image"] for n in app}) == 1  # one image for every role
    for name in ("rasa", "actions"):
        assert services[name]["deploy"]["replicas"] >= 2
    rasa = _env(services["rasa"])
    assert rasa["TRACKER_STORE_URL"].startswith("postgresql://") and rasa["REDIS_URL"].startswith("redis://")
    assert rasa["ACTION_ENDPOINT_URL"] == "http://lb:5055/webhook" and _env(services["webchat"])["RASA_URL"] == "http://lb:5005"
    assert {"pgdata", "models"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert services["telegram"]["profiles"] == ["telegram"] and services["zalo"]["profiles"] == ["zalo"]


def test_secrets_come_from_the_environment_only(compose):
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_NAME.search(key) or "URL" in key and "@" in str(value):
                assert "${" in str(value), f"{name}.{key} is not taken from the environment"
    text = COMPOSE.read_text(encoding="utf-8")
    assert not any(secret in text for secret in SECRETS.values())


def _compose_command() -> Tuple[List[str], str]:
    """``docker compose`` (the v2 plugin), else the standalone ``docker-compose``; or why neither runs here."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"], ""
    if shutil.which("docker-compose"):
        return ["docker-compose"], ""
    client = "the docker client has no compose plugin" if shutil.which("docker") else "no docker client"
    return [], f"{client} and no docker-compose here: `compose config` cannot be checked"


def test_docker_compose_accepts_the_file_and_refuses_it_without_secrets():
    compose, reason = _compose_command()
    if not compose:
        pytest.skip(reason)
    base = {k: v for k, v in os.environ.items() if k not in SECRETS}
    config = [*compose, "-f", str(COMPOSE), "config", "-q"]
    ok = subprocess.run(config, cwd=PROJECT_ROOT, env={**base, **SECRETS}, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run(config, cwd=PROJECT_ROOT, env=base, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr


# --- python -m bot.deploy ---------------------------------------------------------------------------------------

def test_roles_build_the_servers_command_lines(tmp_path, monkeypatch):
    import nlu.model_store

    monkeypatch.setattr(nlu.model_store, "latest_model", lambda _dir: tmp_path / "bot-x.tar.gz")
    env = {"BIND_HOST": "0.0.0.0", "RASA_PORT": "5005", "ACTION_ENDPOINT_URL": "http://lb:5055/webhook",
           "TRACKER_STORE_URL": "postgresql://bot:pw@postgres/bot", "REDIS_URL": "redis://:pw@redis:6379/0",
           "RASA_URL": "http://lb:5005", "BOT_VAR_DIR": str(tmp_path)}
    settings = Settings.from_env(env)
    rasa = deploy.command("rasa", env, settings)
    assert rasa[rasa.index("-i") + 1] == "0.0.0.0" and rasa[rasa.index("-m", 3) + 1] == str(tmp_path / "bot-x.tar.gz")
    endpoints_text = Path(rasa[rasa.index("--endpoints") + 1]).read_text()
    endpoints = yaml.safe_load(endpoints_text)
    assert endpoints["action_endpoint"]["url"] == "http://lb:5055/webhook" and "pw" not in endpoints_text
    assert endpoints["tracker_store"]["url"] == "${TRACKER_STORE_URL}"
    assert endpoints["lock_store"]["type"] == "bot.lock_store.AtomicRedisLockStore"
    webchat = deploy.command("webchat", env, settings)
    assert webchat[webchat.index("--rasa") + 1] == "http://lb:5005" and webchat[webchat.index("--host") + 1] == "0.0.0.0"
    assert deploy.child_env("actions", env)["SANIC_HOST"] == "0.0.0.0"
    assert deploy.child_env("actions", {})["SANIC_HOST"] == "127.0.0.1"
    assert deploy.child_env("rasa", {})["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    assert deploy.child_env("rasa", {"TF_INTRA_OP_PARALLELISM_THREADS": "4"})["TF_INTRA_OP_PARALLELISM_THREADS"] == "4"
    for role, secret in (("actions", "BOT_HASH_KEY"), ("telegram", "TELEGRAM_BOT_TOKEN"), ("zalo", "ZALO_OA_SECRET_KEY")):
        with pytest.raises(SystemExit, match=secret):
            deploy.command(role, env, settings)


def test_actions_role_serves_on_the_bind_host_and_health_follows_it(tmp_path):
    port = free_port()
    env = {**os.environ, "BIND_HOST": "127.0.0.1", "ACTIONS_PORT": str(port), "BOT_HASH_KEY": "k",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}", "BOT_VAR_DIR": str(tmp_path)}
    health = [sys.executable, "-m", "bot.deploy", "health", f"http://127.0.0.1:{port}/health"]
    proc = subprocess.Popen([sys.executable, "-m", "bot.deploy", "actions"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_http(f"http://127.0.0.1:{port}/health", 90), "action server did not start"
        assert subprocess.run(health, cwd=PROJECT_ROOT, timeout=60).returncode == 0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert subprocess.run(health, cwd=PROJECT_ROOT, timeout=60).returncode == 1


def test_a_stopped_stack_leaves_no_endpoints_file_behind(tmp_path):
    from bot.servers import Stack
    from config.settings import Settings

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kb.db'}", var_dir=tmp_path, model_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", {"actions": 5599, "rasa": 5598, "webchat": 5597},
                  persistent_tracker=True)
    stack.build_commands()
    written = tmp_path / "endpoints-5599.yml"
    assert written.exists() and "tracker.db" in written.read_text(encoding="utf-8")
    stack.stop()
    assert not written.exists()


def test_rasa_s_api_token_is_kept_in_var_and_given_through_the_environment_not_the_command_line(tmp_path,
                                                                                                monkeypatch):
    from bot.servers import Stack, rasa_token
    from config.settings import Settings

    monkeypatch.delenv("RASA_AUTH_TOKEN", raising=False)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'kb.db'}", var_dir=tmp_path, model_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", {"actions": 5599, "rasa": 5598, "webchat": 5597})
    stack.build_commands()
    token = rasa_token(settings)
    assert len(token) == 64 and (tmp_path / "rasa.token").stat().st_mode & 0o777 == 0o600
    assert stack.env()["RASA_AUTH_TOKEN"] == token == stack.api_token
    assert "--enable-api" in stack.commands["rasa"] and token not in " ".join(stack.commands["rasa"])
    monkeypatch.setenv("RASA_AUTH_TOKEN", "from-the-environment")
    assert rasa_token(settings) == "from-the-environment"
    stack.stop()

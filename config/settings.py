"""One settings object, read from environment variables: every process (the CLI, Rasa's action server and
components, the connectors, the admin web) builds its settings here, and each default is written here once.
A leaf module: it imports nothing of the project."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    model_dir: Path
    telegram_bot_token: Optional[str] = field(default=None, repr=False)  # secrets never appear in a repr
    zalo_oa_secret: Optional[str] = field(default=None, repr=False)
    # Beyond one machine: Rasa's conversations in SQL, its conversation locks in Redis (unset: in memory).
    tracker_store_url: Optional[str] = None
    redis_url: Optional[str] = None
    redis_key_prefix: Optional[str] = None  # alphanumeric; separates deployments sharing one Redis
    # Subscribers' notices on Zalo: free within the window after a follower's last message (up to so many
    # replies), else billed to the OA's monthly quota; over it, held (kept queued) or skipped.
    zalo_notice_monthly_quota: int = 0
    zalo_free_window_hours: float = 48.0
    zalo_free_replies: int = 8
    zalo_over_quota: str = "hold"  # hold | skip
    # Where the servers listen on one machine; RASA_URL names a Rasa elsewhere.
    rasa_port: int = 5005
    actions_port: int = 5055
    webchat_port: int = 8080
    admin_port: int = 8081
    zalo_port: int = 8082
    rasa_url_override: Optional[str] = None
    # The key that pseudonymises senders in the question log (`bot run` keeps one in var/hash.key).
    hash_key: Optional[str] = field(default=None, repr=False)

    @property
    def rasa_url(self) -> str:
        """Rasa's base URL: RASA_URL (a full REST webhook URL is accepted too), else this machine's port."""
        url = (self.rasa_url_override or f"http://{LOOPBACK}:{self.rasa_port}").rstrip("/")
        suffix = "/webhooks/rest/webhook"
        return url[: -len(suffix)] if url.endswith(suffix) else url

    @property
    def action_endpoint_url(self) -> str:
        return f"http://{LOOPBACK}:{self.actions_port}/webhook"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        var_dir = Path(env.get("BOT_VAR_DIR", PROJECT_ROOT / "var"))
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'knowledge.db'}",
            var_dir=var_dir,
            model_dir=Path(env.get("BOT_MODEL_DIR", PROJECT_ROOT / "nlu" / "models")),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            zalo_oa_secret=env.get("ZALO_OA_SECRET_KEY") or None,
            tracker_store_url=env.get("TRACKER_STORE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            redis_key_prefix=env.get("REDIS_KEY_PREFIX") or None,
            zalo_notice_monthly_quota=int(_number(env, "ZALO_NOTICE_MONTHLY_QUOTA", cls.zalo_notice_monthly_quota,
                                                  whole=True)),
            zalo_free_window_hours=_number(env, "ZALO_FREE_WINDOW_HOURS", cls.zalo_free_window_hours),
            zalo_free_replies=int(_number(env, "ZALO_FREE_REPLIES", cls.zalo_free_replies, whole=True)),
            zalo_over_quota=_choice(env, "ZALO_NOTICE_OVER_QUOTA", (cls.zalo_over_quota, "skip")),
            rasa_port=_port(env, "RASA_PORT", cls.rasa_port),
            actions_port=_port(env, "ACTIONS_PORT", cls.actions_port),
            webchat_port=_port(env, "WEBCHAT_PORT", cls.webchat_port),
            admin_port=_port(env, "ADMIN_PORT", cls.admin_port),
            zalo_port=_port(env, "ZALO_PORT", cls.zalo_port),
            rasa_url_override=env.get("RASA_URL") or None,
            hash_key=env.get("BOT_HASH_KEY") or None,
        )

    def masked(self) -> dict:
        """Settings fit for logs: secrets and database passwords hidden."""
        return {"database_url": mask_url(self.database_url), "var_dir": str(self.var_dir),
                "model_dir": str(self.model_dir), "telegram": bool(self.telegram_bot_token),
                "zalo": bool(self.zalo_oa_secret), "tracker_store_url": mask_url(self.tracker_store_url),
                "redis_url": mask_url(self.redis_url), "redis_key_prefix": self.redis_key_prefix}


def _number(env: Mapping[str, str], name: str, default: float, whole: bool = False) -> float:
    """A number ≥ 0 from the environment, or ``default`` when unset; SystemExit naming the variable if not."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise SystemExit(f"{name}: expected a {'whole ' if whole else ''}number ≥ 0, got {raw!r}")
    return value


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    """A TCP port from the environment, or ``default``; SystemExit naming the variable if it is not one."""
    value = int(_number(env, name, default, whole=True))
    if not 0 < value < 65536:
        raise SystemExit(f"{name}: expected a port (1-65535), got {value}")
    return value


def _choice(env: Mapping[str, str], name: str, choices: Tuple[str, ...]) -> str:
    """One of ``choices`` (the first when unset); SystemExit naming the variable if not."""
    value = (env.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise SystemExit(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def mask_url(url: Optional[str]) -> Optional[str]:
    """``scheme://user:***@host/db``: a URL fit for logs, its password hidden."""
    if not url or "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url

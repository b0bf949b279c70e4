"""One settings object, read from environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    model_dir: Path
    telegram_bot_token: Optional[str] = None
    zalo_oa_secret: Optional[str] = None
    # Beyond one machine: Rasa's conversations in SQL, its conversation locks in Redis (unset: in memory).
    tracker_store_url: Optional[str] = None
    redis_url: Optional[str] = None
    redis_key_prefix: Optional[str] = None  # alphanumeric; separates deployments sharing one Redis

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
        )

    def export_to_env(self) -> None:
        """Child processes and Rasa components read the database from the environment."""
        os.environ["DATABASE_URL"] = self.database_url

    def masked(self) -> dict:
        """Settings fit for logs: secrets and database passwords hidden."""
        return {"database_url": mask_url(self.database_url), "var_dir": str(self.var_dir),
                "model_dir": str(self.model_dir), "telegram": bool(self.telegram_bot_token),
                "zalo": bool(self.zalo_oa_secret), "tracker_store_url": mask_url(self.tracker_store_url),
                "redis_url": mask_url(self.redis_url), "redis_key_prefix": self.redis_key_prefix}


def mask_url(url: Optional[str]) -> Optional[str]:
    """``scheme://user:***@host/db``: a URL fit for logs, its password hidden."""
    if not url or "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url

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
        )

    def export_to_env(self) -> None:
        """Child processes and Rasa components read the database from the environment."""
        os.environ["DATABASE_URL"] = self.database_url

    def masked(self) -> dict:
        """Settings fit for logs: secrets and database passwords hidden."""
        url = self.database_url
        if "@" in url and "://" in url:
            scheme, rest = url.split("://", 1)
            creds, host = rest.rsplit("@", 1)
            url = f"{scheme}://{creds.split(':', 1)[0]}:***@{host}" if ":" in creds else url
        return {"database_url": url, "var_dir": str(self.var_dir), "model_dir": str(self.model_dir),
                "telegram": bool(self.telegram_bot_token), "zalo": bool(self.zalo_oa_secret)}

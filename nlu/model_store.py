"""Training Rasa models, skipped when a model of the same inputs exists."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, List, Optional

NLU_DIR = Path(__file__).resolve().parent
CONFIG = NLU_DIR / "config.yml"
BASELINE_CONFIG = NLU_DIR / "config_baseline.yml"
DOMAIN = NLU_DIR / "domain.yml"
DATA = NLU_DIR / "data"
NLU_DATA = DATA / "nlu"
TEST_SET = NLU_DIR / "tests" / "test_nlu.yml"


def _files(paths: Iterable[Path]) -> List[Path]:
    out: List[Path] = []
    for path in paths:
        out.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return out


def fingerprint(paths: Iterable[Path]) -> str:
    """Hash of the inputs and of the code and curated synonyms that shape features."""
    digest = hashlib.sha256()
    knowledge = NLU_DIR.parent / "knowledge"
    for path in _files(list(paths) + [NLU_DIR / "tokenization.py", NLU_DIR / "vietnamese_tokenizer.py",
                                      knowledge / "text.py", knowledge / "synonyms.py",
                                      knowledge / "data" / "catalogue.yaml"]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _quiet_tensorflow() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def train_full(model_dir: Path, force: bool = False) -> Path:
    """The model `bot run` serves: NLU and dialogue. Reused when inputs are unchanged."""
    _quiet_tensorflow()
    from rasa.model_training import train

    name = f"bot-{fingerprint([CONFIG, DOMAIN, DATA])}"
    path = model_dir / f"{name}.tar.gz"
    if path.exists() and not force:
        return path
    model_dir.mkdir(parents=True, exist_ok=True)
    result = train(str(DOMAIN), str(CONFIG), [str(DATA)], output=str(model_dir), fixed_model_name=name,
                   force_training=True)
    if result.code != 0 or not result.model:
        raise RuntimeError(f"training failed with code {result.code}")
    return Path(result.model)


def train_nlu_only(config: Path, nlu_data: Path, model_dir: Path, prefix: str) -> Path:
    """An NLU-only model of ``config`` on ``nlu_data`` (used by evaluation and tests)."""
    _quiet_tensorflow()
    from rasa.model_training import train_nlu

    name = f"{prefix}-{fingerprint([config, nlu_data])}"
    path = model_dir / f"{name}.tar.gz"
    if path.exists():
        return path
    model_dir.mkdir(parents=True, exist_ok=True)
    result = train_nlu(str(config), str(nlu_data), output=str(model_dir), fixed_model_name=name,
                       domain=str(DOMAIN) if DOMAIN.exists() else None)
    if not result:
        raise RuntimeError(f"NLU training of {config} failed")
    return Path(result)


def latest_model(model_dir: Path) -> Optional[Path]:
    current = model_dir / f"bot-{fingerprint([CONFIG, DOMAIN, DATA])}.tar.gz"
    return current if current.exists() else None

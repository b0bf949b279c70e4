"""Which KB topic each question intent of the NLU model asks about."""
from __future__ import annotations

from typing import Dict

INTENT_TOPICS: Dict[str, str] = {
    "ask_health_insurance": "bhyt", "ask_tuition": "hoc-phi", "ask_social_housing": "nha-o",
    "ask_meritorious": "nguoi-co-cong", "ask_poverty": "giam-ngheo", "ask_social_assistance": "tro-giup-xa-hoi",
    "ask_social_insurance": "bhxh-bhtn", "ask_jobs": "viec-lam", "ask_clean_water": "nuoc-sach",
}

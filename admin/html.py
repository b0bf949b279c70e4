"""HTML building with escaping by default: every value is escaped unless it is already ``Html``."""
from __future__ import annotations

import html
from typing import Any, Iterable, Optional


class Html(str):
    """Markup that is safe to insert as it is."""


def esc(value: Any) -> Html:
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def render(template: str, **values: Any) -> Html:
    """``template`` (trusted) with ``{name}`` fields filled by escaped values."""
    return Html(template.format(**{k: esc(v) for k, v in values.items()}))


def join(parts: Iterable[Any], sep: str = "") -> Html:
    return Html(sep.join(esc(p) for p in parts))


def options(choices: Iterable[tuple], selected: Optional[str]) -> Html:
    """``<option>`` elements for (value, label) pairs."""
    return join(render('<option value="{v}"{s}>{label}</option>', v=v, label=label,
                       s=Html(" selected") if selected is not None and str(v) == str(selected) else Html(""))
                for v, label in choices)


def csrf_field(token: str) -> Html:
    return render('<input type="hidden" name="csrf" value="{t}">', t=token)

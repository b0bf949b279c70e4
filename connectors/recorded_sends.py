"""What inbox and outbox share about sends recorded part by part: a part found in flight after a restart."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Interrupted:
    """A message whose send was in flight when the connector stopped: ``part`` (0-based) of ``parts`` may have
    gone out and is not sent again; ``done`` when it was the last part."""

    id: int
    part: int
    parts: int
    done: bool


def interrupted_note(part: int, parts: int) -> str:
    """The reason kept in the row's ``last_error``."""
    return (f"part {part + 1} of {parts} may not have been delivered: the connector stopped during its send; "
            "not sent again")[:300]

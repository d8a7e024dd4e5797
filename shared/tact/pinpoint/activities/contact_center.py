"""ContactCenter activities: no Tact equivalent; the journey goes on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converted, Converter


def contact_center(conv: Converter, activity_id: str, spec: dict[str, Any],
                   path: tuple[str, ...], where: str) -> Converted:
    comment = conv.note("unmapped", where, "ContactCenter (Amazon Connect call) has no "
                        "Tact equivalent; the customer continues with the next step")
    follow = conv.unfold(spec.get("NextActivity"), path, f"{where}.NextActivity") \
        if spec.get("NextActivity") else []
    if follow:
        follow[0].setdefault(COMMENT, []).insert(0, comment)
    else:
        follow = [{"exit": "end of imported journey", COMMENT: [comment]}]
    return follow, None, True

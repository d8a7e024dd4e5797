"""Holdout activities: at the start, the journey's holdout; later, an ab_split."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import MAX_HOLDOUT, slug_id

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def start_holdout(conv: Converter, start: str) -> tuple[float | None, str | None]:
    activity = conv.activities[start]
    conv.visited.add(start)
    percentage = int(activity["Holdout"].get("Percentage", 0))
    share = percentage / 100
    nxt = activity["Holdout"].get("NextActivity")
    if share > MAX_HOLDOUT:
        conv.note("approximated", f"$.Activities.{start}.Holdout",
                  f"holdout of {percentage}% reduced to Tact's maximum of 50%")
        share = MAX_HOLDOUT
    else:
        conv.note("mapped", f"$.Activities.{start}.Holdout", f"{percentage}% -> journey "
                  "holdout (control group tracked for conversion)")
    return share, nxt


def mid_holdout(conv: Converter, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
                where: str) -> list[dict[str, Any]]:
    percentage = int(spec.get("Percentage", 0))
    rest = conv.branch(spec.get("NextActivity"), path, f"{where}.Holdout.NextActivity")
    comment = conv.note("approximated", f"{where}.Holdout", f"a {percentage}% holdout in "
                        "the middle of the journey becomes an ab_split whose `holdout` "
                        "variant gets nothing more (Tact's journey-level holdout applies "
                        "at entry only, and is reported as the control group)")
    if not percentage:
        return rest
    if "ab_split" not in conv.step_kinds:
        conv.note("unmapped", f"{where}.Holdout", "no ab_split step kind: holdout dropped")
        return rest
    if percentage >= 100:
        return [{"exit": "holdout of 100%", COMMENT: [comment]}]
    return [{COMMENT: [comment], "id": conv.unique(slug_id(activity_id)), "ab_split": [
        {"name": "holdout", "weight": percentage, "steps": []},
        {"name": "continue", "weight": 100 - percentage, "steps": rest}]}]

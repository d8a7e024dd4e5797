"""RandomSplit activities -> ab_split steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import PinpointError, slug_id

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def random_split(conv: Converter, activity_id: str, spec: dict[str, Any], path: tuple[str, ...],
                 where: str) -> list[dict[str, Any]]:
    variants = []
    comments: list[str] = []
    names: set[str] = set()
    for i, branch in enumerate(spec.get("Branches") or []):
        here = f"{where}.RandomSplit.Branches[{i}]"
        weight = branch.get("Percentage", 0)
        nxt = branch.get("NextActivity")
        if not weight:
            comments.append(conv.note("unmapped", here, "a 0% branch never gets anyone; "
                                      "left out"))
            continue
        name = slug_id(nxt or f"branch_{i + 1}", "v")
        while name in names:
            name += "_b"
        names.add(name)
        variants.append({"name": name, "weight": weight,
                         "steps": conv.branch(nxt, path, f"{here}.NextActivity")})
    if len(variants) < 2:
        raise PinpointError(f"{where}.RandomSplit", "a random split needs two branches "
                            "with a Percentage above 0")
    if "ab_split" not in conv.step_kinds:  # the journey language may not have it yet
        first = variants[0]["steps"]
        comment = conv.note("unmapped", f"{where}.RandomSplit", "Tact has no ab_split step "
                            "kind here; only the first branch was kept")
        return [{**first[0], COMMENT: [comment]}, *first[1:]] if first else [
            {"exit": "random split not imported", COMMENT: [comment]}]
    conv.note("mapped", f"{where}.RandomSplit", "RandomSplit -> ab_split (deterministic "
              "per customer)")
    step = {"id": conv.unique(slug_id(activity_id)), "ab_split": variants}
    if comments:
        step[COMMENT] = comments
    return [step]

"""Draw a broadcast as Mermaid text: who, when, what, and who is held back."""

from __future__ import annotations

from tact.broadcast.model import Broadcast
from tact.clock import iso


def _escape(text: str, limit: int = 80) -> str:
    text = text.replace('"', "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def broadcast_mermaid(broadcast: Broadcast, condition: str) -> str:
    local = broadcast.local()
    when = (f"{local.local_time} on {local.date} on each customer's clock<br/>one wave per "
            "UTC offset" if local else f"at {iso(broadcast.instant())}<br/>"
            "quiet hours: those customers at the end of theirs")
    send = broadcast.send
    channels = " → ".join([send.channel, *send.fallback])
    lines = [
        "flowchart TD",
        f'  start(["schedule: {_escape(broadcast.id)}"])',
        f'  segment{{"in the segment?<br/>{_escape(condition)}"}}',
        f'  wave["wait: {when}"]',
        f'  send["send {_escape(send.template)} ({channels})<br/>consent · suppressions · caps · '
        f'quiet hours{f"<br/>throttle {broadcast.throttle:g}/s" if broadcast.throttle else ""}"]',
        '  outside(["not in the audience"])',
        "  start --> segment",
        "  segment -- no --> outside",
    ]
    if broadcast.holdout > 0:
        lines += [f'  holdout{{"control group? {broadcast.holdout:.0%}"}}',
                  '  control(["control: nothing sent, tracked"])',
                  "  segment -- yes --> holdout", "  holdout -- yes --> control",
                  "  holdout -- no --> wave"]
    else:
        lines.append("  segment -- yes --> wave")
    lines.append("  wave --> send")
    return "\n".join(lines) + "\n"

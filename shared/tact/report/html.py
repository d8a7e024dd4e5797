"""``tact simulate --html``: one self-contained HTML file (no scripts, no external assets).

Journey graph: inline SVG laid out here from the compiled definition (rows by depth from
StartAt), with the Mermaid text alongside for pasting elsewhere. Sends per hour: inline SVG bars.
Funnel and comparisons: tables with CSS bars.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from html import escape
from typing import Any

from tact.clock import parse_iso
from tact.report.funnel import JourneyFunnel
from tact.report.stats import format_p

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:left}.bar{background:#4f7cff;height:12px;display:inline-block;vertical-align:middle}
.sent{background:#2ca02c}.muted{color:#777}.verdict{font-weight:600}
pre{background:#f6f6f6;padding:8px;overflow:auto}svg text{font:12px system-ui,sans-serif}
"""
_FILL = {"Task": "#e8f0ff", "Choice": "#fff4d6", "Wait": "#eef7ee", "Succeed": "#f0f0f0",
         "Fail": "#ffe5e5"}


def _edges(state: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for choice in state.get("Choices", []):
        out.append((choice["Next"], ""))
    if state.get("Default"):
        out.append((state["Default"], "default"))
    if state.get("Next"):
        out.append((state["Next"], ""))
    return out


def _layers(definition: dict[str, Any]) -> dict[str, int]:
    """Depth of each state from StartAt (longest distance without going round a loop)."""
    states = definition["States"]
    depth: dict[str, int] = {}

    def visit(name: str, d: int, stack: tuple[str, ...]) -> None:
        if name not in states or name in stack or depth.get(name, -1) >= d:
            return
        depth[name] = d
        for nxt, _ in _edges(states[name]):
            visit(nxt, d + 1, (*stack, name))

    visit(definition["StartAt"], 0, ())
    for name in states:  # failure states reached only through Catch
        depth.setdefault(name, max(depth.values(), default=0) + 1)
    return depth


def graph_svg(definition: dict[str, Any]) -> str:
    states = definition["States"]
    depth = _layers(definition)
    rows: dict[int, list[str]] = {}
    for name, d in depth.items():
        rows.setdefault(d, []).append(name)
    box_w, box_h, gap_x, gap_y = 170, 30, 20, 28
    width = max(len(r) for r in rows.values()) * (box_w + gap_x) + gap_x
    height = (max(rows) + 1) * (box_h + gap_y) + gap_y
    pos: dict[str, tuple[int, int]] = {}
    for d, names in rows.items():
        offset = (width - len(names) * (box_w + gap_x) + gap_x) // 2
        for i, name in enumerate(names):
            pos[name] = (offset + i * (box_w + gap_x), gap_y + d * (box_h + gap_y))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="journey graph">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>'
             "</defs>"]
    for name, state in states.items():
        x1, y1 = pos[name]
        for nxt, label in _edges(state):
            if nxt not in pos:
                continue
            x2, y2 = pos[nxt]
            sx, sy, ex = x1 + box_w // 2, y1 + box_h, x2 + box_w // 2
            if y2 <= y1:  # a loop back up (quiet hours): bend round the side
                parts.append(f'<path d="M{x1 + box_w},{y1 + box_h // 2} C{x1 + box_w + 40},'
                             f'{y1} {x2 + box_w + 40},{y2 + box_h} {x2 + box_w},{y2 + box_h // 2}'
                             '" fill="none" stroke="#bbb" stroke-dasharray="4 3" '
                             'marker-end="url(#arrow)"/>')
                continue
            parts.append(f'<line x1="{sx}" y1="{sy}" x2="{ex}" y2="{y2}" stroke="#888" '
                         'marker-end="url(#arrow)"/>')
            if label:
                parts.append(f'<text x="{(sx + ex) // 2 + 4}" y="{(sy + y2) // 2}" '
                             f'fill="#999">{escape(label)}</text>')
    for name, state in states.items():
        x, y = pos[name]
        fill = _FILL.get(state.get("Type", ""), "#fff")
        title = escape(state.get("Comment", state.get("Type", "")))
        label = name if len(name) <= 24 else name[:23] + "…"
        parts.append(f'<g><title>{title}</title><rect x="{x}" y="{y}" width="{box_w}" '
                     f'height="{box_h}" rx="6" fill="{fill}" stroke="#888"/>'
                     f'<text x="{x + box_w // 2}" y="{y + 19}" text-anchor="middle">'
                     f"{escape(label)}</text></g>")
    parts.append("</svg>")
    return "".join(parts)


def mermaid(definition: dict[str, Any]) -> str:
    lines = ["flowchart TD"]
    for name, state in definition["States"].items():
        shape = ("{%s}" if state.get("Type") == "Choice" else "([%s])"
                 if state.get("Type") in ("Succeed", "Fail") else "[%s]")
        lines.append(f"  {name}{shape % (name + ': ' + state.get('Type', ''))}")
    for name, state in definition["States"].items():
        for nxt, label in _edges(state):
            lines.append(f"  {name} -->{'|' + label + '|' if label else ''} {nxt}")
    return "\n".join(lines)


def _hour(at: str) -> datetime:
    return parse_iso(at).replace(minute=0, second=0, microsecond=0)


def timeline_svg(messages: list[dict[str, Any]]) -> str:
    """Sends per hour (per day when the run spans more than two weeks)."""
    if not messages:
        return '<p class="muted">no messages were sent</p>'
    hours = [_hour(m["sent_at"]) for m in messages]
    first, last = min(hours), max(hours)
    step = timedelta(hours=1) if last - first <= timedelta(days=14) else timedelta(days=1)
    if step == timedelta(days=1):
        hours = [h.replace(hour=0) for h in hours]
        first = first.replace(hour=0)
    counts = Counter(hours)
    buckets = int((last - first) / step) + 1
    top = max(counts.values())
    bar_w = max(3, min(24, 900 // buckets))
    chart_h, pad_l, pad_b = 160, 36, 40
    width, height = max(420, pad_l + buckets * bar_w + 10), chart_h + pad_b + 10
    unit = "hour" if step == timedelta(hours=1) else "day"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="sends per {unit}">',
             f'<line x1="{pad_l}" y1="{chart_h + 10}" x2="{width}" y2="{chart_h + 10}" '
             'stroke="#888"/>',
             f'<text x="2" y="20">{top}</text><text x="2" y="{chart_h + 10}">0</text>']
    label_every = max(1, -(-80 // bar_w))  # one label per ~80 px
    for i in range(buckets):
        at = first + i * step
        n = counts.get(at, 0)
        h = round(chart_h * n / top)
        x = pad_l + i * bar_w
        if n:
            parts.append(f'<rect x="{x}" y="{chart_h + 10 - h}" width="{bar_w - 1}" '
                         f'height="{h}" fill="#4f7cff"><title>{at:%Y-%m-%d %H:00} UTC: {n} '
                         "sent</title></rect>")
        if i % label_every == 0:
            parts.append(f'<text x="{x}" y="{chart_h + 26}">{at:%m-%d %H:00}</text>')
    parts.append(f'<text x="{pad_l}" y="{chart_h + 44}" fill="#777">messages sent per {unit} '
                 "(UTC)</text></svg>")
    return "".join(parts)


def _funnel_html(funnel: JourneyFunnel) -> str:
    top = max([funnel.entered, *[s.reached for s in funnel.steps]]) or 1
    rows = [f"<tr><td>entered</td><td></td><td>{funnel.entered}</td><td>"
            f'<span class="bar" style="width:{300 * funnel.entered // top}px"></span></td>'
            "<td></td></tr>"]
    for s in funnel.steps:
        reasons = ", ".join(f"{escape(r)} {n}" for r, n in sorted(s.suppressed.items()))
        bar = f'<span class="bar" style="width:{300 * s.reached // top}px"></span>'
        if s.kind == "send":
            bar += f'<br><span class="bar sent" style="width:{300 * s.sent // top}px"></span>'
        rows.append(f"<tr><td>{escape(s.step)}</td><td>{escape(s.kind)}</td><td>{s.reached}"
                    f"{' / sent ' + str(s.sent) if s.kind == 'send' else ''}</td><td>{bar}</td>"
                    f"<td>{reasons}</td></tr>")
    table = ("<table><tr><th>step</th><th>kind</th><th>reached</th><th></th>"
             "<th>not sent (reason)</th></tr>" + "".join(rows) + "</table>")
    summary = (f"<p>{funnel.entered} entered"
               f"{f' ({funnel.control} in the holdout)' if funnel.control else ''}, "
               f"{funnel.sent} sent, {sum(funnel.suppressed.values())} not sent, "
               f"{funnel.exited} exited, {funnel.converted} converted"
               f"{' (goal: ' + escape(', '.join(funnel.goals)) + ')' if funnel.goals else ''}"
               "</p>")
    comparisons = "".join(
        f"<p><b>{escape(label)}</b>: {escape(c.control.name)} {c.control.converted}/"
        f"{c.control.entered} ({c.control.rate:.1%}) vs {escape(c.treatment.name)} "
        f"{c.treatment.converted}/{c.treatment.entered} ({c.treatment.rate:.1%}), lift "
        f"{'-' if c.lift is None else f'{c.lift:+.1%}'}, p {escape(format_p(c.p_value))}<br>"
        f'<span class="verdict">{escape(c.verdict)}</span></p>'
        for label, c in funnel.comparisons)
    return summary + table + comparisons


def render_html(funnels: list[JourneyFunnel], definitions: dict[str, dict[str, Any]],
                messages: list[dict[str, Any]], title: str = "Tact simulation report") -> str:
    body = [f"<h1>{escape(title)}</h1>",
            f"<p>{len(messages)} messages sent in {len(funnels)} journeys.</p>",
            "<h2>Sends over time</h2>", timeline_svg(messages)]
    active = [f for f in funnels if f.entries or f.not_entered]
    for funnel in active:
        definition = definitions[funnel.journey]
        body += [f"<h2>Journey {escape(funnel.journey)}</h2>", "<h3>Funnel</h3>",
                 _funnel_html(funnel), "<h3>Graph</h3>", graph_svg(definition),
                 "<details><summary>Mermaid text</summary><pre>"
                 f"{escape(mermaid(definition))}</pre></details>"]
    idle = [f for f in funnels if f not in active]
    if idle:
        body.append("<h2>Journeys without triggers in these events</h2>")
        for funnel in idle:
            definition = definitions[funnel.journey]
            body.append(f"<details><summary>{escape(funnel.journey)}</summary>"
                        f"{graph_svg(definition)}<pre>{escape(mermaid(definition))}</pre>"
                        "</details>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")

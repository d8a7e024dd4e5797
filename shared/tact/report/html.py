"""``tact report --html`` and ``tact simulate --html``: one self-contained page (no scripts,
no external assets) showing exactly the numbers of the JSON report, from the same object.

Each journey is drawn as `tact graph` draws it (the marketer's steps, conditions and shares
on the edges), with the messages sent at each send step; a legend explains the shapes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from typing import Any

from tact.analytics.report import JourneyReport, Report
from tact.journey.graph import journey_graph, mermaid
from tact.report.stats import format_p

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:left}.bar{background:#4f7cff;height:12px;display:inline-block;vertical-align:middle}
.sent{background:#2ca02c}.muted{color:#777}.verdict{font-weight:600}.note{color:#a15c00}
svg text{font:12px system-ui,sans-serif}pre{background:#f6f6f6;padding:8px;overflow:auto}
.legend span{display:inline-block;margin-right:14px}
.swatch{display:inline-block;width:14px;height:10px;border:1px solid #888;margin-right:4px}
"""
_FILL = {"start": "#e8f0ff", "box": "#eef7ee", "round": "#f6f6f6", "diamond": "#fff4d6",
         "stop": "#f0f0f0", "note": "#fffbe6"}
_MEANING = {"start": "trigger (entry)", "round": "wait", "box": "send or update",
            "diamond": "decision: split, A/B split, holdout, wait for an event",
            "stop": "end or exit"}


def _layers(nodes: list[str], edges: list[tuple[str, str, str]]) -> dict[str, int]:
    """Depth of each node: the longest path from the trigger (the graph has no cycles)."""
    depth = {nodes[0]: 0} if nodes else {}
    for _ in nodes:  # relax: at most as many rounds as nodes
        changed = False
        for a, b, _label in edges:
            if a in depth and depth.get(b, -1) < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def _box(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def graph_svg(journey: Any, report: JourneyReport | None) -> str:
    graph = journey_graph(journey)
    shapes = {node_id: shape for node_id, _, shape in graph.nodes}
    labels = {node_id: label for node_id, label, _ in graph.nodes}
    drawn = [n for n, _, shape in graph.nodes if shape != "note"]
    depth = _layers(drawn, graph.edges)
    rows: dict[int, list[str]] = {}
    for node in drawn:
        rows.setdefault(depth.get(node, max(depth.values(), default=0) + 1), []).append(node)
    outcomes = {s.step: s for s in report.steps} if report else {}
    box_w, box_h, gap_x, gap_y = 230, 34, 26, 46
    width = max(len(r) for r in rows.values()) * (box_w + gap_x) + gap_x
    height = (max(rows) + 1) * (box_h + gap_y) + gap_y
    pos: dict[str, tuple[int, int]] = {}
    for d, names in rows.items():
        offset = (width - len(names) * (box_w + gap_x) + gap_x) // 2
        for i, name in enumerate(names):
            pos[name] = (offset + i * (box_w + gap_x), gap_y // 2 + d * (box_h + gap_y))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="journey {escape(journey.id)}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
             'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#888"/></marker>'
             "</defs>"]
    for a, b, label in graph.edges:
        if a not in pos or b not in pos:
            continue
        (x1, y1), (x2, y2) = pos[a], pos[b]
        sx, sy, ex = x1 + box_w // 2, y1 + box_h, x2 + box_w // 2
        parts.append(f'<line x1="{sx}" y1="{sy}" x2="{ex}" y2="{y2}" stroke="#888" '
                     'marker-end="url(#arrow)"/>')
        if label:
            parts.append(f'<text x="{(sx + ex) // 2 + 4}" y="{(sy + y2) // 2 + 4}" '
                         f'fill="#555"><title>{escape(label)}</title>'
                         f"{escape(_box(label, 40))}</text>")
    for node in drawn:
        x, y = pos[node]
        shape, label = shapes[node], labels[node]
        rx = 16 if shape in ("start", "stop") else 3 if shape == "box" else 8
        step = graph.steps.get(node)
        count = ""
        dashed = ' stroke-dasharray="4 2"' if shape == "diamond" else ""
        if step and step in outcomes:
            o = outcomes[step]
            count = f"sent {o.sent}, not sent {sum(o.not_sent.values())}"
        parts.append(f'<g><title>{escape(label)}</title><rect x="{x}" y="{y}" width="{box_w}" '
                     f'height="{box_h}" rx="{rx}" fill="{_FILL[shape]}" stroke="#888"{dashed}/>'
                     f'<text x="{x + box_w // 2}" y="{y + (14 if count else 21)}" '
                     f'text-anchor="middle">{escape(_box(label))}</text>'
                     + (f'<text x="{x + box_w // 2}" y="{y + 28}" text-anchor="middle" '
                        f'fill="#2a7a2a">{escape(count)}</text>' if count else "")
                     + "</g>")
    parts.append("</svg>")
    notes = [label for _, label, shape in graph.nodes if shape == "note"]
    return "".join(parts) + "".join(f'<p class="muted">{escape(n)}</p>' for n in notes)


def legend() -> str:
    items = "".join(f'<span><i class="swatch" style="background:{_FILL[shape]}"></i>'
                    f"{escape(meaning)}</span>" for shape, meaning in _MEANING.items())
    return (f'<div class="legend"><b>Legend</b>: {items}<span>edge labels: the condition, '
            "variant share or event that leads there</span><span>green: messages sent at "
            "that step in these records</span></div>")


def timeline_svg(report: Report) -> str:
    """Sends per hour (per day when the records span more than two weeks)."""
    if not report.sends_per_hour:
        return '<p class="muted">no messages were sent</p>'
    counts: dict[datetime, int] = {}
    for item in report.sends_per_hour:
        counts[datetime.fromisoformat(item.hour + ":00:00")] = item.sent
    first, last = min(counts), max(counts)
    step = timedelta(hours=1) if last - first <= timedelta(days=14) else timedelta(days=1)
    if step == timedelta(days=1):
        daily: dict[datetime, int] = {}
        for at, n in counts.items():
            day = at.replace(hour=0)
            daily[day] = daily.get(day, 0) + n
        counts, first = daily, first.replace(hour=0)
    buckets = int((last - first) / step) + 1
    top = max(counts.values())
    bar_w = max(3, min(24, 900 // buckets))
    chart_h, pad_l = 160, 36
    width, height = max(420, pad_l + buckets * bar_w + 10), chart_h + 50
    unit = "hour" if step == timedelta(hours=1) else "day"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="sends per {unit}">',
             f'<line x1="{pad_l}" y1="{chart_h + 10}" x2="{width}" y2="{chart_h + 10}" '
             'stroke="#888"/>',
             f'<text x="2" y="20">{top}</text><text x="2" y="{chart_h + 10}">0</text>']
    label_every = max(1, -(-80 // bar_w))
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


def _steps_table(j: JourneyReport) -> str:
    top = max([j.entered, *[s.sent + sum(s.not_sent.values()) for s in j.steps]]) or 1
    rows = []
    for s in j.steps:
        reasons = ", ".join(f"{escape(r)} {n}" for r, n in sorted(s.not_sent.items()))
        bar = f'<span class="bar sent" style="width:{300 * s.sent // top}px"></span>'
        rows.append(f"<tr><td>{escape(s.step)}</td><td>{s.sent}</td><td>{bar}</td>"
                    f"<td>{sum(s.not_sent.values())}</td><td>{reasons}</td><td>{s.deferred}</td>"
                    f"<td>{s.unknown}</td></tr>")
    return ("<table><tr><th>send step</th><th>sent</th><th></th><th>not sent</th>"
            "<th>why not</th><th>deferred (quiet hours)</th><th>unknown outcome</th></tr>"
            + "".join(rows) + "</table>")


def _comparisons(j: JourneyReport) -> str:
    if not j.goals:
        return f'<p class="note">{escape(j.note or "no goal")}</p>'
    out = []
    for c in j.comparisons:
        ci = ("" if c.ci95 is None else
              f", 95% CI of the difference {c.ci95[0]:+.1%} to {c.ci95[1]:+.1%}")
        out.append(
            f"<p><b>{escape(c.comparison)}</b>: {escape(c.control.name)} {c.control.converted}/"
            f"{c.control.entered} customers ({c.control.rate:.1%}) vs {escape(c.treatment.name)}"
            f" {c.treatment.converted}/{c.treatment.entered} ({c.treatment.rate:.1%}); "
            f"difference {c.difference:+.1%}{ci}; lift "
            f"{'-' if c.lift is None else f'{c.lift:+.1%}'}, p {escape(format_p(c.p_value))}"
            f'<br><span class="verdict">{escape(c.verdict)}</span></p>')
    return "".join(out)


def _not_sent_list(j: JourneyReport) -> str:
    if not j.not_sent_total:
        return ""
    rows = "".join(f"<tr><td>{escape(n.customer_id)}</td><td>{escape(n.step)}</td>"
                   f"<td>{escape(n.reason)}</td><td>{escape(n.at)}</td></tr>"
                   for n in j.not_sent_customers)
    shown = len(j.not_sent_customers)
    more = (f" (the first {shown} of {j.not_sent_total})" if shown < j.not_sent_total else "")
    return (f"<h3>Not sent{more}</h3><table><tr><th>customer</th><th>step</th><th>reason</th>"
            f"<th>when (UTC)</th></tr>{rows}</table>")


def render_html(report: Report, journeys: dict[str, Any],
                title: str = "Tact journey report") -> str:
    """``journeys``: the project's journey models by id, for drawing (may be empty)."""
    sent = sum(j.sent for j in report.journeys)
    body = [f"<h1>{escape(title)}</h1>",
            f"<p>{sent} messages sent in {len(report.journeys)} journeys; conversions within "
            f"{report.window_days:g} days of entry"
            + (f"; decisions since {escape(report.since)}" if report.since else "") + ".</p>",
            "<h2>Sends over time</h2>", timeline_svg(report), legend()]
    for j in report.journeys:
        body += [f"<h2>Journey {escape(j.journey)}</h2>", f"<p>{escape(j.summary())}</p>"]
        if j.not_entered:
            body.append("<p>triggers that did not enter: " + escape(", ".join(
                f"{r} {n}" for r, n in sorted(j.not_entered.items()))) + "</p>")
        if j.journey in journeys:
            body += [graph_svg(journeys[j.journey], j), "<details><summary>Mermaid text (as "
                     "`tact graph` prints it)</summary><pre>"
                     f"{escape(mermaid(journeys[j.journey]))}</pre></details>"]
        body += [_steps_table(j), _comparisons(j), _not_sent_list(j)]
    idle = sorted(set(journeys) - {j.journey for j in report.journeys})
    if idle:
        body.append("<h2>Journeys without decisions in these records</h2>")
        for journey_id in idle:
            body.append(f"<details><summary>{escape(journey_id)}</summary>"
                        f"{graph_svg(journeys[journey_id], None)}</details>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")

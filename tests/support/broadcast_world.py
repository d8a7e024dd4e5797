"""A small broadcast project written into a folder: settings, one template, one broadcast."""

from __future__ import annotations

from pathlib import Path

SETTINGS = """\
default_timezone: Europe/Berlin
quiet_hours: {start: "21:00", end: "08:00"}
caps:
  marketing:
    any:
      - {max: 1, per: 24h}
  transactional: {}
senders:
  email: {from: "Shop <hello@shop.example.com>"}
"""
TEMPLATE = """\
email:
  subject: "Our autumn range is in"
  text: |
    New {{ customer.favorite_category }} for the season.
    Unsubscribe: {{ links.unsubscribe }}
sms:
  text: "Autumn range is in. Stop: {{ links.unsubscribe }}"
"""
BROADCAST = """\
id: autumn_range
name: Autumn range is in
segment: "customer.lifecycle_stage = 'active' and customer.favorite_category = 'apparel'"
purpose: marketing
send: {channel: preferred, fallback: [email], template: autumn_range}
at: {date: "2026-11-05", local_time: "10:00"}
"""


def write_project(root: Path, broadcast: str = BROADCAST, settings: str = SETTINGS,
                  extra: dict[str, str] | None = None) -> Path:
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "broadcasts").mkdir(exist_ok=True)
    (root / "settings.yaml").write_text(settings, encoding="utf-8")
    (root / "templates" / "autumn_range.yaml").write_text(TEMPLATE, encoding="utf-8")
    (root / "broadcasts" / "autumn_range.yaml").write_text(broadcast, encoding="utf-8")
    for name, text in (extra or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root

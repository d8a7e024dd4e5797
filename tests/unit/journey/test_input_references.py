"""What an execution carries of its trigger: exactly what the journey reads (issue 14, 4).

The trimmed trigger must render every template and decide every condition exactly as the
whole event does (checked on the example journeys and their sample events), carry no
address, and `tact validate` names reads that cannot be carried.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tact.expressions import ExpressionError, context_for, evaluate
from tact.ingest.execution_input import trigger_for
from tact.journey.bundle_builder import build
from tact.journey.model import Branch, SplitStep, iter_steps
from tact.journey.project import load_project, require_valid
from tact.journey.projection import project
from tact.journey.references import input_fields
from tact.templates import TemplateError, render_text

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"
CUSTOMER = {"favorite_category": "apparel", "has_account": True, "lifecycle_stage": "lapsed",
            "email": "ana@example.com", "order_count": 3,
            "next_best_products": [{"sku": "CAP-1", "name": "Cap", "category": "apparel"}]}
LINKS = {"links": {"unsubscribe": "https://u", "preferences": "https://p"}}


def test_the_abandoned_cart_carries_the_cart_fields_its_reminders_show() -> None:
    project_ = require_valid(load_project(ROOT / "journeys"))
    fields = input_fields(project_.journeys["abandoned_cart"], project_.templates)
    assert fields == [["cart_id"], ["currency"], ["items", "name"], ["items", "quantity"],
                      ["order_id"], ["value"]]
    bundle, _ = build(project_)
    assert bundle.journeys["abandoned_cart"].input_fields == fields


def _outcomes(journey: Any, templates: dict[str, Any], trigger: dict[str, Any]) -> list[Any]:
    context = {**context_for(trigger, CUSTOMER), **LINKS}
    seen: list[Any] = []
    for step in iter_steps(journey.steps):
        if isinstance(step, SplitStep):
            for branch in step.split:
                if isinstance(branch, Branch):
                    try:
                        seen.append(evaluate(branch.if_, context))
                    except ExpressionError as err:
                        seen.append(f"error {err}")
    for send in journey.sends():
        for channel in templates[send.template].channels():
            for name, source in templates[send.template].fields(channel).items():
                try:
                    seen.append(render_text(source, context, html=name == "html"))
                except TemplateError as err:
                    seen.append(f"error {err}")
    return seen


def test_the_trimmed_trigger_decides_and_renders_exactly_as_the_whole_event() -> None:
    loaded = require_valid(load_project(EXAMPLES))
    bundle, _ = build(loaded)
    checked = 0
    for path in sorted(EXAMPLES.glob("*.events.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(line)
            for journey in loaded.journeys.values():
                if journey.trigger.event != event["type"]:
                    continue
                trimmed = trigger_for(bundle.journeys[journey.id], event)
                whole = _outcomes(journey, loaded.templates, event)
                assert _outcomes(journey, loaded.templates, trimmed) == whole, journey.id
                assert not any(str(o).startswith("error") for o in whole)
                checked += 1
    assert checked >= 8


def test_projection_walks_lists_and_never_keeps_an_address() -> None:
    data = {"cart_id": "c1", "email": "a@b.c", "items": [
        {"name": "tee", "quantity": 2, "description": "long", "contact": {"phone": "+1"}},
        {"name": "cap", "quantity": 1}], "note": {"push_endpoint": "arn", "text": "hi"}}
    assert project(data, [["cart_id"], ["items", "name"]]) == {
        "cart_id": "c1", "items": [{"name": "tee"}, {"name": "cap"}]}
    assert project(data, [[]]) == {"cart_id": "c1", "items": [
        {"name": "tee", "quantity": 2, "description": "long", "contact": {}},
        {"name": "cap", "quantity": 1}], "note": {"text": "hi"}}
    assert project(data, [["items"], ["items", "name"]])["items"][0]["contact"] == {}


@pytest.mark.parametrize(("template", "expected"), [
    ("{% for i in cart.items %}{% for t in i.tags %}{{ t.label }}{% endfor %}{% endfor %}",
     [["items", "tags", "label"]]),
    ("{{ event.data.value }} {{ event.id }}", [["value"]]),
    ("{{ cart }}", [[]]),
])
def test_template_reads_resolve_loop_variables_and_liquid_list_properties(
        tmp_path: Path, template: str, expected: list[list[str]]) -> None:
    folder = _copy(tmp_path)
    (folder / "templates" / "cart_reminder_2.yaml").write_text(
        "email:\n  subject: Your cart\n  text: |\n    " + template
        + "\n    {{ links.unsubscribe }}\n",
        encoding="utf-8")
    loaded = require_valid(load_project(folder))
    fields = input_fields(loaded.journeys["abandoned_cart"], loaded.templates)
    for path in expected:
        assert path in fields or any(path[:len(f)] == f for f in fields), fields


def test_liquid_list_properties_read_the_list_elements() -> None:
    from tact.journey.references import template_reads

    reads = {path for path, _, _ in template_reads(
        "{{ cart.items.first.name }} and {{ cart.items.size }} more", "cart")}
    assert reads == {("items", "name"), ("items",)}


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    shutil.copytree(ROOT / "journeys", folder)
    return folder


def test_validate_names_an_address_read_from_the_trigger_and_entry_customer(
        tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "templates" / "cart_reminder_2.yaml").write_text(
        "email:\n  subject: Your cart\n  text: |\n    Hi {{ event.data.email }}\n"
        "    {{ links.unsubscribe }}\n", encoding="utf-8")
    journey = folder / "abandoned_cart.yaml"
    journey.write_text(journey.read_text(encoding="utf-8").replace(
        "exit_on: [purchase_completed, cart_emptied]",
        "exit_on:\n  - purchase_completed\n  - {event: cart_emptied, "
        "when: \"entry.customer.order_count > 1\"}"), encoding="utf-8")
    errors = [d.format() for d in load_project(folder).errors]
    assert any("cart_reminder_2.yaml:4:11: error: event.data.email is an address" in e
               and "customer.email" in e for e in errors), errors
    assert any("abandoned_cart.yaml:" in e and "entry.customer is not kept" in e
               for e in errors), errors

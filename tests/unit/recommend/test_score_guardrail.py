"""Scores decide, they are never shown: validate warns where a template prints one, and the
sensitive-attribute guardrail still stands for the model's inputs and outputs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tact.customer import CustomerState
from tact.journey.project import load_project
from tact.recommend.evaluate import fit_events
from tact.recommend.profile_scores import purchases_of, score_attributes

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "journeys" / "examples"
JOURNEY = """\
id: j
name: After purchase
trigger: {event: purchase_completed}
steps:
  - wait: 7d
  - send: {id: tip, template: TEMPLATE}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "templates", tmp_path / "templates")
    shutil.copy(EXAMPLES / "settings.yaml", tmp_path / "settings.yaml")
    return tmp_path


def _findings(project: Path, template: str) -> list[tuple[int, int, str, str]]:
    (project / "templates" / "t.yaml").write_text(template, encoding="utf-8")
    (project / "j.yaml").write_text(JOURNEY.replace("TEMPLATE", "t"), encoding="utf-8")
    return [(d.line, d.col, d.severity, d.message) for d in load_project(project).diagnostics
            if Path(d.file).name == "t.yaml"]


def test_printing_a_score_warns_with_its_place(project: Path) -> None:
    found = _findings(project, (
        'email:\n  subject: "For you"\n  text: |\n'
        '    You are {{ customer.churn_risk | times: 100 }}% likely to leave.\n'
        '    {% for p in customer.next_best_products %}{{ p.name }} {{ p.score }}{% endfor %}\n'
        '    {% liquid\n    echo customer.purchase_propensity_30d\n    %}\n'
        '    {{ links.unsubscribe }}\n'))
    warnings = sorted((line, message.split(" renders")[0]) for line, _, severity, message
                      in found if severity == "warning" and "renders a model score" in message)
    assert warnings == [(4, "customer.churn_risk"), (5, "p.score"),
                        (7, "customer.purchase_propensity_30d")]


def test_deciding_on_a_score_and_showing_the_product_is_fine(project: Path) -> None:
    found = _findings(project, (
        'email:\n  subject: "For you"\n  text: |\n'
        '    {% if customer.churn_risk > 0.5 %}We miss you.{% endif %}\n'
        '    {% for p in customer.next_best_products %}{% if p.score > 0.1 %}'
        '{{ p.name }}{% endif %}{% endfor %}\n'
        '    {{ links.unsubscribe }}\n'))
    assert found == []


def test_sensitive_attributes_stay_refused_next_to_model_attributes(project: Path) -> None:
    found = _findings(project, (
        'email:\n  subject: "For you"\n  text: |\n'
        '    {% if customer.gender == "f" %}{{ customer.next_best_products[0].name }}'
        '{% endif %}\n    {{ links.unsubscribe }}\n'))
    assert [(line, severity) for line, _, severity, m in found if "gender" in m] == [
        (4, "error")]


def test_sensitive_profile_attributes_change_nothing_the_model_computes() -> None:
    # The model reads orders (sku, name, category, time) and the purchase counts; a profile's
    # age, gender or location are never among its inputs.
    order = {"id": "o1", "time": "2026-11-01T10:00:00Z",
             "data": {"order_id": "o1", "items": [{"sku": "TEE", "category": "apparel"}]}}
    artifact = fit_events([{**order, "type": "purchase_completed", "customer_id": "x"},
                           {**order, "id": "o2", "type": "purchase_completed",
                            "customer_id": "y", "data": {"order_id": "o2", "items": [
                                {"sku": "TEE"}, {"sku": "CAP", "category": "apparel"}]}}])
    results = []
    for extra in ({}, {"gender": "f", "age": 71, "latitude": 52.5, "ethnicity": "x"}):
        attrs = {"order_count": 1, "last_purchase_at": "2026-11-01T10:00:00Z", **extra}
        state = CustomerState("c", {"sk": "PROFILE", "attrs": {
            k: {"v": v, "at": "2026-11-01T10:00:00Z"} for k, v in attrs.items()}},
            last_events={"purchase_completed": {"events": [order]}})
        purchases = purchases_of(state, state.profile)
        results.append(score_attributes(artifact, purchases, datetime(2026, 11, 5, tzinfo=UTC)))
    assert results[0] == results[1] and results[0]["next_best_products"][0]["sku"] == "CAP"

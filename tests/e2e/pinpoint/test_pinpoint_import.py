"""`tact import-pinpoint`: fixtures in the Pinpoint API's shapes import, validate (or say what to
fill in), keep everything unmapped as comments, and simulate as the Pinpoint journey describes."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore
import pytest
from typer.testing import CliRunner

from tact import runtime
from tact.cli import app
from tact.journey.model import STEP_KINDS
from tact.journey.project import load_project
from tact.journey_steps.buckets import bucket_position, in_holdout, pick
from tact.local.simulator import Simulation
from tact.pinpoint.findings import iso_duration
from tact.pinpoint.importer import import_file
from tests.support.paths import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FUNCTIONS = ROOT / "functions"
ALL = sorted(p.name for p in FIXTURES.glob("*.json"))


# ------------------------------------------------------------------ fixtures vs the API model

def _pinpoint_shapes() -> dict[str, Any]:
    path = Path(botocore.__file__).parent / "data" / "pinpoint" / "2016-12-01" / "service-2.json"
    raw = gzip.decompress((path.with_suffix(".json.gz")).read_bytes()) if not path.exists() \
        else path.read_bytes()
    return json.loads(raw)["shapes"]


def _conforms(value: Any, shape_name: str, shapes: dict[str, Any], where: str) -> list[str]:
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where}: expected an object for {shape_name}"]
        problems = []
        for key, item in value.items():
            if key not in shape["members"]:
                problems.append(f"{where}.{key}: not a member of {shape_name}")
                continue
            problems += _conforms(item, shape["members"][key]["shape"], shapes, f"{where}.{key}")
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where}: expected a map"]
        problems = []
        for key, item in value.items():
            problems += _conforms(key, shape["key"]["shape"], shapes, f"{where}<key>")
            problems += _conforms(item, shape["value"]["shape"], shapes, f"{where}.{key}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where}: expected a list"]
        return [p for i, item in enumerate(value)
                for p in _conforms(item, shape["member"]["shape"], shapes, f"{where}[{i}]")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: expected a string"]
        if "enum" in shape and value not in shape["enum"]:
            return [f"{where}: {value!r} not in {shape['enum']}"]
        return []
    if kind == "integer":
        return [] if isinstance(value, int) and not isinstance(value, bool) else [
            f"{where}: expected an integer"]
    if kind == "double":
        return [] if isinstance(value, int | float) else [f"{where}: expected a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean"]
    return []


@pytest.mark.parametrize("name", ALL)
def test_fixture_has_the_pinpoint_api_shape(name: str) -> None:
    data = json.loads((FIXTURES / name).read_text())
    shapes = _pinpoint_shapes()
    if "JourneyResponse" in data:
        problems = _conforms(data["JourneyResponse"], "JourneyResponse", shapes, "$")
    else:
        problems = _conforms(data, "WriteJourneyRequest", shapes, "$")
    assert problems == []


def test_fixtures_cover_every_activity_type_and_limit() -> None:
    activity_types: set[str] = set()
    limits: set[str] = set()
    top: set[str] = set()
    waits: set[str] = set()
    for name in ALL:
        data = json.loads((FIXTURES / name).read_text())
        journey = data.get("JourneyResponse", data)
        top |= set(journey)
        limits |= set(journey.get("Limits", {}))
        top |= {f"StartCondition.{k}" for k in journey.get("StartCondition", {})}
        for activity in journey["Activities"].values():
            activity_types |= set(activity) - {"Description"}
            waits |= set(activity.get("Wait", {}).get("WaitTime", {}))
            for split in ("ConditionalSplit", "MultiCondition"):
                if activity.get(split, {}).get("EvaluationWaitTime"):
                    waits.add(f"{split}.EvaluationWaitTime")
    shapes = _pinpoint_shapes()
    assert activity_types == set(shapes["Activity"]["members"]) - {"Description"}
    assert limits == set(shapes["JourneyLimits"]["members"])
    assert waits >= {"WaitFor", "WaitUntil", "ConditionalSplit.EvaluationWaitTime",
                     "MultiCondition.EvaluationWaitTime"}
    assert top >= {"QuietTime", "OpenHours", "ClosedDays", "Schedule",
                   "StartCondition.EventStartCondition", "StartCondition.SegmentStartCondition"}


# --------------------------------------------------------------------------------- importing

def _beyond_placeholders(result: Any) -> list[Any]:
    """Errors other than the scaffolded templates' placeholder text (FILL IN)."""
    return [d for d in result.diagnostics
            if d.severity == "error" and "importer's placeholder" not in d.message]


def _fill_in(journeys: Path) -> None:
    """What the marketer does next: write the messages the importer scaffolded."""
    for path in (journeys / "templates").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("FILL IN", "Written by the marketer")
        path.write_text(text, encoding="utf-8")


def _import(tmp_path: Path, name: str, **options: Any):  # type: ignore[no-untyped-def]
    out = tmp_path / "journeys"
    if not (tmp_path / "functions").exists():
        (tmp_path / "functions").symlink_to(FUNCTIONS)
    return import_file(FIXTURES / name, out, **options)


@pytest.mark.parametrize("name", ALL)
def test_every_unmapped_item_is_reported_and_commented(tmp_path: Path, name: str) -> None:
    result = _import(tmp_path, name)
    written = result.journey_path.read_text() + result.settings_path.read_text()
    for kind, marker in (("unmapped", "UNMAPPED"), ("approximated", "APPROXIMATED"),
                         ("fill_in", "FILL IN")):
        for finding in result.conversion.of(kind):
            assert f"# {marker}: {finding.message}" in written, finding
    expected_valid = name != "winback_segment.json"  # a segment start needs a trigger event
    assert (not _beyond_placeholders(result)) is expected_valid, result.diagnostics
    # Each scaffolded template is refused until its placeholder text is replaced.
    refused = {Path(d.file).name for d in result.diagnostics
               if "importer's placeholder" in d.message}
    placeholders = {p.name for p in result.templates_written
                    if "FILL IN" in "".join(line for line in p.read_text().splitlines()
                                            if not line.lstrip().startswith("#"))}
    assert refused == placeholders


def test_segment_start_says_exactly_what_to_fill_in(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import-pinpoint", str(FIXTURES / "winback_segment.json"),
                                      "--out", str(tmp_path / "journeys")])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "segment start (segment b7e1c2d3a4f5061728394a5b6c7d8e9f) has no Tact equivalent" \
        in text
    lines = (tmp_path / "journeys" / "win_back_lapsed.yaml").read_text().splitlines()
    line = lines.index("  event: FILL_IN_trigger_event") + 1
    squashed = "".join(result.output.split())
    assert f"win_back_lapsed.yaml:{line}:3:error:unknowneventtype'FILL_IN_trigger_event'" \
        in squashed
    assert "--trigger EVENT" in text
    again = CliRunner().invoke(app, ["import-pinpoint", str(FIXTURES / "winback_segment.json"),
                                     "--out", str(tmp_path / "journeys"), "--trigger",
                                     "lifecycle_changed", "--force"])
    assert again.exit_code == 1, again.output  # the scaffolded templates are still to write
    assert "error: unknown event type" not in again.output
    assert (tmp_path / "journeys" / "pinpoint" / "win_back_lapsed.settings.yaml").exists()
    _fill_in(tmp_path / "journeys")
    validate = CliRunner().invoke(app, ["validate", str(tmp_path / "journeys")])
    assert validate.exit_code == 0, validate.output


def test_bad_input_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"Name": "x", "StartActivity": "a", "Activities": {"a": '
                      '{"Wait": {"WaitTime": {"WaitFor": "P1M"}}}}}')
    result = CliRunner().invoke(app, ["import-pinpoint", str(broken), "--out",
                                      str(tmp_path / "j")])
    assert result.exit_code == 2
    assert "$.Activities.a.Wait.WaitFor: 'P1M' is not an ISO 8601 duration" in " ".join(
        result.output.split())
    not_json = tmp_path / "nope.json"
    not_json.write_text("{")
    result = CliRunner().invoke(app, ["import-pinpoint", str(not_json)])
    assert result.exit_code == 2 and "not JSON" in result.output
    bad_map = CliRunner().invoke(app, ["import-pinpoint", str(broken), "--event-map", "x"])
    assert bad_map.exit_code == 2


def test_existing_journey_is_not_overwritten(tmp_path: Path) -> None:
    _import(tmp_path, "abandoned_cart.json")
    with pytest.raises(Exception, match="exists; pass --force"):
        _import(tmp_path, "abandoned_cart.json")


@pytest.mark.parametrize(("text", "expected"), [
    ("PT2H", "2h"), ("P1D", "1d"), ("P1DT12H", "1d12h"), ("PT30M", "30m"), ("P2W", "2w"),
    ("PT90S", "1m30s")])
def test_iso_durations(text: str, expected: str) -> None:
    assert iso_duration(text, "$") == expected


def test_event_map_and_unknown_events(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "abandoned_cart.json").read_text())
    data["JourneyResponse"]["StartCondition"]["EventStartCondition"]["EventFilter"][
        "Dimensions"]["EventType"]["Values"] = ["basket_touched"]
    source = tmp_path / "custom.json"
    source.write_text(json.dumps(data))
    out = tmp_path / "journeys"
    unknown = import_file(source, out)
    assert not unknown.valid
    assert any("basket_touched" in f.message for f in unknown.conversion.of("fill_in"))
    mapped = import_file(source, out, event_map={"basket_touched": "cart_updated"}, force=True)
    assert not _beyond_placeholders(mapped), mapped.diagnostics


# ------------------------------------------------------------------------------- behaviour

def _profile(cid: str, at: str, **data: Any) -> dict[str, Any]:
    return {"id": f"{cid}-profile", "type": "customer_updated", "customer_id": cid, "time": at,
            "data": {"email": f"{cid}@example.com", **data}}


def _consent(cid: str, at: str, channel: str = "email") -> dict[str, Any]:
    return {"id": f"{cid}-consent-{channel}", "type": "consent_changed", "customer_id": cid,
            "time": at, "data": {"channel": channel, "purpose": "marketing", "granted": True}}


def _simulate(root: Path, events: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    _fill_in(root)
    assert not load_project(root).errors
    return Simulation(root, store="memory", functions_dir=FUNCTIONS).run(events)


def _sent(report: Any) -> dict[str, list[tuple[str, str, str]]]:
    by_customer: dict[str, list[tuple[str, str, str]]] = {}
    for m in report.messages:
        by_customer.setdefault(m["customer_id"], []).append((m["sent_at"], m["step"],
                                                             m["channel"]))
    return by_customer


def _cart(cid: str, at: str, value: float, n: int = 1) -> dict[str, Any]:
    return {"id": f"{cid}-cart-{n}", "type": "cart_updated", "customer_id": cid, "time": at,
            "data": {"cart_id": f"k-{cid}", "value": value, "currency": "EUR",
                     "items": [{"sku": "T", "name": "Tee", "price": value, "quantity": 1}]}}


def _purchase(cid: str, at: str, currency: str = "EUR", category: str = "tees",
              n: int = 1) -> dict[str, Any]:
    return {"id": f"{cid}-order-{n}", "type": "purchase_completed", "customer_id": cid,
            "time": at, "data": {"order_id": f"o-{cid}-{n}", "value": 40, "currency": currency,
                                 "items": [{"sku": "S", "name": "Item", "category": category,
                                            "price": 40, "quantity": 1}]}}


def test_abandoned_cart_behaves_as_in_pinpoint(tmp_path: Path) -> None:
    """Wait 2 h, email, wait 1 day, email; only carts >= 20; a purchase stops it."""
    root = _import(tmp_path, "abandoned_cart.json").journey_path.parent
    t0 = "2026-11-02T07:00:00Z"
    events = []
    for cid in ("ann", "ben", "cat"):
        events += [_profile(cid, t0), _consent(cid, t0)]
    events += [_cart("ann", "2026-11-02T09:00:00Z", 30), _cart("ben", "2026-11-02T09:00:00Z", 10),
               _cart("cat", "2026-11-02T09:00:00Z", 45), _purchase("cat", "2026-11-02T10:00:00Z")]
    sent = _sent(_simulate(root, events))
    assert sent["ann"] == [("2026-11-02T11:00:00Z", "reminder1", "email"),
                           ("2026-11-03T11:00:00Z", "reminder2", "email")]
    assert "ben" not in sent and "cat" not in sent


def test_abandoned_cart_quiet_time_defers_to_morning(tmp_path: Path) -> None:
    root = _import(tmp_path, "abandoned_cart.json").journey_path.parent
    t0 = "2026-11-02T07:00:00Z"
    events = [_profile("dan", t0, timezone="Europe/Berlin"), _consent("dan", t0),
              _cart("dan", "2026-11-02T19:30:00Z", 30)]  # +2 h = 22:30 Berlin: quiet
    sent = _sent(_simulate(root, events))
    assert sent["dan"][0] == ("2026-11-03T07:00:00Z", "reminder1", "email")  # 08:00 Berlin


def test_welcome_holdout_and_account_split(tmp_path: Path) -> None:
    """10% holdout get nothing; after 1 h, account holders get the login email, the others
    the registration SMS."""
    root = _import(tmp_path, "welcome.json").journey_path.parent
    t0 = "2026-11-02T07:00:00Z"
    events = []
    for i in range(40):
        cid = f"w{i:02d}"
        has_account = i % 2 == 0
        events += [_profile(cid, t0, phone=f"+4915100000{i:02d}"), _consent(cid, t0),
                   _consent(cid, t0, "sms"),
                   {"id": f"{cid}-signup", "type": "signup", "customer_id": cid,
                    "time": "2026-11-02T10:00:00Z", "data": {"has_account": has_account}}]
    sent = _sent(_simulate(root, events))
    held = [f"w{i:02d}" for i in range(40) if in_holdout("welcome", f"w{i:02d}", 0.1)]
    assert held, "expected someone in a 10% holdout of 40"
    for i in range(40):
        cid = f"w{i:02d}"
        if cid in held:
            assert cid not in sent
        elif i % 2 == 0:
            assert sent[cid] == [("2026-11-02T11:00:00Z", "login_email", "email")]
        else:
            assert sent[cid] == [("2026-11-02T11:00:00Z", "register_sms", "sms")]


@pytest.fixture
def push_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Push endpoints are accepted only for the configured platform application (issue 13)."""
    monkeypatch.setenv("TACT_PUSH_PLATFORM_APPLICATION_ARN",
                       "arn:aws:sns:us-east-1:123456789012:app/GCM/app")
    runtime.reset()
    yield
    monkeypatch.delenv("TACT_PUSH_PLATFORM_APPLICATION_ARN")
    runtime.reset()  # no cached configuration outlives the test


@pytest.mark.usefixtures("push_app")
def test_winback_multi_condition_branches(tmp_path: Path) -> None:
    """Segment start replaced by lifecycle_changed; 1 h later: 5+ orders -> VIP email,
    shoe lovers -> push, everyone else -> generic email; open hours 09-20 respected."""
    root = _import(tmp_path, "winback_segment.json", trigger="lifecycle_changed")\
        .journey_path.parent
    t0 = "2026-06-01T07:00:00Z"
    events = [_profile("vip", t0), _consent("vip", t0), _profile("shoe", t0,
              push_endpoint="arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/1"),
              _consent("shoe", t0, "push"), _profile("gen", t0), _consent("gen", t0)]
    events += [_purchase("vip", f"2026-06-0{n + 1}T12:00:00Z", n=n) for n in range(5)]
    events += [_purchase("shoe", "2026-06-01T12:00:00Z", category="shoes"),
               _purchase("gen", "2026-06-01T12:00:00Z")]
    for cid in ("vip", "shoe", "gen"):
        events.append({"id": f"{cid}-lapsed", "type": "lifecycle_changed", "customer_id": cid,
                       "time": "2026-11-02T18:30:00Z",
                       "data": {"stage": "lapsed", "previous": "active"}})
    sent = _sent(_simulate(root, events))
    # 19:30 UTC evaluation is before 20:00 (UTC default zone): sent at once
    assert sent["vip"] == [("2026-11-02T19:30:00Z", "vip_email", "email")]
    assert sent["shoe"] == [("2026-11-02T19:30:00Z", "shoes_push", "push")]
    assert sent["gen"] == [("2026-11-02T19:30:00Z", "generic_email", "email")]


def test_cross_sell_random_split_and_shared_tail(tmp_path: Path) -> None:
    """EUR purchases only; 50/50 deterministic variants; both variants meet again at the
    7-day wait and the review webhook."""
    root = _import(tmp_path, "cross_sell_ab.json").journey_path.parent
    t0 = "2026-11-02T07:00:00Z"
    events = []
    for i in range(24):
        cid = f"x{i:02d}"
        events += [_profile(cid, t0), _consent(cid, t0), _consent(cid, t0, "webhook"),
                   _purchase(cid, "2026-11-02T10:00:00Z", currency="USD" if i < 4 else "EUR")]
    sent = _sent(_simulate(root, events))
    variants = set()
    for i in range(24):
        cid = f"x{i:02d}"
        if i < 4:
            assert cid not in sent
            continue
        variant = pick([50, 50], bucket_position("cross_sell_a_b", "tone", cid))
        variants.add(variant)
        first, second = ("email_a", "review_hook") if variant == 0 else ("email_b",
                                                                         "review_hook_2")
        assert sent[cid] == [("2026-11-02T10:00:00Z", first, "email"),
                             ("2026-11-09T10:00:00Z", second, "webhook")]
    assert variants == {0, 1}


def test_checkout_wait_until_contact_center_and_mid_journey_holdout(tmp_path: Path) -> None:
    """Wait until 3 Nov 09:00 UTC, email; the call is skipped; 20% held out; the rest get the
    SMS 25 h later (the email-open condition cannot be imported, so its branch is never taken);
    a purchase before the date means nothing is sent."""
    root = _import(tmp_path, "checkout_contact_center.json").journey_path.parent
    t0 = "2026-11-02T07:00:00Z"
    events = []
    for i in range(20):
        cid = f"k{i:02d}"
        events += [_profile(cid, t0, phone=f"+4915200000{i:02d}"), _consent(cid, t0),
                   _consent(cid, t0, "sms"),
                   {"id": f"{cid}-checkout", "type": "checkout_started", "customer_id": cid,
                    "time": "2026-11-02T10:00:00Z", "data": {"cart_id": f"c-{cid}",
                                                            "value": 50}}]
    events.append(_purchase("k00", "2026-11-02T20:00:00Z"))
    sent = _sent(_simulate(root, events))
    assert "k00" not in sent
    held = 0
    for i in range(1, 20):
        cid = f"k{i:02d}"
        email = ("2026-11-03T09:00:00Z", "help_email", "email")
        if pick([20, 80], bucket_position("checkout_help", "hold", cid)) == 0:
            held += 1
            assert sent[cid] == [email]
        else:
            assert sent[cid] == [email, ("2026-11-04T10:00:00Z", "nudge_sms", "sms")]
    assert 0 < held < 19


def test_first_purchase_wait_for(tmp_path: Path) -> None:
    """Did they buy within 3 days? yes -> thanks at once; no -> incentive after 3 days."""
    root = _import(tmp_path, "first_purchase.json").journey_path.parent
    t0 = "2026-11-02T07:00:00Z"
    events = []
    for cid in ("buyer", "browser"):
        events += [_profile(cid, t0), _consent(cid, t0),
                   {"id": f"{cid}-signup", "type": "signup", "customer_id": cid,
                    "time": "2026-11-02T10:00:00Z", "data": {}}]
    events.append(_purchase("buyer", "2026-11-03T12:00:00Z"))
    sent = _sent(_simulate(root, events))
    assert sent["browser"] == [("2026-11-05T10:00:00Z", "incentive", "email")]
    if "wait_for" in STEP_KINDS:
        assert sent["buyer"] == [("2026-11-03T12:00:00Z", "thanks", "email")]
    else:  # the journey language has no wait_for here: the condition is reported, never met
        assert sent["buyer"] == [("2026-11-05T10:00:00Z", "incentive", "email")]

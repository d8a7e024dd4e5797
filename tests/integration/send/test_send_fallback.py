"""Channel preference with fallback: a customer who prefers SMS but gave no SMS consent gets
the email, and the simulate report says why. Runs ``tact simulate``'s Simulation (moto,
compiled state machine, real handlers) on a copy of the journeys with ``channel: preferred``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tact.local.simulator import Simulation
from tests.support.paths import ROOT
from tests.support.sendkit import T0, cart, consent, copy_journeys, edit, profile


def preferred_channel_journeys(tmp_path: Path) -> Path:
    journeys = copy_journeys(tmp_path / "journeys")
    edit(journeys / "abandoned_cart.yaml",
         "send: {id: reminder_1, channel: email, template: cart_reminder_1}",
         "send: {id: reminder_1, channel: preferred, fallback: [sms, email], "
         "template: cart_reminder_1}")
    template = journeys / "templates" / "cart_reminder_1.yaml"
    template.write_text(template.read_text(encoding="utf-8")
                        + 'sms:\n  text: "Your cart is saved. Reply STOP to opt out."\n',
                        encoding="utf-8")
    return journeys


def simulate(journeys: Path, events: list[dict[str, Any]]) -> Any:
    return Simulation(journeys, functions_dir=ROOT / "functions").run(events)


def test_prefers_sms_without_sms_consent_gets_email_and_report_says_why(tmp_path: Path) -> None:
    report = simulate(preferred_channel_journeys(tmp_path), [
        profile("ana", T0, phone="+4915112345678", preferred_channel="sms"),
        consent("ana", "email", "marketing", True, T0),
        cart("ana", T0),
    ])
    first = next(m for m in report.messages if m["step"] == "reminder_1")
    assert first["channel"] == "email"
    assert first["notes"] == "sms: no_consent"
    line = next(t for t in report.timeline if t.what == "sent" and t.step == "reminder_1")
    assert line.detail == "email cart_reminder_1 (fallback: sms: no_consent)"


def test_prefers_sms_without_a_phone_number_gets_email(tmp_path: Path) -> None:
    report = simulate(preferred_channel_journeys(tmp_path), [
        profile("ana", T0, preferred_channel="sms"),
        consent("ana", "email", "marketing", True, T0),
        consent("ana", "sms", "marketing", True, T0),
        cart("ana", T0),
    ])
    first = next(m for m in report.messages if m["step"] == "reminder_1")
    assert (first["channel"], first["notes"]) == ("email", "sms: no_address")


def test_no_usable_channel_is_not_sent_with_every_reason(tmp_path: Path) -> None:
    report = simulate(preferred_channel_journeys(tmp_path), [
        profile("ana", T0, phone="+4915112345678", preferred_channel="sms"),
        cart("ana", T0),
    ])
    (not_sent,) = [s for s in report.suppressed if s["step"] == "reminder_1"]
    assert not_sent["reason"] == "no_consent"
    assert not_sent["detail"] == "sms: no_consent; email: no_consent"


def test_prefers_sms_with_consent_gets_sms_in_the_local_outbox(tmp_path: Path) -> None:
    simulation = Simulation(preferred_channel_journeys(tmp_path), functions_dir=ROOT / "functions")
    report = simulation.run([
        profile("ana", T0, phone="+4915112345678", preferred_channel="sms"),
        consent("ana", "sms", "marketing", True, T0),
        cart("ana", T0),
    ])
    first = next(m for m in report.messages if m["step"] == "reminder_1")
    assert first["channel"] == "sms" and "notes" not in first
    # moto has no End User Messaging: locally the SMS lands in the simulation's outbox.
    (sms,) = simulation.outbox.sent
    assert (sms.address, sms.content["text"]) == ("+4915112345678",
                                                  "Your cart is saved. Reply STOP to opt out.")

"""One customer's fate in a broadcast, decided the way the send path decides it.

The order is the send path's: segment, holdout, then channel choice (suppression, address,
consent, a template part for the channel), then frequency caps at the wave's instant. The
plan (dry run) and the scan that builds the deployed audience both use it, so what the plan
says is what the send path will do with the same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tact.broadcast.model import Broadcast
from tact.broadcast.segment import SegmentMatcher
from tact.broadcast.waves import Wave, wave_for, zone_of
from tact.customer import CustomerState
from tact.journey.settings import Settings
from tact.journey_steps.buckets import in_holdout
from tact.sending.policy import candidates, cap_writes, choose_channel

Outcome = Literal["send", "excluded", "outside"]
HOLDOUT_SALT = "holdout"  # the same bucket a journey's holdout uses: (id, "holdout", customer)


@dataclass(frozen=True)
class Fate:
    outcome: Outcome  # outside: not in the segment
    wave: Wave | None = None
    channel: str | None = None
    reason: str | None = None  # why excluded: holdout, no_consent, suppressed, no_address, ...


def in_control_group(broadcast: Broadcast, customer_id: str) -> bool:
    return broadcast.holdout > 0 and in_holdout(broadcast.id, customer_id, broadcast.holdout)


def member_wave(broadcast: Broadcast, segment: SegmentMatcher, state: CustomerState,
                settings: Settings) -> Wave | None:
    """The wave of a customer in the segment, or None when they are not in it."""
    if not segment.matches(state):
        return None
    zone = zone_of(state.attribute("timezone"), settings.default_timezone)
    return wave_for(broadcast, zone, settings)


def fate(broadcast: Broadcast, segment: SegmentMatcher, state: CustomerState,
         settings: Settings, template_channels: list[str]) -> Fate:
    wave = member_wave(broadcast, segment, state, settings)
    if wave is None:
        return Fate("outside")
    if in_control_group(broadcast, state.customer_id):
        return Fate("excluded", wave, reason="holdout")
    options = candidates(state, broadcast.send.channel, broadcast.send.fallback, settings)
    choice = choose_channel(state, options, broadcast.purpose, template_channels)
    if choice.channel is None:
        return Fate("excluded", wave, reason=choice.reason or "no_address")
    if cap_writes(state, settings, broadcast.purpose, choice.channel, wave.at) is None:
        return Fate("excluded", wave, choice.channel, "frequency_cap")
    return Fate("send", wave, choice.channel)

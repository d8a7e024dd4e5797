"""ShopEvent.envelope() is pydantic's JSON-mode dump, built directly where that is certain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tact.models.events import ShopEvent, parse_event
from tests.support.strategies import utc_offsets

scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=5)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([Decimal("1.50"), (1, 2), -0.0, 10**40]))
data = st.dictionaries(st.text(max_size=4), st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12), max_size=5)
moments = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30),
                       timezones=utc_offsets)


@settings(max_examples=300, deadline=None)
@given(moments, data, st.booleans())
def test_the_envelope_is_pydantics_json_dump(moment: datetime, values: dict[str, Any],
                                             whole_second: bool) -> None:
    if whole_second:
        moment = moment.replace(microsecond=0)
    event = ShopEvent.model_construct(id="e-1", type="cart_updated", customer_id="ana",
                                      time=moment.astimezone(UTC), data=values)
    assert repr(event.envelope()) == repr(event.model_dump(mode="json"))  # 1, 1.0, True apart


def test_a_validated_event_and_its_own_copy_of_the_data() -> None:
    event, _ = parse_event({"id": "e", "type": "cart_updated", "customer_id": "ana",
                            "time": "2026-11-02T12:49:50+02:00",
                            "data": {"cart_id": "k", "value": 60.5, "items": [{"sku": "s",
                                                                               "price": 1}]}})
    envelope = event.envelope()
    assert envelope == event.model_dump(mode="json")
    assert envelope["time"] == "2026-11-02T10:49:50Z"
    envelope["data"]["items"][0]["price"] = 2  # the caller's own copy
    assert event.data["items"][0]["price"] == 1
    later = event.model_copy(update={"time": event.time + timedelta(microseconds=5)})
    assert later.envelope()["time"] == later.model_dump(mode="json")["time"]

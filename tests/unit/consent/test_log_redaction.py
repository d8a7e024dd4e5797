"""Issue 13, security: logs are redacted by field, not by guessing at strings.

Shop order and customer numbers (9-15 digits) were rewritten to ``[phone]``, while a German
mobile number written with spaces and an internationalised email address passed through. The
Powertools logger's real output is captured."""

from __future__ import annotations

import json

import pytest

from tact import observability


@pytest.fixture
def logged(fresh_logger: None, capsys: pytest.CaptureFixture[str]) -> object:
    def last_line(message: str, **extra: object) -> dict[str, object]:
        observability.logger().info(message, extra=extra)
        out = capsys.readouterr().out
        return dict(json.loads(out.strip().splitlines()[-1]))

    return last_line


@pytest.mark.parametrize("number", ["123456789", "4711000012345", "100000000000042",
                                    "490151234567"])
def test_shop_ids_of_9_to_15_digits_pass_through_untouched(logged: object, number: str) -> None:
    line = logged("event processed", order_id=number, customer_id=number,  # type: ignore[operator]
                  event_id=f"order-{number}")
    assert (line["order_id"], line["customer_id"], line["event_id"]) == (
        number, number, f"order-{number}")


@pytest.mark.parametrize(("field", "value", "placeholder"), [
    ("phone", "0151 2345 6789", "[phone]"),
    ("phone", "+49 (0)151-2345 6789", "[phone]"),
    ("email", "jörg@müller.de", "[email]"),
    ("email", "ANA@EXAMPLE.COM", "[email]"),
    ("push_endpoint", "arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/shop/1", "[push endpoint]"),
    ("DestinationPhoneNumber", "+4915123456789", "[phone]"),
    ("ToAddresses", ["jörg@müller.de"], "[email]"),
])
def test_address_fields_are_redacted_whatever_they_look_like(
        logged: object, field: str, value: object, placeholder: str) -> None:
    line = logged("send decided", **{field: value})  # type: ignore[operator]
    assert line[field] == placeholder
    assert "6789" not in json.dumps(line) and "müller" not in json.dumps(line)


def test_address_fields_nested_in_a_record_are_redacted_too(logged: object) -> None:
    line = logged("profile", customer={"id": "4711000012345", "email": "jörg@müller.de",  # type: ignore[operator]
                                       "phone": "0151 2345 6789"})
    assert line["customer"] == {"id": "4711000012345", "email": "[email]", "phone": "[phone]"}


def test_free_text_loses_only_unmistakable_email_addresses(logged: object) -> None:
    line = logged("could not reach jörg@müller.de about order 123456789012")  # type: ignore[operator]
    assert line["message"] == "could not reach [email] about order 123456789012"
    assert str(line["timestamp"])[:4].isdigit()

"""The email check remembers accepted domains (tact.models.addresses): whatever the address,
the outcome (normalised form, or the exact error) is the one email-validator's own domain
check gives, on the first sight of a domain and on every later one."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import email_validator
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from tact.models.addresses import CHECKED_VERSIONS, remember_domains
from tact.models.events import EventError, parse_event

MODULE = importlib.import_module("email_validator.validate_email")


@pytest.fixture(autouse=True)
def remembering() -> Iterator[None]:
    assert remember_domains()
    yield


def plain_check() -> Any:
    return MODULE.validate_email_domain_name.__wrapped__


def outcome(address: str) -> tuple[Any, ...]:
    try:
        return ("accepted", validate_email(address))
    except PydanticCustomError as err:
        return ("refused", err.message(), repr(err.__cause__))


def outcome_of_plain_check(address: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    with monkeypatch.context() as patch:
        patch.setattr(MODULE, "validate_email_domain_name", plain_check())
        return outcome(address)


# Unicode a domain may hold or be refused for: dotless i, fullwidth hyphen and stops
# (mapped to "-" and "."), a ligature, a zero-width joiner, a combining accent, "1." in one.
LABEL_CHARS = st.sampled_from(
    [*"abcXYZ019-_", "\u00fc", "\u00df", "\u0130", "\u0131", "\u00e9", "\u4e2d", "\u216b",
     "\ufb01", "\u200d", "\u0301", "\u2488", "\uff0d", "\u3002", "\uff0e", "\U0001f600",
     " ", "@", "[", "%"])
LABEL = st.one_of(
    st.text(LABEL_CHARS, min_size=0, max_size=12),
    st.sampled_from(["xn--mller-kva", "xn--", "xn--zz", "ab--cd", "a" * 63, "a" * 64,
                     "B" * 70, "EXAMPLE", "-lead", "trail-", ""]),
)
SPECIAL = st.sampled_from(["test", "local", "localhost", "invalid", "onion", "arpa",
                           "example", "com", "de", "org", "co.uk", "123", "xn--p1ai"])
DOMAIN = st.one_of(
    st.builds(lambda labels, tld: ".".join([*labels, tld]),
              st.lists(LABEL, min_size=0, max_size=4), SPECIAL),
    st.text(LABEL_CHARS, max_size=30),
    st.builds(lambda n: ("a" * 60 + ".") * n + "com", st.integers(1, 6)),
    st.sampled_from(["[127.0.0.1]", "[IPv6:::1]", "müller.de", "MÜLLER.DE", "example.com.",
                     ".example.com", "ex..ample.com", "test", "Test",
                     "\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d"]),
)
LOCAL = st.one_of(
    st.from_regex(r"[A-Za-z0-9._+\-]{1,20}", fullmatch=True),
    st.sampled_from(["postmaster", "Abuse", '"quoted local"', '"a@b"', "jörg", "a..b", ".a",
                     "a" * 64, "a" * 65, "", "ᴬ", "name+tag"]),
)
ADDRESS = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN),
    st.builds(lambda local, domain: f"Ana <{local}@{domain}>", LOCAL, DOMAIN),
    st.emails(),
)


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(address=ADDRESS, other_local=LOCAL)
def test_any_address_has_the_outcome_of_the_plain_check(
        address: str, other_local: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = outcome_of_plain_check(address, monkeypatch)
    assert outcome(address) == expected  # first sight of the domain, perhaps
    assert outcome(address) == expected  # remembered now, if accepted
    # Another address on the same domain: the domain's verdict is reused.
    neighbour = f"{other_local}@{address.rpartition('@')[2]}"
    assert outcome(neighbour) == outcome_of_plain_check(neighbour, monkeypatch)


def test_an_edited_special_use_list_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    assert outcome("ana@shop.acme-mail.io")[0] == "accepted"
    monkeypatch.setattr(email_validator, "SPECIAL_USE_DOMAIN_NAMES",
                        [*email_validator.SPECIAL_USE_DOMAIN_NAMES, "acme-mail.io"])
    refused = outcome("ana@shop.acme-mail.io")
    assert refused[0] == "refused" and "special-use or reserved name" in refused[1]
    assert refused == outcome_of_plain_check("ana@shop.acme-mail.io", monkeypatch)


@pytest.mark.parametrize("first", [False, True])
def test_the_test_environment_flag_is_honoured_either_way(
        first: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    for test_environment in (first, not first):
        monkeypatch.setattr(email_validator, "TEST_ENVIRONMENT", test_environment)
        for address in ("ana@test", "ana@shop.test"):
            assert outcome(address) == outcome_of_plain_check(address, monkeypatch)
            assert (outcome(address)[0] == "accepted") is test_environment


def test_a_caller_cannot_spoil_the_remembered_domain() -> None:
    first = MODULE.validate_email_domain_name("shop.example.com")
    first["domain"] = "spoiled.example.com"
    assert MODULE.validate_email_domain_name("shop.example.com")["domain"] == "shop.example.com"


def test_an_event_refused_for_its_domain_has_email_validators_reason_each_time() -> None:
    raw = {"id": "e1", "type": "signup", "customer_id": "c1", "time": "2026-01-01T00:00:00Z",
           "data": {"email": "ana@shop.local"}}
    reasons = []
    for _ in range(2):
        with pytest.raises(EventError) as refused:
            parse_event(raw)
        reasons.append(refused.value.reason)
    assert reasons[0] == reasons[1]
    assert reasons[0].startswith("data.email: value is not a valid email address: The part "
                                 "after the @-sign is a special-use or reserved name")


def test_the_locked_email_validator_is_one_whose_domain_check_was_read() -> None:
    # Fails on an upgrade: read validate_email_domain_name again (is it still a pure function
    # of the domain, its flags and SPECIAL_USE_DOMAIN_NAMES?), then add the version.
    assert email_validator.__version__ in CHECKED_VERSIONS
    assert getattr(MODULE.validate_email_domain_name, "__wrapped__", None) is not None

"""The email check of shop events: pydantic's (email-validator, no DNS look-up), with the
check of the part after the @-sign remembered per domain.

Every customer has an address of their own, but a shop's customers share a few domains, and
the domain half of the check is the costly one (UTS-46 mapping, IDNA). email-validator's
domain check is a pure function of the domain, its two flags and the package's
``SPECIAL_USE_DOMAIN_NAMES`` (read at each call, so part of the key): a domain it accepted
once is accepted again with the same normalised forms. A refused domain is checked afresh
every time (exceptions are not remembered), so each reason is email-validator's own, and the
order of its checks (local part first, length last) is untouched.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from pydantic.networks import validate_email

# The versions whose domain check was read and found pure; another version keeps the plain
# check (slower, never different) until someone reads it again.
CHECKED_VERSIONS = ("2.4.0",)
_MEMO_MARK = "_tact_remembers_domains"


@lru_cache(maxsize=16_384)  # a few MB at most; a backtest part's customers all fit
def checked_email(value: str) -> str:
    """pydantic's email check and its normalised form, remembered per address: every event of
    a customer may carry the same address (a backtest checks each event twice: when it sorts
    the history, and in the handler). A refused address raises pydantic's own error each
    time (exceptions are not cached)."""
    remember_domains()
    return validate_email(value)[1]


@cache
def remember_domains() -> bool:
    """Put a remembering domain check where email-validator's ``validate_email`` looks it up
    (once per process); whether it is in place."""
    package = importlib.import_module("email_validator")
    # The submodule, not the package's attribute of the same name (that is the function).
    module: Any = importlib.import_module("email_validator.validate_email")
    check = module.validate_email_domain_name
    if getattr(check, _MEMO_MARK, False):
        return True
    if package.__version__ not in CHECKED_VERSIONS:
        return False
    module.validate_email_domain_name = _remembering(check, package)
    return True


def _remembering(check: Callable[..., dict[str, Any]], package: Any) -> Callable[..., Any]:
    @lru_cache(maxsize=4_096)
    def accepted(domain: str, test_environment: bool, globally_deliverable: bool,
                 special_use: tuple[str, ...]) -> dict[str, Any]:
        return check(domain, test_environment=test_environment,
                     globally_deliverable=globally_deliverable)

    def domain_check(domain: str, test_environment: bool = False,
                     globally_deliverable: bool = True) -> dict[str, Any]:
        # A copy: the caller gets a dict of its own, as from the plain check.
        return dict(accepted(domain, test_environment, globally_deliverable,
                             tuple(package.SPECIAL_USE_DOMAIN_NAMES)))

    setattr(domain_check, _MEMO_MARK, True)
    domain_check.__wrapped__ = check  # type: ignore[attr-defined]
    return domain_check

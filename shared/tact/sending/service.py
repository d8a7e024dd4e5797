"""Send one journey step to one customer: at most once, only with consent, never over a cap.

Happy path: one Query (the customer's whole partition) and one conditional transaction
(cap reservation + message record, plus condition checks that what was read still holds:
consent, suppression, the entry and its exit events; see ``rechecks``). The record is
written *before* the provider call, so a retried or duplicated invocation finds it and sends
nothing again; a withdrawal or exit landing between the read and the transaction fails it,
and the send decides again on a fresh read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tact import clock
from tact.customer import CustomerState
from tact.journey.bundle import Bundle
from tact.sending.channels import (
    ChannelSender,
    Outbound,
    ProviderRejected,
    ProviderTransientError,
    ProviderUnknownOutcome,
)
from tact.sending.models import SendRequest, SendResult
from tact.sending.policy import candidates, cap_writes, choose_channel, exit_reason
from tact.sending.quiet_hours import next_allowed
from tact.sending.rechecks import read_checks
from tact.store import items
from tact.store.base import ConditionFailed, CustomerStore, Delete, Put, Write
from tact.store.items import address_fingerprint, suppression
from tact.store.keys import msg_key
from tact.templates import TemplateError, render_message

MAX_RACES = 5  # concurrent sends for one customer re-read and decide again this often


@dataclass
class SendDeps:
    store: CustomerStore
    bundle: Bundle
    senders: Callable[[str], ChannelSender]
    links: Callable[[str, str, str], dict[str, str]]  # customer, channel, purpose -> urls


def send_step(request: SendRequest, deps: SendDeps) -> SendResult:
    for _ in range(MAX_RACES):
        now = clock.now()
        state = CustomerState.from_items(request.customer_id,
                                         deps.store.read_customer(request.customer_id, now))
        recorded = state.messages.get(msg_key(request.execution, request.step))
        if recorded is not None:
            return _result_from_record(recorded)  # a retry or duplicate: the first outcome
        decision = _decide(request, state, deps, now)
        if isinstance(decision, SendResult):
            if decision.status == "deferred":
                deps.store.write(request.customer_id, [Put(_deferral(request, decision, now,
                                                                     deps))])
            return decision
        record, writes, outbound = decision
        try:
            deps.store.write(request.customer_id, writes)
        except ConditionFailed:
            # Another send for this customer won the race (a cap counter moved, or this very
            # step was recorded by a duplicate invocation), or a withdrawal, suppression or
            # exit landed since the read: read again and decide on fresh data.
            continue
        if outbound is None:
            return _result_from_record(record)
        return _dispatch(request, deps, record, writes, outbound)
    raise ProviderTransientError("too many concurrent sends for one customer; retry")


Plan = tuple[dict[str, Any], list[Write], Outbound | None]


def _decide(request: SendRequest, state: CustomerState, deps: SendDeps,
            now: datetime) -> SendResult | Plan:
    settings = deps.bundle.settings
    at = clock.iso(now)

    def suppress(reason: str, channel: str | None = None, notes: list[str] | None = None,
                 detail: str = "") -> Plan:
        # Not sent, and why: recorded like a message, so "why not?" has an answer and a
        # retried invocation returns this same outcome.
        record = _record(request, now, settings.message_log_ttl, status="suppressed",
                         channel=channel, reason=reason, notes=notes or [], detail=detail)
        return record, [Put(record, expect="absent")], None

    exited = exit_reason(state, request.exit_on, request.trigger, request.entered_at,
                         request.journey)
    if exited:
        return suppress("exited", detail=exited)
    template = deps.bundle.templates.get(request.template)
    if template is None:
        return suppress("no_template", detail=request.template)
    options = candidates(state, request.channel, request.fallback, settings)
    choice = choose_channel(state, options, request.purpose, template.channels())
    if choice.channel is None:
        return suppress(choice.reason or "no_address", notes=choice.notes)
    if request.purpose == "marketing":
        zone = state.attribute("timezone") or settings.default_timezone
        resume = next_allowed(now, settings.quiet_hours, zone)
        if resume is not None:
            return SendResult(status="deferred", channel=choice.channel, at=at,
                              resume_at=clock.iso(resume))
    caps = cap_writes(state, settings, request.purpose, choice.channel, now)
    if caps is None:
        return suppress("frequency_cap", channel=choice.channel, notes=choice.notes)
    links = deps.links(request.customer_id, choice.channel, request.purpose)
    context = _template_context(state, request, links)
    locale, parts = template.for_locale(state.attribute("locale"))
    try:
        content = render_message(parts, choice.channel, context, locale)
    except TemplateError as err:
        return suppress("render_error", channel=choice.channel, detail=str(err))
    record = _record(request, now, settings.message_log_ttl, status="sent",
                     channel=choice.channel, notes=choice.notes, locale=locale)
    # One-click unsubscribe headers belong on marketing mail only: a click on a receipt must
    # not switch off order confirmations.
    unsubscribe = links.get("unsubscribe") if request.purpose == "marketing" else None
    outbound = Outbound(choice.channel, str(choice.address), content, request.customer_id,
                        request.journey, request.step, unsubscribe,
                        purpose=request.purpose, key=record["sk"])
    checks = read_checks(state, choice.channel, request.purpose, request.journey,
                         request.execution, request.exit_on)
    return record, [Put(record, expect="absent"), *caps, *checks], outbound


def _dispatch(request: SendRequest, deps: SendDeps, record: dict[str, Any],
              writes: list[Write], outbound: Outbound) -> SendResult:
    try:
        sender = deps.senders(outbound.channel)
    except Exception:
        _release(request, deps, record, writes)  # no provider was called: nothing left
        raise
    try:
        message_id = sender.send(outbound)
    except ProviderTransientError:
        # Nothing left: release the reservation so the state machine's retry can send.
        _release(request, deps, record, writes)
        raise
    except ProviderUnknownOutcome as err:
        _amend(request, deps, record, status="unknown", detail=str(err))
        return _result_from_record({**record, "status": "unknown"})
    except ProviderRejected as err:
        extra: list[Write] = []
        if err.suppress:
            # The customer opted out at the provider (SMS STOP) or the device is gone: never
            # use this address again, like an SES bounce does for email.
            extra.append(Put(provider_suppression(outbound, err.code, record["at"])))
        _amend(request, deps, record, extra, status="suppressed", reason="rejected",
               detail=str(err))
        return _result_from_record({**record, "status": "suppressed", "reason": "rejected"})
    except Exception as err:
        # Not a clear answer (a sender that is not ours, or a failure we do not know): it may
        # have delivered, so it is an unknown outcome, never a "sent" and never re-sent.
        _amend(request, deps, record, status="unknown", detail=type(err).__name__)
        return _result_from_record({**record, "status": "unknown"})
    return _result_from_record(record, message_id)


def provider_suppression(outbound: Outbound, code: str, at: str) -> dict[str, Any]:
    entry = {"reason": code, "detail": code, "at": at, "journey": outbound.journey,
             "step": outbound.step}
    return suppression(outbound.channel, "provider", entry, [entry],
                       address_hash=address_fingerprint(outbound.address))


def _release(request: SendRequest, deps: SendDeps, record: dict[str, Any],
             writes: list[Write]) -> None:
    undo: list[Write] = [Delete(record["sk"], expect="present")]
    for write in writes[1:]:
        if isinstance(write, Put):
            sends = list(write.item["sends"])[:-1]
            undo.append(Put(items.next_version(write.item, sends=sends),
                            expect=write.item["version"]))
    try:
        deps.store.write(request.customer_id, undo)
    except ConditionFailed:
        # A concurrent send changed the counters; keeping the reservation errs toward fewer
        # messages, but the record must go so the retry is not mistaken for a duplicate.
        deps.store.write(request.customer_id, [Delete(record["sk"])])


def _amend(request: SendRequest, deps: SendDeps, record: dict[str, Any],
           extra: list[Write] | None = None, **changes: Any) -> None:
    deps.store.write(request.customer_id,
                     [Put({**record, **changes}, expect="present"), *(extra or [])])


def _record(request: SendRequest, now: datetime, ttl_seconds: int, *, status: str,
            channel: str | None, reason: str | None = None, notes: list[str] | None = None,
            detail: str = "", locale: str | None = None) -> dict[str, Any]:
    return items.message(
        execution=request.execution, step=request.step, now=now, ttl_seconds=ttl_seconds,
        status=status, journey=request.journey, version=request.version,
        template=request.template, purpose=request.purpose,
        channel=channel, reason=reason, notes=notes or [], detail=detail,
        locale=locale)  # the template part sent: a locale tag, or "default"


def _deferral(request: SendRequest, result: SendResult, now: datetime,
              deps: SendDeps) -> dict[str, Any]:
    """Quiet hours held a send back: on the customer's log, so analytics can count it."""
    return items.timed_step_log(
        kind="deferred", tail="deferred", journey=request.journey, execution=request.execution,
        step=request.step, reason=f"quiet hours; resumes {result.resume_at}", at=result.at,
        now=now, ttl_seconds=deps.bundle.settings.message_log_ttl, version=request.version,
        channel=result.channel)


def _result_from_record(record: dict[str, Any], message_id: str | None = None) -> SendResult:
    return SendResult(status=record["status"], channel=record.get("channel"),
                      reason=record.get("reason"), at=record["at"],
                      notes=list(record.get("notes") or []), message_id=message_id)


def _template_context(state: CustomerState, request: SendRequest,
                      links: dict[str, str]) -> dict[str, Any]:
    from tact.expressions import context_for, freshness_of

    context = context_for(request.trigger, state.attributes(), freshness_of(state))
    context["links"] = links
    return context

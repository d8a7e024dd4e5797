"""Wiring for the Lambda functions: each dependency built once per process, on first use.

Each builder imports its feature's modules itself, so a handler that imports this module pays
only for the wiring it uses (the send function never loads ingest or broadcast code).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from tact import clock, secrets
from tact.config import runtime_config

if TYPE_CHECKING:
    from tact.analytics.stream import FirehoseDecisions
    from tact.broadcast.service import AudienceDeps
    from tact.ingest.orchestrator import Orchestrator
    from tact.ingest.service import IngestDeps
    from tact.journey.bundle import Bundle
    from tact.journey_steps.decide import DecideDeps
    from tact.preferences.service import PreferencesDeps
    from tact.recommend.profile_scores import ModelSource
    from tact.sending.channels import ChannelSender
    from tact.sending.service import SendDeps
    from tact.store.base import CustomerStore

_overrides: dict[str, Any] = {}


def override(**parts: Any) -> None:
    """Replace a dependency (``store=``, ``orchestrator=``, ``channel_sender=`` a function of the
    channel, ``dead_letter=``, ``retry_delay=``, ``model=`` a model source) for local runs on
    the fast store, where no AWS API is reachable."""
    _overrides.update(parts)


@cache
def store() -> CustomerStore:
    if "store" in _overrides:
        return cast("CustomerStore", _overrides["store"])
    from tact.store.dynamodb import DynamoStore

    return DynamoStore(runtime_config().table_name)


def bundle() -> Bundle:
    return _bundle_loader()(runtime_config().bundle_path)


# Builders called for every invocation reach their feature's module through these, imported
# once: an import statement in the builder costs about 0.5 us on every call.
@cache
def _bundle_loader() -> Callable[[str], Bundle]:
    from tact.journey.bundle import load_bundle

    return load_bundle


@cache
def _ingest_deps_class() -> type[IngestDeps]:
    from tact.ingest.service import IngestDeps

    return IngestDeps


@cache
def orchestrator() -> Orchestrator:
    if "orchestrator" in _overrides:
        return cast("Orchestrator", _overrides["orchestrator"])
    from tact.ingest.orchestrator import StepFunctionsOrchestrator

    config = runtime_config()
    return StepFunctionsOrchestrator(config.state_machine_prefix, config.state_machine_alias)


@cache
def channel_sender(channel: str) -> ChannelSender:
    if "channel_sender" in _overrides:
        senders = cast("Callable[[str], ChannelSender]", _overrides["channel_sender"])
        return senders(channel)
    from tact.sending.channels import SesEmail

    settings = bundle().settings
    if channel == "email":
        sender = settings.senders.email
        config_set = runtime_config().email_configuration_set or sender.configuration_set
        return SesEmail(sender.from_address, config_set, sender.reply_to)
    return _other_sender(channel)


def _other_sender(channel: str) -> ChannelSender:
    from tact.sending import channels

    config = runtime_config()
    if channel == "sms":
        return channels.EndUserMessagingSms(config.sms_origination_identity,
                                            config.sms_configuration_set)
    if channel == "push":
        return channels.SnsPush(platform_application_arn=config.push_platform_application_arn)
    if channel == "webhook" and config.webhook_url:
        return channels.SignedWebhook(config.webhook_url,
                                      config.webhook_secret.get_secret_value().encode())
    raise NotImplementedError(f"channel {channel!r} is not configured")


def links(customer_id: str, channel: str, purpose: str) -> dict[str, str]:
    from tact.tokens import sign

    config = runtime_config()
    key, now = secrets.signing_key(), clock.now()
    # Two tokens: the one-click link can only withdraw this channel and purpose; the
    # preferences link opens the customer's whole page.
    unsubscribe = sign(key, customer_id, channel, purpose, now, action="unsubscribe")
    preferences = sign(key, customer_id, channel, purpose, now, action="preferences")
    base = config.public_url.rstrip("/")
    return {"unsubscribe": f"{base}/unsubscribe/{unsubscribe}",
            "preferences": f"{base}/preferences/{preferences}"}


def send_deps() -> SendDeps:
    from tact.sending.service import SendDeps

    return SendDeps(store(), bundle(), channel_sender, links)


def audience_deps() -> AudienceDeps:
    from tact.broadcast.service import AudienceDeps

    return AudienceDeps(store(), bundle())


def preferences_deps() -> PreferencesDeps:
    from tact.preferences.service import PreferencesDeps

    return PreferencesDeps(store(), secrets.key_ring())


def suppression_deps() -> CustomerStore:
    return store()


def decide_deps() -> DecideDeps:
    from tact.journey_steps.decide import DecideDeps

    return DecideDeps(store(), bundle())


@cache
def model() -> ModelSource | None:
    """The next-best/propensity model ingest applies (None: not configured)."""
    if "model" in _overrides:
        return cast("ModelSource | None", _overrides["model"])
    config = runtime_config()
    if not config.model_bucket:
        return None
    from tact.recommend.source import S3ModelSource

    return S3ModelSource(config.model_bucket, config.model_prefix,
                         config.model_refresh_seconds)


@cache
def decision_stream() -> FirehoseDecisions:
    """Where the decisions function delivers decision records: the Firehose stream."""
    from tact.analytics.stream import FirehoseDecisions

    return FirehoseDecisions(runtime_config().decision_stream_name)


def ingest_deps() -> IngestDeps:
    return _ingest_deps_class()(store(), bundle(), orchestrator(), model())


def reset() -> None:
    """Forget everything built from the environment (the simulator switches worlds)."""
    from tact import aws
    from tact.config import runtime_config as config
    from tact.journey.bundle import load_bundle
    from tact.sending.channels import provider_client

    _overrides.clear()
    for cached in (store, orchestrator, channel_sender, config, load_bundle, provider_client,
                   secrets.key_ring, model, decision_stream):
        cached.cache_clear()
    aws.reset()


def local_retry_delay() -> Callable[[str, str, int], None] | None:
    """Local runs' stand-in for the ingest backoff (``retry_delay=``: their queue redelivers on
    the virtual clock), or None where the real queue's visibility is changed."""
    return cast("Callable[[str, str, int], None] | None", _overrides.get("retry_delay"))


def dead_letter(body: str, reason: str) -> None:
    """Park an event that can never be processed, with the reason, on the dead-letter queue."""
    if "dead_letter" in _overrides:
        _overrides["dead_letter"](body, reason)
        return
    from tact import aws

    url = runtime_config().dead_letter_queue_url
    if not url:
        raise RuntimeError(f"no dead-letter queue configured for a bad event: {reason}")
    aws.client("sqs").send_message(
        QueueUrl=url, MessageBody=body,
        MessageAttributes={"reason": {"DataType": "String", "StringValue": reason[:1000]}},
    )

"""EMAIL, SMS, PUSH and CUSTOM activities -> a send step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tact.pinpoint.emit import COMMENT
from tact.pinpoint.findings import CHANNELS, slug_id

if TYPE_CHECKING:
    from tact.pinpoint.convert import Converter


def send(conv: Converter, activity_id: str, kind: str, spec: dict[str, Any],
         where: str) -> dict[str, Any]:
    channel = CHANNELS[kind]
    comments: list[str] = []
    template_name = spec.get("TemplateName")
    if template_name:
        template = slug_id(template_name, "t")
        conv.template_sources[template] = template_name + (
            f" (version {spec['TemplateVersion']})" if spec.get("TemplateVersion") else "")
    else:
        template = unique_template(conv, activity_id)
        comments.append(conv.note("fill_in", f"{where}.{kind}", "no TemplateName: write "
                                  f"the message in templates/{template}.yaml"))
    conv.templates.setdefault(template, set()).add(channel)
    config = spec.get("MessageConfig") or {}
    if kind == "EMAIL" and config.get("FromAddress"):
        conv.from_addresses.append(config["FromAddress"])
    if kind == "SMS":
        for key in ("OriginationNumber", "SenderId", "EntityId", "TemplateId", "MessageType"):
            if config.get(key):
                comments.append(conv.note("unmapped", f"{where}.SMS.MessageConfig.{key}",
                                          f"SMS {key} {config[key]!r}: configure it in AWS "
                                          "End User Messaging for the sending account"))
    if kind == "PUSH" and config.get("TimeToLive"):
        comments.append(conv.note("unmapped", f"{where}.PUSH.MessageConfig.TimeToLive",
                                  f"push time to live {config['TimeToLive']}s"))
    if kind == "CUSTOM":
        if spec.get("DeliveryUri"):
            conv.webhook_uris.append(spec["DeliveryUri"])
            comments.append(conv.note(
                "fill_in", f"{where}.CUSTOM.DeliveryUri", f"custom channel -> webhook: set "
                f"the webhook URL to {spec['DeliveryUri']} (TACT_WEBHOOK_URL; an https "
                "endpoint, not a Lambda ARN)"))
        if spec.get("EndpointTypes"):
            comments.append(conv.note("unmapped", f"{where}.CUSTOM.EndpointTypes",
                                      f"endpoint types {spec['EndpointTypes']}"))
        if config.get("Data"):
            comments.append(conv.note("approximated", f"{where}.CUSTOM.MessageConfig.Data",
                                      f"custom data moved to templates/{template}.yaml"))
    step: dict[str, Any] = {"send": {"id": conv.unique(slug_id(activity_id)),
                                     "channel": channel, "template": template}}
    if comments:
        step[COMMENT] = comments
    return step


def unique_template(conv: Converter, activity_id: str) -> str:
    return slug_id(f"{activity_id}_message", "t")

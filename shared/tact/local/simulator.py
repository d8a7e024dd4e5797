"""``tact simulate``: shop events replayed on a virtual clock through the real handlers,
the compiled state machines (run by the local executor) and moto (or the in-memory store).
"""

from __future__ import annotations

import functools
import json
import operator
import os
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from tact import clock as tact_clock
from tact import runtime
from tact.analytics.recorder import RecordingStore
from tact.broadcast.compiler import compile_broadcast
from tact.broadcast.waves import first_wave
from tact.clock import iso, parse_iso
from tact.customer import CustomerState
from tact.ingest.messages import validated_already
from tact.journey.bundle import Bundle, bundle_json
from tact.journey.bundle_builder import build
from tact.journey.project import load_project, require_valid
from tact.journey.rules import ExitRule
from tact.local.adapters import (
    ACCOUNT,
    AUDIENCE_FUNCTION_ARN,
    BATCH_FUNCTION_ARN,
    DECIDE_FUNCTION_ARN,
    LOCAL_SCAN_SEGMENTS,
    PARK_FUNCTION_ARN,
    REGION,
    SEND_FUNCTION_ARN,
    SM_PREFIX,
    SQS_MAX_RECEIVES,
    SQS_VISIBILITY_TIMEOUT,
    TABLE,
    ExecutorOrchestrator,
    LocalOutbox,
    environment,
    sqs_batch,
)
from tact.local.clock import VirtualClock
from tact.local.collector import collector_paused
from tact.local.executor import LocalStepFunctions
from tact.local.functions import find_functions_dir, load_handler
from tact.local.lambda_context import LocalLambdaContext
from tact.local.model import install, local_model
from tact.local.report import SimulationReport, TimelineEntry, execution_record
from tact.local.stepfunctions.records import Execution
from tact.models.events import EventError, ShopEvent, parse_event
from tact.recommend.artifact import Artifact
from tact.store import keys

StoreKind = Literal["moto", "memory"]


def read_events(path: Path, validated: dict[int, tuple[ShopEvent, Any]] | None = None,
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Valid envelopes (in time order, stable) and the lines that are not, with reasons.
    ``validated``, if given, receives what ``parse_event`` gave for each valid one, for
    :meth:`Simulation.run` (the ingest handler then need not validate it again)."""
    good: list[tuple[datetime, int, dict[str, Any]]] = []
    bad: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            parsed = parse_event(raw)
        except json.JSONDecodeError as err:
            bad.append({"line": number, "reason": f"not JSON: {err.msg}"})
            continue
        except EventError as err:
            bad.append({"line": number, "reason": err.reason})
            continue
        if validated is not None:
            validated[id(raw)] = parsed
        good.append((parsed[0].time, number, raw))
    good.sort(key=lambda t: (t[0], t[1]))
    return [raw for _, _, raw in good], bad


class Simulation:
    def __init__(self, journeys_dir: Path, store: StoreKind = "moto",
                 functions_dir: Path | None = None, model: Artifact | None = None,
                 goal: str | None = None, decisions: bool = True,
                 full_report: bool = True) -> None:
        """``decisions``: keep the decision records the stream would carry (``report.decisions``;
        a backtest that exports nothing reads none and skips making them). ``full_report``:
        make the timeline's entry for each event and the executions' records (`tact simulate`
        and `tact report` show them; a backtest counts neither)."""
        self.model = model  # None: fitted on the replayed events if the journeys read it
        self.decisions = decisions
        self.full_report = full_report
        project = require_valid(load_project(journeys_dir))
        self.bundle: Bundle
        self.bundle, self.definitions = build(project)
        self.broadcasts = {bid: (compile_broadcast(rt, project.broadcasts[bid].name),
                                 first_wave(rt.definition(), self.bundle.settings))
                           for bid, rt in self.bundle.broadcasts.items()}
        if goal:  # `--goal`: measure conversions on this event instead; journeys run as written
            measured = [ExitRule(event=goal)]
            self.bundle = self.bundle.model_copy(update={"journeys": {
                jid: j.model_copy(update={"measured_goals": measured})
                for jid, j in self.bundle.journeys.items()}})
        self.store_kind = store
        self.functions_dir = functions_dir or find_functions_dir(Path(journeys_dir))
        self.report = SimulationReport()

    def run(self, events: list[dict[str, Any]],
            progress: Callable[[int, int], None] | None = None,
            validated: dict[int, tuple[ShopEvent, Any]] | None = None) -> SimulationReport:
        """``validated``: what ``parse_event`` gave for events of ``events`` (by ``id()``),
        each as ``json.loads`` made it; the ingest handler takes that on the event's first
        delivery instead of validating it again (the backtest validates before it sorts)."""
        with tempfile.TemporaryDirectory() as tmp:
            bundle_path = Path(tmp) / "bundle.json"
            bundle_path.write_text(bundle_json(self.bundle), encoding="utf-8")
            env = {
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                "TACT_TABLE_NAME": TABLE, "TACT_BUNDLE_PATH": str(bundle_path),
                "TACT_STATE_MACHINE_PREFIX": SM_PREFIX,
                # moto cannot start executions through an alias or a version (it raises), so
                # locally they start on the machine itself; each has just one version here.
                "TACT_STATE_MACHINE_ALIAS": "",
                "TACT_SIGNING_KEY": "local-simulation-key",
                "TACT_PUBLIC_URL": "https://prefs.example.invalid",
                "TACT_MODEL_BUCKET": "",  # set (on moto) when a model is installed
                "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "ERROR",
                "POWERTOOLS_METRICS_NAMESPACE": "Tact", "POWERTOOLS_SERVICE_NAME": "tact",
                # Metrics are CloudWatch's; here they would only be printed into the report.
                "POWERTOOLS_METRICS_DISABLED": "true",
                # As Lambda sets it for on-demand functions ("Defined runtime environment
                # variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
                # Powertools' logger reads it on every invocation; unset, each read raised and
                # caught a KeyError (~1% of a simulate).
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            }
            paused = collector_paused() if self.store_kind == "memory" else nullcontext()
            with environment(env), self._aws(), paused:
                try:
                    return self._run(events, progress, validated or {})
                finally:
                    tact_clock.use(None)
                    runtime.reset()

    def _aws(self) -> Any:
        if self.store_kind == "memory":
            return nullcontext()
        from moto import mock_aws

        return mock_aws()

    def _setup_aws(self) -> None:
        from tact import aws
        from tact.store.schema import create_table

        create_table(aws.client("dynamodb"), TABLE)
        sender = self.bundle.settings.senders.email.from_address
        domain = sender.rsplit("@", 1)[-1].strip(" >")
        aws.client("sesv2").create_email_identity(EmailIdentity=domain)
        dlq = aws.client("sqs").create_queue(QueueName="tact-events-dlq")["QueueUrl"]
        os.environ["TACT_DEAD_LETTER_QUEUE_URL"] = dlq
        sfn = aws.client("stepfunctions")
        for journey_id, definition in self.definitions.items():
            text = json.dumps(definition).replace("${SendFunctionArn}", SEND_FUNCTION_ARN)
            text = text.replace("${DecideFunctionArn}", DECIDE_FUNCTION_ARN)
            text = text.replace("${ParkFunctionArn}", PARK_FUNCTION_ARN)
            made = sfn.create_state_machine(
                name=f"tact-{journey_id}", definition=text, publish=True,
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/tact-journeys",
            )
            sfn.create_state_machine_alias(name="live", routingConfiguration=[
                {"stateMachineVersionArn": made["stateMachineVersionArn"], "weight": 100}])

    def _local_channels(self) -> None:
        """Email goes to SES on moto; moto has no End User Messaging SMS, customers' push
        endpoints do not exist there, and a webhook must not leave the laptop: those channels
        deliver into a local outbox instead."""
        from tact.sending.channels import SesEmail

        sender = self.bundle.settings.senders.email
        email = SesEmail(sender.from_address, sender.configuration_set, sender.reply_to)
        self.outbox = LocalOutbox()
        runtime.override(channel_sender=lambda channel: email if channel == "email"
                         else self.outbox)

    def _hook_step_functions(self, executor: LocalStepFunctions) -> None:
        """Ingest's real StartExecution/StopExecution calls reach moto; mirror them here."""
        from tact import aws

        events = aws.client("stepfunctions").meta.events

        def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["tact_params"] = dict(params)

        def after_start(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            params = context.get("tact_params", {})
            if "executionArn" in parsed:
                executor.start_execution(params["stateMachineArn"], params["name"],
                                         json.loads(params["input"]))

        def after_stop(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            params = context.get("tact_params", {})
            if "stopDate" in parsed:
                executor.stop_execution(params["executionArn"], cause=params.get("cause"))

        events.register("before-parameter-build.sfn.StartExecution", remember)
        events.register("before-parameter-build.sfn.StopExecution", remember)
        events.register("after-call.sfn.StartExecution", after_start)
        events.register("after-call.sfn.StopExecution", after_stop)

        def after_task_success(parsed: dict[str, Any], context: dict[str, Any],
                               **_: Any) -> None:
            # moto accepts SendTaskSuccess but runs nothing (a no-op): the executor resumes.
            from tact.local.stepfunctions.errors import TaskDoesNotExist

            params = context.get("tact_params", {})
            try:
                executor.send_task_success(params["taskToken"], json.loads(params["output"]))
            except TaskDoesNotExist:
                pass  # already ended, as Step Functions' TaskTimedOut, which resume ignores

        events.register("before-parameter-build.sfn.SendTaskSuccess", remember)
        events.register("after-call.sfn.SendTaskSuccess", after_task_success)

    def _run(self, events: list[dict[str, Any]], progress: Callable[[int, int], None] | None,
             validated: dict[int, tuple[ShopEvent, Any]]) -> SimulationReport:
        runtime.reset()
        start = parse_iso(events[0]["time"]) if events else tact_clock.now()
        clock = VirtualClock(start)
        tact_clock.use(clock.now)
        send_handler = load_handler(self.functions_dir, "send")
        ingest_handler = load_handler(self.functions_dir, "ingest")
        sends: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

        def send_function(payload: dict[str, Any]) -> Any:
            result = send_handler(payload, LocalLambdaContext("tact-send"))
            sends.append((iso(clock.now()), payload, result))
            return result

        decide_handler = load_handler(self.functions_dir, "decide")

        def decide_function(payload: dict[str, Any]) -> Any:
            return decide_handler(payload, LocalLambdaContext("tact-decide"))

        park_handler = load_handler(self.functions_dir, "park")

        def park_function(payload: dict[str, Any]) -> Any:
            return park_handler(payload, LocalLambdaContext("tact-park"))

        executor = LocalStepFunctions(clock, {SEND_FUNCTION_ARN: send_function,
                                              DECIDE_FUNCTION_ARN: decide_function,
                                              PARK_FUNCTION_ARN: park_function,
                                              **self._broadcast_functions(clock, sends)})
        self.executor = executor
        for journey_id, definition in self.definitions.items():
            executor.register_state_machine(f"{SM_PREFIX}{journey_id}", definition,
                                            {"SendFunctionArn": SEND_FUNCTION_ARN,
                                             "DecideFunctionArn": DECIDE_FUNCTION_ARN,
                                             "ParkFunctionArn": PARK_FUNCTION_ARN})
        self._schedule_broadcasts(clock, executor)
        if self.store_kind == "memory":
            from tact.store.memory import MemoryStore

            self.outbox = outbox = LocalOutbox()

            def dead_letter(body: str, reason: str) -> None:
                self.report.rejected_events.append({"reason": f"dead-lettered: {reason}"})

            # No AWS API is reachable here: channels deliver into a local outbox and bad
            # events are reported instead of parked on a queue.
            self.store = MemoryStore()  # kept for the backtest's shard checks
            runtime.override(store=(RecordingStore(self.store, self.report.decisions)
                                    if self.decisions else self.store),
                             orchestrator=ExecutorOrchestrator(executor),
                             channel_sender=outbox.sender, dead_letter=dead_letter,
                             retry_delay=lambda *_: None)  # redelivered below, virtually
        else:
            from tact.store.dynamodb import DynamoStore

            dynamo = DynamoStore(TABLE)
            runtime.override(store=RecordingStore(dynamo, self.report.decisions)
                             if self.decisions else dynamo)
            self._setup_aws()
            self._hook_step_functions(executor)
            self._local_channels()
        artifact = self.model or local_model(self.bundle, events)
        if artifact is not None:
            install(artifact, on_moto=self.store_kind != "memory")
        customers: dict[str, None] = {}
        done = [0]
        deliveries: dict[str, int] = {}
        full_report = self.full_report

        def deliver(raw: dict[str, Any], receive: int = 1) -> Callable[[], None]:
            def run() -> None:
                deliveries[raw["id"]] = deliveries.get(raw["id"], 0) + 1
                if full_report:
                    self.report.timeline.append(TimelineEntry(
                        iso(clock.now()), raw["customer_id"], "event", detail=raw["type"]))
                batch = sqs_batch(raw, deliveries[raw["id"]])
                parsed = validated.pop(id(raw), None)  # first delivery only
                with (validated_already(batch["Records"][0]["body"], parsed) if parsed
                      else nullcontext()):
                    response = ingest_handler(batch, LocalLambdaContext("tact-ingest"))
                for failure in response.get("batchItemFailures", []):
                    # As SQS does (template.yaml): a failed message shows again after the
                    # visibility timeout; after maxReceiveCount receives it is dead-lettered.
                    if receive < SQS_MAX_RECEIVES:
                        clock.call_later(SQS_VISIBILITY_TIMEOUT, deliver(raw, receive + 1))
                    else:
                        self.report.rejected_events.append({"event": raw["id"], "reason": (
                            f"dead-lettered after {receive} receives: {failure}")})
                done[0] += receive == 1
                if progress:
                    progress(done[0], len(events))
            return run

        for raw in events:
            customers.setdefault(raw["customer_id"], None)  # first-seen order, O(1) a check
            clock.call_at(parse_iso(raw["time"]), deliver(raw))
        clock.run_until(None)
        self._collect(list(customers), clock.now(), executor, sends)
        return self.report

    def _broadcast_functions(self, clock: VirtualClock, sends: list[tuple[str, dict[str, Any],
                             dict[str, Any]]]) -> dict[str, Callable[[dict[str, Any]], Any]]:
        if not self.broadcasts:
            return {}
        audience_handler = load_handler(self.functions_dir, "broadcast_audience")
        batch_handler = load_handler(self.functions_dir, "broadcast_send")

        def audience(payload: dict[str, Any]) -> Any:
            return audience_handler(payload, LocalLambdaContext("tact-broadcast-audience"))

        def batch(payload: dict[str, Any]) -> Any:
            result = batch_handler(payload, LocalLambdaContext("tact-broadcast-send"))
            for later in result.get("deferred", []):  # quiet hours, as a journey send's
                for customer in later["customers"]:
                    sends.append((iso(clock.now()), {"customer_id": customer, "journey":
                                                     payload["broadcast"], "step": "send"},
                                  {"status": "deferred", "resume_at": later["at"]}))
            return result

        return {AUDIENCE_FUNCTION_ARN: audience, BATCH_FUNCTION_ARN: batch}

    def _schedule_broadcasts(self, clock: VirtualClock, executor: LocalStepFunctions) -> None:
        """What the EventBridge Scheduler schedule does deployed: start each broadcast's state
        machine at its first possible wave, on the virtual clock."""
        for broadcast_id, (definition, start) in self.broadcasts.items():
            arn = f"{SM_PREFIX}{broadcast_id}"
            executor.register_state_machine(arn, definition, {
                "BroadcastAudienceFunctionArn": AUDIENCE_FUNCTION_ARN,
                "BroadcastSendFunctionArn": BATCH_FUNCTION_ARN,
                "BroadcastScanSegments": str(LOCAL_SCAN_SEGMENTS)})
            name = f"{broadcast_id}-{start:%Y%m%dT%H%M%SZ}"
            clock.call_at(start, functools.partial(_start, executor, arn, name))

    def _collect(self, customers: list[str], now: datetime, executor: LocalStepFunctions,
                 sends: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> None:
        store = runtime.store()
        for at, payload, result in sends:
            if result.get("status") == "deferred":
                self.report.timeline.append(TimelineEntry(
                    at, payload["customer_id"], "deferred", payload["journey"], payload["step"],
                    f"quiet hours; resumes {result.get('resume_at')}"))
        # The run is over: on the in-memory store the report looks at the items, uncopied.
        # (The runtime's store is the recording wrapper around it, which always copies.)
        read = (functools.partial(self.store.read_customer, copy=False)
                if self.store_kind == "memory" else store.read_customer)
        for customer_id in customers:
            state_items = read(customer_id, now)
            self.report.items[customer_id] = state_items
            state = CustomerState.from_items(customer_id, state_items)
            for item in state_items:
                if keys.kind_of(item["sk"]) == keys.LOG:
                    self.report.add_log(customer_id, item)
            for record in sorted(state.messages.values(), key=lambda r: r["at"]):
                self.report.add_message(customer_id, record)
        for execution in executor.executions(snapshot=False):  # read only, run is over
            if self._of_broadcast(execution):
                self.report.add_failed_broadcast(execution, now)
                continue  # not a customer's entry: its messages are in the customers' logs
            if self.full_report:
                self.report.executions.append(execution_record(execution, executor))
            if execution.status == "FAILED":
                self.report.timeline.append(TimelineEntry(
                    iso(execution.stop or now), execution.input.get("customer_id", "?"),
                    "failed", execution.input.get("journey", ""), "",
                    f"{execution.error}: {execution.cause}"))
        self.report.messages.sort(key=lambda m: (m["sent_at"], m["customer_id"], m["step"]))
        self.report.suppressed.sort(key=lambda s: (s["at"], s["customer_id"], s["step"]))
        self.report.timeline.sort(key=operator.attrgetter("at"))

    def _of_broadcast(self, execution: Execution) -> bool:
        return bool(self.broadcasts) and execution.state_machine_arn.startswith(
            tuple(f"{SM_PREFIX}{b}" for b in self.broadcasts))

    def journey_executions(self) -> list[Execution]:
        """The run's executions of journeys (not of broadcasts), live: once the run is over."""
        return [execution for execution in self.executor.executions(snapshot=False)
                if not self._of_broadcast(execution)]

def simulate_file(events_path: Path, journeys_dir: Path, store: StoreKind = "moto",
                  progress: Callable[[int, int], None] | None = None,
                  history_path: Path | None = None, goal: str | None = None) -> SimulationReport:
    """Replay a file; ``history_path``: older events the model learns from, not replayed.
    ``goal``: measure conversions on this event instead of the journeys' goals."""
    validated: dict[int, tuple[ShopEvent, Any]] = {}
    with collector_paused():  # what is read stays alive to its delivery: passes find nothing
        events, bad = read_events(events_path, validated)
    simulation = Simulation(journeys_dir, store, goal=goal)
    if history_path is not None:
        history, bad_history = read_events(history_path)
        bad = [*({**b, "file": str(history_path)} for b in bad_history), *bad]
        simulation.model = local_model(simulation.bundle, events, history)
    report = simulation.run(events, progress, validated)
    report.rejected_events.extend(bad)
    return report


def _start(executor: LocalStepFunctions, arn: str, name: str) -> None:
    executor.start_execution(arn, name)

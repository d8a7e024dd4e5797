"""template.yaml and the generated journeys stack agree with the code that runs against them."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from typer.testing import CliRunner

from tact import clock as tact_clock
from tact.cli import app
from tact.infra_gen import ALIAS, STACK_FILE, TASK_FUNCTIONS, load_template, logical_id
from tact.local.clock import VirtualClock
from tact.local.executor import LocalStepFunctions
from tact.store import schema
from tact.store.base import IndexQuery, Put
from tact.store.dynamodb import LIFECYCLE_INDEX, DynamoStore
from tests.support.paths import ROOT

GENERATED = ROOT / "infra" / "generated"
TEMPLATE = load_template(ROOT / "template.yaml")
RESOURCES = TEMPLATE["Resources"]
runner = CliRunner()


def table_from_template() -> dict[str, Any]:
    """create_table arguments taken from template.yaml's own Table resource."""
    props = RESOURCES["Table"]["Properties"]
    return {key: props[key] for key in
            ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")}


def test_table_in_the_template_is_the_schema_the_code_uses() -> None:
    props = RESOURCES["Table"]["Properties"]
    for key, value in schema.TABLE_KEYS.items():
        assert props[key] == value, key
    assert props["TimeToLiveSpecification"] == {"AttributeName": schema.TTL_ATTRIBUTE,
                                                "Enabled": True}
    assert props["GlobalSecondaryIndexes"][0]["IndexName"] == LIFECYCLE_INDEX
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEType"] == "KMS"
    assert props["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "Key"}


def test_ingest_knows_the_queue_s_last_attempt() -> None:
    """Ingest parks an event with its reason on the last receive; SQS's own redrive after
    that attempt would carry none, so the two numbers must be the same."""
    queue = RESOURCES["IngestQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"]
    env = RESOURCES["IngestFunction"]["Properties"]["Environment"]["Variables"]
    assert int(env["TACT_MAX_RECEIVE_COUNT"]) == int(queue)


def test_the_store_works_on_a_moto_table_built_from_the_template() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        client.create_table(TableName="tact", **table_from_template())
        store = DynamoStore("tact", boto3.resource("dynamodb", region_name="eu-west-1").meta.client)
        store.write("c1", [Put({"sk": "PROFILE", "gsi1pk": "LASTPURCHASE#0",
                                "gsi1sk": "2025-01-01T00:00:00Z"}, expect="absent")])
        assert [i["sk"] for i in store.read_customer("c1", now)] == ["PROFILE"]
        page = store.query_index(IndexQuery("LASTPURCHASE#0", "0", "2026"))
        assert [i["pk"] for i in page.items] == [store_pk("c1")]


def store_pk(customer_id: str) -> str:
    from tact.store.keys import pk

    return pk(customer_id)


def test_state_machine_names_match_the_prefix_ingest_starts_them_by() -> None:
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    prefix = env["TACT_STATE_MACHINE_PREFIX"]["Fn::Sub"]
    assert prefix.endswith(":stateMachine:${AWS::StackName}-")
    assert env["TACT_STATE_MACHINE_ALIAS"] == ALIAS
    journeys = RESOURCES["Journeys"]["Properties"]
    assert journeys["Parameters"]["NamePrefix"] == {"Fn::Sub": "${AWS::StackName}-"}
    assert journeys["Location"] == f"infra/generated/{STACK_FILE}"
    # Every task function a definition may name is handed to the journeys stack.
    for name, function in TASK_FUNCTIONS.items():
        passed = journeys["Parameters"][name]
        assert passed == {"Fn::GetAtt": [f"{logical_id(function)}Function", "Arn"]}
        assert RESOURCES[f"{logical_id(function)}Function"]["Properties"]["CodeUri"] == \
            f"functions/{function}/"


def test_generated_stack_has_one_aliased_state_machine_per_journey() -> None:
    stack = json.loads((GENERATED / STACK_FILE).read_text())
    definitions = sorted(p.name.removesuffix(".asl.json") for p in GENERATED.glob("*.asl.json"))
    assert definitions == sorted(p.stem for p in (ROOT / "journeys").glob("*.yaml")
                                 if p.name != "settings.yaml")
    for journey_id in definitions:
        machine = stack["Resources"][f"{logical_id(journey_id)}StateMachine"]["Properties"]
        assert machine["Name"] == {"Fn::Sub": f"${{NamePrefix}}{journey_id}"}
        assert machine["AutoPublishAlias"] == ALIAS
        assert machine["DefinitionUri"] == f"{journey_id}.asl.json"
        text = (GENERATED / machine["DefinitionUri"]).read_text()
        for placeholder in machine["DefinitionSubstitutions"]:
            assert f"${{{placeholder}}}" in text
        assert "${" not in _substituted(text, machine["DefinitionSubstitutions"])
        assert machine["Tracing"] == {"Enabled": True}


def _substituted(text: str, substitutions: dict[str, Any]) -> str:
    for name in substitutions:
        text = text.replace(f"${{{name}}}", "arn:aws:lambda:eu-west-1:123456789012:function:x")
    return text


def test_committed_generated_files_are_up_to_date() -> None:
    result = runner.invoke(app, ["build", "--check", "--out", str(GENERATED),
                                 "--journeys", str(ROOT / "journeys")])
    assert result.exit_code == 0, (result.stdout + result.stderr
                                   + "\nrun `tact build` and commit infra/generated/")


def _edited_project(tmp_path: Path, wait: str) -> Path:
    journeys = tmp_path / "journeys"
    shutil.copytree(ROOT / "journeys", journeys)
    path = journeys / "abandoned_cart.yaml"
    path.write_text(path.read_text().replace("  - wait: 2h\n", f"  - wait: {wait}\n", 1))
    return journeys


def test_build_check_fails_when_a_journey_changed_and_build_fixes_it(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out)
    journeys = _edited_project(tmp_path, "3h")
    stale = runner.invoke(app, ["build", "--check", "--out", str(out), "--journeys", str(journeys)])
    assert stale.exit_code == 1
    assert "abandoned_cart.asl.json: out of date" in stale.stderr
    assert f"{STACK_FILE}: out of date" in stale.stderr  # the version tag moved too
    assert "Traceback" not in stale.output
    assert runner.invoke(app, ["build", "--out", str(out), "--journeys", str(journeys)]
                         ).exit_code == 0
    assert runner.invoke(app, ["build", "--check", "--out", str(out), "--journeys",
                               str(journeys)]).exit_code == 0


def test_a_removed_journey_leaves_no_definition_behind(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out)
    (out / "old_journey.asl.json").write_text("{}")
    journeys = tmp_path / "journeys"
    shutil.copytree(ROOT / "journeys", journeys)
    check = runner.invoke(app, ["build", "--check", "--out", str(out), "--journeys", str(journeys)])
    assert check.exit_code == 1 and "old_journey.asl.json: no journey" in check.stderr
    runner.invoke(app, ["build", "--out", str(out), "--journeys", str(journeys)])
    assert not (out / "old_journey.asl.json").exists()


# ---------------------------------------------------------------- versions


def test_editing_a_journey_publishes_a_new_version_and_running_executions_keep_theirs(
        tmp_path: Path) -> None:
    """How a deployed edit behaves. `tact build` after an edit changes the definition file and
    the journey version; in AWS, AutoPublishAlias then publishes a new state machine version
    and points the alias ``live`` at it, and old versions are retained. Ingest starts
    executions through the alias, and an execution runs the version it started on to the end.

    Shown on the local executor, which keeps versions and aliases the same way: v1 and the
    alias are registered, a customer enters, the journey's first wait goes from 2h to 3h,
    v2 is published and the alias moved; a second customer enters. The first still gets the
    reminder after 2h, the second after 3h."""
    before = _built(tmp_path / "v1", _edited_project(tmp_path / "p1", "2h"))
    after = _built(tmp_path / "v2", _edited_project(tmp_path / "p2", "3h"))
    assert before["version"] != after["version"]
    assert before["definition"] != after["definition"]
    assert before["stack"]["Resources"].keys() == after["stack"]["Resources"].keys()
    machine = after["stack"]["Resources"]["AbandonedCartStateMachine"]["Properties"]
    assert machine["AutoPublishAlias"] == ALIAS
    assert machine["Tags"]["tact:journey-version"] == after["version"]

    sent: list[tuple[str, datetime]] = []

    def send(event: dict[str, Any]) -> dict[str, Any]:
        # Stands in for the send Lambda: records when each customer's step ran.
        sent.append((event["customer_id"], tact_clock.now()))
        return {"status": "sent"}

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clock = VirtualClock(start)
    sfn = LocalStepFunctions(clock, {"send": send})
    base = "arn:aws:states:eu-west-1:123456789012:stateMachine:tact-abandoned_cart"
    functions = {name: f"arn:aws:lambda:eu-west-1:123456789012:function:{function}"
                 for name, function in TASK_FUNCTIONS.items()}
    with clock.installed():
        sfn.register_state_machine(f"{base}:1", before["definition"], functions)
        sfn.register_state_machine(f"{base}:{ALIAS}", before["definition"], functions)
        first = sfn.start_execution(f"{base}:{ALIAS}", "c1-entry",
                                    _entry("c1", start, before["version"]))
        # Deploy of the edit: version 2 published, alias moved to it.
        sfn.register_state_machine(f"{base}:2", after["definition"], functions)
        sfn.register_state_machine(f"{base}:{ALIAS}", after["definition"], functions)
        second = sfn.start_execution(f"{base}:{ALIAS}", "c2-entry",
                                     _entry("c2", start, after["version"]))
        clock.run_until(start + timedelta(hours=4))
    first_send = {customer: at for customer, at in reversed(sent)}
    assert first_send["c1"] == start + timedelta(hours=2)  # the version it started on
    assert first_send["c2"] == start + timedelta(hours=3)  # the new version
    assert sfn.describe_execution(first).status == "RUNNING"  # still waiting for reminder 2
    assert sfn.describe_execution(second).status == "RUNNING"


def _built(out: Path, journeys: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["build", "--out", str(out), "--journeys", str(journeys)])
    assert result.exit_code == 0, result.output
    bundle = json.loads((out / "bundle.json").read_text())
    return {"definition": (out / "abandoned_cart.asl.json").read_text(),
            "version": bundle["journeys"]["abandoned_cart"]["version"],
            "stack": json.loads((out / STACK_FILE).read_text())}


def _entry(customer_id: str, at: datetime, version: str) -> dict[str, Any]:
    return {"customer_id": customer_id, "version": version,
            "entered_at": at.isoformat().replace("+00:00", "Z"),
            "trigger": {"id": f"e-{customer_id}", "type": "cart_updated",
                        "customer_id": customer_id, "time": at.isoformat(),
                        "data": {"cart_id": "k1", "value": 50}}}


def test_a_project_without_journeys_still_makes_a_deployable_stack() -> None:
    from tact.infra_gen import journeys_stack

    stack = journeys_stack({}, {})
    assert list(stack["Resources"]) == ["NoJourneysYet"]
    assert set(TASK_FUNCTIONS) <= set(stack["Parameters"])


def test_every_skipped_security_check_says_why() -> None:
    skips = [(logical, skip) for logical, resource in RESOURCES.items()
             for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])]
    assert skips, "checkov skips live in each resource's Metadata"
    for logical, skip in skips:
        assert skip["id"].startswith("CKV_"), logical
        assert len(skip.get("comment", "").split()) >= 6, f"{logical}: {skip['id']} needs a reason"

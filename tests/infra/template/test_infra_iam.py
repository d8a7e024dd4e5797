"""Least privilege: template.yaml grants each function exactly the AWS calls its code makes.

The declared manifest is tact.permissions. Three checks tie it to reality:
1. code -> manifest: every module a function can import is read (AST); the AWS operations it
   calls on the clients it creates must be exactly the module's CALL_SITES entry;
2. manifest -> code: each function's declared calls are made by modules it imports, and a
   simulated run of the example events (moto) makes no call a function did not declare;
3. manifest -> template: each function's statements allow exactly ``iam_actions(function)``,
   no action has a wildcard, no function statement has Resource "*".
"""

from __future__ import annotations

import ast
import contextvars
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tact import permissions
from tact.infra_gen import LOG_DELIVERY_ACTIONS, load_template
from tests.support.paths import ROOT

PACKAGE = ROOT / "shared"
FUNCTIONS_DIR = ROOT / "functions"
TEMPLATE = load_template(ROOT / "template.yaml")
CLIENT_FACTORIES = {"client", "resource", "provider_client"}


def module_path(name: str) -> Path | None:
    base = PACKAGE.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(path: Path) -> set[str]:
    """tact modules a file imports anywhere (lazy imports inside functions included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] == "tact" and module_path(n))
    return found


def closure(function: str) -> set[str]:
    seen: set[str] = set()
    todo = imported_modules(FUNCTIONS_DIR / function / "app.py")
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_path(name)
        assert path is not None
        todo |= imported_modules(path) - seen
    return seen


def calls_in(path: Path) -> dict[str, frozenset[str]]:
    """AWS operations a module calls: on clients it creates, by method name or by string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    services: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0] if node.args else None
            if called in CLIENT_FACTORIES and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                services.add(first.value)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)  # client.put_item(...), or client.put_events handed on
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # getattr(client, "query") style dispatch
    result = {}
    for service in services:
        used = names & permissions.operations(service)
        if used:
            result[service] = frozenset(used)
    return result


FUNCTION_NAMES = sorted(p.name for p in FUNCTIONS_DIR.iterdir() if (p / "app.py").is_file())


def test_every_function_is_in_the_manifest_and_the_template() -> None:
    in_template = {function_dir(r): logical for logical, r in template_functions()}
    assert sorted(permissions.FUNCTIONS) == FUNCTION_NAMES
    assert sorted(in_template) == FUNCTION_NAMES, "each functions/<name> is deployed once"


@pytest.mark.parametrize("function", FUNCTION_NAMES)
def test_call_sites_are_exactly_what_the_modules_call(function: str) -> None:
    handler = f"functions/{function}/app.py"
    for module in [handler, *sorted(closure(function))]:
        path = ROOT / handler if module == handler else module_path(module)
        assert path is not None
        found = calls_in(path)
        declared = permissions.CALL_SITES.get(module, {})
        assert found == declared, (
            f"{module} calls {found} but tact.permissions.CALL_SITES says {declared}: "
            "update the manifest (and template.yaml) with the new AWS calls")


@pytest.mark.parametrize("function", FUNCTION_NAMES)
def test_declared_calls_are_made_by_modules_the_function_imports(function: str) -> None:
    reachable: dict[str, set[str]] = {}
    for module in [f"functions/{function}/app.py", *closure(function)]:
        for service, ops in permissions.CALL_SITES.get(module, {}).items():
            reachable.setdefault(service, set()).update(ops)
    for service, ops in permissions.FUNCTIONS[function].items():
        assert set(ops) <= reachable.get(service, set()), (
            f"{function} declares {service} {sorted(ops)} but imports no module making them")


# ---------------------------------------------------------------- the template


def template_functions() -> Iterator[tuple[str, dict[str, Any]]]:
    for logical, resource in TEMPLATE["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            yield logical, resource


def function_dir(resource: dict[str, Any]) -> str:
    return Path(resource["Properties"]["CodeUri"]).name


def statements_of(resource: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for policy in resource["Properties"].get("Policies", []):
        assert isinstance(policy, dict) and set(policy) == {"Statement"}, (
            "explicit statements only: a SAM policy template hides its actions from review")
        out.extend(policy["Statement"])
    return out


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("logical", [logical for logical, _ in template_functions()])
def test_function_policy_allows_exactly_the_declared_calls(logical: str) -> None:
    resource = TEMPLATE["Resources"][logical]
    function = function_dir(resource)
    allowed: set[str] = set()
    for statement in statements_of(resource):
        assert statement["Effect"] == "Allow"
        actions = set(as_list(statement["Action"]))
        if "*" in as_list(statement["Resource"]):
            assert actions <= permissions.RESOURCE_STAR_ONLY, f"{logical}: Resource '*'"
        allowed.update(actions)
    assert allowed == permissions.iam_actions(function), (
        f"{logical}: template allows {sorted(allowed)}, the code makes "
        f"{sorted(permissions.iam_actions(function))}")


def all_statements(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "Effect" in node and ("Action" in node or "NotAction" in node):
            yield where, node
        for key, value in node.items():
            yield from all_statements(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from all_statements(value, f"{where}[{i}]")


def test_every_iam_statement_names_specific_actions() -> None:
    generated = __import__("json").loads(
        (ROOT / "infra/generated/journeys.template.json").read_text())
    found = list(all_statements(TEMPLATE)) + list(all_statements(generated, "journeys"))
    assert len(found) > 10
    for where, statement in found:
        assert "NotAction" not in statement, where
        for action in as_list(statement["Action"]):
            service, _, name = action.partition(":")
            assert service and name and "*" not in action, f"{where}: action {action!r}"
        if statement["Effect"] == "Allow" and "*" in as_list(statement.get("Resource")):
            # Only where AWS demands it: a key policy's "*" is the key itself; CloudWatch Logs'
            # log-delivery actions (state machine logging) and SendTaskSuccess take no
            # resource-level permission.
            in_key_policy = "/KeyPolicy/" in where
            actions = set(as_list(statement["Action"]))
            demanded = actions <= set(LOG_DELIVERY_ACTIONS) | permissions.RESOURCE_STAR_ONLY
            assert in_key_policy or demanded, f"{where}: Resource '*'"


# ---------------------------------------------------------------- what the code really does

_current = contextvars.ContextVar[str | None]("function", default=None)


def test_a_simulated_run_makes_only_declared_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the example events through the real handlers (moto) and record every AWS call,
    attributed to the function whose handler made it; each must be in its declaration."""
    import botocore.session

    from tact.local import simulator
    from tact.local.functions import load_handler
    from tests.support.awshooks import aws_calls

    def attributed(functions_dir: Path, name: str) -> Any:
        handler = load_handler(functions_dir, name)

        def run(event: Any, context: Any) -> Any:
            token = _current.set(name)
            try:
                return handler(event, context)
            finally:
                _current.reset(token)
        return run

    monkeypatch.setattr(simulator, "load_handler", attributed)
    made: list[tuple[str, str, str]] = []
    with aws_calls() as calls:
        calls.made = _Recorder(made)  # type: ignore[assignment]
        simulator.simulate_file(ROOT / "journeys/examples/abandoned_cart.events.jsonl",
                                ROOT / "journeys", "moto")
    session = botocore.session.get_session()
    services = {session.get_service_model(service).service_id.hyphenize(): service
                for declared in permissions.FUNCTIONS.values() for service in declared}
    seen: dict[str, set[str]] = {}
    for function, service_id, operation in made:
        assert service_id in services, f"{function} called {service_id}:{operation}, undeclared"
        service = services[service_id]
        action = permissions.iam_action(service, _snake(service, operation))
        assert action in permissions.iam_actions(function), (
            f"{function} called {action}, not declared in tact.permissions.FUNCTIONS")
        seen.setdefault(function, set()).add(action)
    # The run went down the main paths, so the check above was not vacuous.
    assert {"dynamodb:Query", "states:StartExecution"} <= seen.get("ingest", set())
    assert "ses:SendEmail" in seen.get("send", set())


class _Recorder(list):  # type: ignore[type-arg]
    """The calls list of awshooks, also noting which function's handler made each call."""

    def __init__(self, made: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.made = made

    def append(self, item: Any) -> None:
        super().append(item)
        function = _current.get()
        if function is not None:
            self.made.append((function, item[0], item[1]))


def _snake(service: str, operation: str) -> str:
    from botocore import xform_name

    name = xform_name(operation)
    assert name in permissions.operations(service), (service, operation)
    return name

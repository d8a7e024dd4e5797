"""The lock files are what gets installed: `.venv` holds exactly requirements/dev.txt (so two
fresh clones hold the same versions), every dependency in pyproject.toml is pinned within its
range, and the Lambda locks take the dev lock's versions. A failure here says: run `make lock`
(pyproject.toml changed) or `make .venv/.installed` (the lock changed)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.paths import ROOT

LOCKS = ROOT / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
LAMBDA = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": "linux",
          "platform_system": "Linux", "platform_machine": "aarch64",
          "implementation_name": "cpython", "platform_python_implementation": "CPython"}


def pins(lock: Path, environment: dict[str, str] | None = None) -> dict[str, str]:
    """name -> version of every pin whose marker holds in ``environment`` (default: here)."""
    found: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match is None:
            continue
        name, version, marker = match.groups()
        if marker is None or Marker(marker).evaluate(environment):
            found[canonicalize_name(name)] = version
    return found


def declared() -> dict[str, list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"runtime": project["dependencies"], **project["optional-dependencies"]}
    return {group: [Requirement(r) for r in items if not r.startswith("tact[")]
            for group, items in groups.items()}


def test_the_environment_holds_exactly_the_dev_lock() -> None:
    locked = pins(LOCKS / "dev.txt")
    installed = {canonicalize_name(d.metadata["Name"]): d.version
                 for d in metadata.distributions()}
    installed.pop("tact")
    for seed in ("pip", "setuptools", "wheel"):  # the venv's own, not the project's
        if seed not in locked:
            installed.pop(seed, None)
    assert installed == locked


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    locked = pins(LOCKS / "dev.txt")
    for requirement in [r for group in declared().values() for r in group]:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/dev.txt: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{name}=={locked[name]} is outside {requirement.specifier}: run `make lock`")


def test_the_lambda_locks_hold_the_runtime_dependencies_at_the_dev_lock_versions() -> None:
    dev = pins(LOCKS / "dev.txt", LAMBDA)
    layer = pins(LOCKS / "layer.txt", LAMBDA)
    model = pins(LOCKS / "model.txt", LAMBDA)
    for requirement in declared()["runtime"]:
        assert canonicalize_name(requirement.name) in layer, "run `make lock`"
    for lock in (layer, model):
        assert lock and all(dev[name] == version for name, version in lock.items())
    assert not {"moto", "pytest", "numpy", "scipy"} & set(layer)  # dev and model stay out

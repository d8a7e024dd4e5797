"""`make build` (sam build) produces artifacts whose handlers import with nothing else around.

Each built function is imported in a fresh Python 3.12 (the Lambda runtime's version) started
with ``-I -S``: no site-packages, only the function's folder and the layer's ``python/`` on
the path, as in Lambda. The layer is built for arm64, this machine is not: the few packages
with native code are replaced, at the exact versions the layer holds, by their wheels for this
machine (the test says which); everything else is imported from the artifact itself.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tact.infra_gen import load_template
from tests.support.paths import ROOT

BUILD = ROOT / ".aws-sam" / "build"
INFRA_PYTHON = ROOT / ".venv-infra" / "bin" / "python"

pytestmark = pytest.mark.slow


def _sources_newer_than_build() -> bool:
    built = BUILD / "template.yaml"
    if not built.is_file():
        return True
    stamp = built.stat().st_mtime
    watched = [ROOT / "template.yaml", ROOT / "pyproject.toml", ROOT / "infra/layer/Makefile"]
    for folder in ("shared/tact", "functions", "infra/generated"):
        watched += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".json")]
    return any(p.stat().st_mtime > stamp for p in watched if p.is_file())


@cache
def built() -> Path:
    """Run `make sam-build` (sam build of the committed files) unless the artifacts are newer
    than every source. One build at a time, even under pytest-xdist."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed, so `make sam-build` cannot run")
    BUILD.parent.mkdir(exist_ok=True)
    with (BUILD.parent / "test-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _sources_newer_than_build():
            result = subprocess.run(["make", "sam-build"], cwd=ROOT, capture_output=True,
                                    text=True, timeout=1200, check=False)
            assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return BUILD


def built_functions() -> list[tuple[str, str]]:
    template = load_template(ROOT / "template.yaml")
    return sorted((logical, Path(r["Properties"]["CodeUri"]).name)
                  for logical, r in template["Resources"].items()
                  if r["Type"] == "AWS::Serverless::Function")


def native_packages(layer: Path) -> dict[str, tuple[str, str]]:
    """Top-level packages of the layer with compiled code -> (distribution, version)."""
    found: dict[str, tuple[str, str]] = {}
    for library in layer.rglob("*.so"):
        top = library.relative_to(layer).parts[0]
        for info in layer.glob("*.dist-info"):
            tops = info / "top_level.txt"
            names = tops.read_text().split() if tops.is_file() else []
            record = (info / "RECORD").read_text()
            if top in names or f"{top}/" in record:
                name, version = info.name.removesuffix(".dist-info").rsplit("-", 1)
                found[top] = (name, version)
    return found


@cache
def host_natives(layer: Path, packages: str = "python",
                 name: str = "host-natives") -> tuple[Path, tuple[str, ...]]:
    """The layer's (or a function's) native packages, same versions, built for this machine
    and Python 3.12."""
    natives = native_packages(layer / packages)
    target = ROOT / ".aws-sam" / name
    wanted = sorted({f"{name}=={version}" for name, version in natives.values()})
    marker = target / "wanted.json"
    if not marker.is_file() or json.loads(marker.read_text()) != wanted:
        shutil.rmtree(target, ignore_errors=True)
        arch = "x86_64" if platform.machine() in ("x86_64", "AMD64") else "aarch64"
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
             str(target), "--platform", f"manylinux_2_28_{arch}", "--platform",
             f"manylinux2014_{arch}", "--implementation", "cp",
             "--python-version", "3.12", "--only-binary=:all:",
             # wheels for CPython 3.12 (above); pip 23's install step would check their
             # Requires-Python against the Python running pip (3.11) and refuse numpy 2.5
             "--ignore-requires-python", *wanted],
            capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, result.stderr[-3000:]
        marker.write_text(json.dumps(wanted))
    return target, tuple(sorted(natives))


PROBE = r"""
import importlib.util, json, os, sys
function_dir, layer, natives, own = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sys.path[:0] = [*filter(None, [own]), function_dir, natives, os.path.join(layer, "python")]
os.environ.update(TACT_TABLE_NAME="tact", AWS_DEFAULT_REGION="eu-west-1",
                  TACT_BUNDLE_PATH=os.path.join(layer, "tact", "bundle.json"))
spec = importlib.util.spec_from_file_location("app", os.path.join(function_dir, "app.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
assert callable(module.lambda_handler)
from tact import runtime
bundle = runtime.bundle()
import tact, pydantic
print(json.dumps({"tact": tact.__file__, "pydantic": pydantic.__file__,
                  "journeys": sorted(bundle.journeys),
                  "site": [p for p in sys.path if "site-packages" in p]}))
"""


def python312() -> str:
    if INFRA_PYTHON.is_file():
        return str(INFRA_PYTHON)  # `make build` made .venv-infra with Python 3.12
    found = shutil.which("python3.12")
    if found is None:
        pytest.skip("no Python 3.12 here to import the python3.12 artifacts with")
    return found


@pytest.mark.parametrize(("logical", "folder"), built_functions())
def test_built_function_imports_its_handler(logical: str, folder: str) -> None:
    build = built()
    layer = build / "TactLayer"
    natives, replaced = host_natives(layer)
    function_dir = build / logical
    assert (function_dir / "app.py").read_text() == (ROOT / "functions" / folder / "app.py"
                                                      ).read_text()
    own = ""  # a function's own native packages (the model job's numpy and scipy)
    if native_packages(function_dir):
        own_dir, own_replaced = host_natives(build, logical, f"host-natives-{logical}")
        own, replaced = str(own_dir), replaced + own_replaced
    result = subprocess.run([python312(), "-I", "-S", "-c", PROBE, str(function_dir), str(layer),
                             str(natives), own], capture_output=True, text=True, timeout=120,
                            check=False, env={"PATH": os.environ.get("PATH", "")})
    assert result.returncode == 0, f"{logical} (native packages from this machine: " \
        f"{', '.join(replaced)}):\n{result.stderr[-3000:]}"
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["tact"].startswith(str(layer / "python"))
    assert seen["pydantic"].startswith(str(layer / "python"))
    assert seen["site"] == []  # nothing from an installed environment
    generated = json.loads((ROOT / "infra/generated/bundle.json").read_text())
    assert seen["journeys"] == sorted(generated["journeys"])


def test_layer_is_built_for_arm64_lambda() -> None:
    layer = built() / "TactLayer" / "python"
    libraries = [p.name for p in layer.rglob("*.so")]
    assert libraries, "pydantic-core at least has compiled code"
    assert all("aarch64" in name for name in libraries), libraries
    assert all("cpython-312" in name for name in libraries), libraries


def test_function_and_layer_fit_lambdas_size_limit() -> None:
    """Lambda refuses more than 250 MB unzipped for a function with its layers."""
    build = built()
    layer = sum(p.stat().st_size for p in (build / "TactLayer").rglob("*") if p.is_file())
    for logical, _ in built_functions():
        code = sum(p.stat().st_size for p in (build / logical).rglob("*") if p.is_file())
        assert layer + code < 250 * 1024 * 1024, (logical, layer + code)


def test_model_function_fits_with_what_it_ships() -> None:
    """numpy and scipy lose their test suites to fit beside the layer; the fit still runs."""
    build = built()
    layer, function_dir = build / "TactLayer", build / "ModelFunction"
    natives, _ = host_natives(layer)
    own, _ = host_natives(build, "ModelFunction", "host-natives-ModelFunction")
    fit = ("import sys; sys.path[:0] = sys.argv[1:]; from tact.recommend.fit import fit_bgnbd;"
           "print(fit_bgnbd([(2, 5.0, 30.0)] * 40 + [(0, 0.0, 30.0)] * 40))")
    result = subprocess.run([python312(), "-I", "-S", "-c", fit, str(own), str(function_dir),
                             str(natives), str(layer / "python")], capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0 and "alpha=" in result.stdout, result.stderr[-3000:]

"""The runtime image carries neither pytest nor the test kit and its fakes: the Dockerfile
installs the project without its test extra, the build context leaves every test folder and
``common/timebank_testing`` out, and the runtime dependency closure has no test package."""
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
TEST_ONLY = {"pytest", "hypothesis", "aiosmtpd", "pypdf", "ruff", "mypy", "import-linter",
             "timebank-testing"}


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def runtime_closure(root: str = "timebank") -> set[str]:
    """Every distribution the project needs to run: its requirements without extras, and
    theirs, as installed here."""
    seen, todo = set(), [root]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for raw in requires:
            requirement = Requirement(raw)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(_name(requirement.name))
    return seen


def test_the_runtime_dependencies_hold_no_test_package():
    closure = runtime_closure()
    assert "nameko" in closure and "sqlalchemy" in closure  # the closure is really walked
    assert closure & TEST_ONLY == set()


def test_the_image_installs_the_project_without_its_tests():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and all("[test]" not in line and "timebank_testing" not in line
                            for line in installs)
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {"**/tests", "tests", "common/timebank_testing"} <= ignored

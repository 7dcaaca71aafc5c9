# nameko and our database layer need a patched standard library (DESIGN.md §8);
# this must run before anything else imports sockets or threads.
#
# The console's browser tests (tests/console) run in a pytest process of their own without the
# patch: Playwright's sync API runs an asyncio loop, which eventlet's green threads confuse.
# deploy/test_groups.py runs them after the end-to-end tests; `pytest tests/console` works too.
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
_BROWSER_TESTS = _ROOT / "tests" / "console"


def _selected_paths(argv: list[str]) -> list[Path]:
    paths = []
    for arg in argv[1:]:
        candidate = Path(arg.split("::")[0])
        if not arg.startswith("-") and candidate.exists():
            paths.append(candidate.resolve())
    return paths


_SELECTED = _selected_paths(sys.argv)
BROWSER_ONLY = bool(_SELECTED) and all(p == _BROWSER_TESTS or _BROWSER_TESTS in p.parents
                                       for p in _SELECTED)

if not BROWSER_ONLY:
    import eventlet

    eventlet.monkey_patch()

pytest_plugins = ["timebank_testing.plugin"]


def pytest_ignore_collect(collection_path, config):
    """Under eventlet the browser tests cannot run: they have their own process."""
    if not BROWSER_ONLY and (collection_path == _BROWSER_TESTS or _BROWSER_TESTS in collection_path.parents):
        return True
    return None

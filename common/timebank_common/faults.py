"""Crash points for the failure tests.

``TIMEBANK_CRASH_AT=<point>`` makes the process exit abruptly (no cleanup,
like ``kill -9``) the first time it reaches ``crash_point(<point>)``. It is
unset in every real deployment; the chaos tests set it to prove that nothing is
lost or doubled when a process dies between two steps.
"""
import os


def crash_point(name: str) -> None:
    if os.environ.get("TIMEBANK_CRASH_AT") == name:
        os._exit(137)

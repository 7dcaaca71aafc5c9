"""Where a stuck process is stuck: on ``SIGUSR1`` every green thread's and OS thread's stack is
printed to standard error. Every service process installs it (``runner.py``: ``kill -USR1
<pid>`` writes the stacks into its log, and the chaos suite asks a platform that stopped
answering for them); so does the test kit's pytest plugin (``deploy/test_groups.py`` sends it
to a step that outlived its bound, just before killing it, so CI's log says what hung).

The OS threads' stacks alone would show only the eventlet hub waiting for I/O: under eventlet the
test is one of many greenlets, each parked in the hub, so their frames are found through the
garbage collector's list of greenlets.
"""
from __future__ import annotations

import gc
import signal
import sys
import traceback

SIGNAL = signal.SIGUSR1


def green_stacks() -> list[str]:
    """The stack of every greenlet that has one (a finished or unstarted one has none)."""
    try:
        import greenlet
    except ImportError:  # pragma: no cover - every session here has eventlet's greenlet
        return []
    stacks = []
    for obj in gc.get_objects():
        # type(), not isinstance(): the heap may hold a weak proxy whose object is gone, and
        # isinstance() on it asks the dead object for its class (ReferenceError)
        if issubclass(type(obj), greenlet.greenlet) and obj.gr_frame is not None:
            stacks.append(f"--- greenlet {obj!r}\n" + "".join(traceback.format_stack(obj.gr_frame)))
    return stacks


def dump(out=None) -> None:
    out = out or sys.__stderr__
    print("=== stacks (SIGUSR1) ===", file=out, flush=True)
    for ident, frame in sys._current_frames().items():
        print(f"--- thread {ident}\n" + "".join(traceback.format_stack(frame)), file=out)
    for stack in green_stacks():
        print(stack, file=out, flush=True)
    print("=== end of stacks ===", file=out, flush=True)


def install(around=None) -> None:
    """Dump on ``SIGNAL``; ``around()``, when given, is a context manager the dump runs in
    (the test kit's: past pytest's output capture)."""

    def on_signal(signum, frame):
        if around is None:
            dump()
            return
        with around():
            dump()

    signal.signal(SIGNAL, on_signal)

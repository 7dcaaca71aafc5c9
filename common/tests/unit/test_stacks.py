"""The stack dump a stuck process or test step prints on SIGUSR1 (``timebank_common.stacks``)."""
import io

import eventlet
from eventlet.event import Event

from timebank_common import stacks


def parked_somewhere_recognisable(parked: Event):
    parked.send()
    eventlet.sleep(60)


def park() -> eventlet.greenthread.GreenThread:
    """A green thread parked in the hub, once it is there (other green threads of the session
    may be scheduled before it: waiting on it, not on one turn of the hub)."""
    parked = Event()
    thread = eventlet.spawn(parked_somewhere_recognisable, parked)
    parked.wait()
    eventlet.sleep(0)  # past its send(): now in its sleep
    return thread


def test_a_parked_green_thread_shows_where_it_waits():
    thread = park()
    try:
        assert any("parked_somewhere_recognisable" in s for s in stacks.green_stacks())
    finally:
        thread.kill()


def test_the_dump_names_this_test_and_ends_with_a_marker():
    out = io.StringIO()
    thread = park()
    try:
        stacks.dump(out)
    finally:
        thread.kill()
    text = out.getvalue()
    assert text.startswith("=== stacks (SIGUSR1) ===")
    assert "parked_somewhere_recognisable" in text
    assert text.rstrip().endswith("=== end of stacks ===")


def test_a_dead_weak_proxy_on_the_heap_does_not_stop_the_dump():
    """The heap may hold a weak proxy whose object is gone (the CI run where isinstance() on one
    raised ReferenceError and the dump failed)."""
    import weakref

    from timebank_common import stacks

    class Thing:
        pass

    thing = Thing()
    dead = weakref.proxy(thing)
    del thing
    holder = [dead]  # kept on the heap while the dump walks it
    assert isinstance(stacks.green_stacks(), list)
    assert holder

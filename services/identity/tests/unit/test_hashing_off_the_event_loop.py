"""A password check runs in a native thread: the process's other green threads go on while
argon2 works (on the event loop, every login stopped all of identity's requests)."""
import eventlet

from identity.adapters import hashing


def test_other_green_threads_run_while_a_password_is_checked():
    stored = hashing.hash_password("Correct@2026")
    ticks = []

    def ticker():
        while True:
            ticks.append(1)
            eventlet.sleep(0)

    other = eventlet.spawn(ticker)
    eventlet.sleep(0)  # let it start
    ticks.clear()
    try:
        assert hashing.verify_password(stored, "Correct@2026")
        during_check = len(ticks)
    finally:
        other.kill()
    assert during_check > 0  # on the event loop it would be 0: nothing else runs meanwhile
    assert not hashing.verify_password(stored, "wrong") and not hashing.verify_password(None, "x")

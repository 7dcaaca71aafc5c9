"""The broker's own view of this process's consumers, looked at now and then: a safety net for
a consumer the broker dropped while the client still believes it consumes.

The chaos suite saw it after a broker node's kill: a process reconnected to another node and
went on draining its connection, but the broker had no consumer of its queues — identity's
``rpc-identity`` showed 0 consumers with 66 requests waiting, and in another run the gateway's
reply queue was gone, so every answer to it was dropped — until the process was restarted.
Nothing on the client's side fails in that state, so nothing reconnects.

Every ``CONSUMER_AUDIT_SECONDS`` (15 s) the consuming green thread asks the broker about each
queue it consumes (``queue.declare`` with ``passive``: one round trip per queue, answered from
the broker's metadata): a queue that no longer exists fails the declaration (404, a channel
error), and a queue that shows no consumer at ``MISSES`` looks in a row (a quorum queue
electing a leader may report 0 for a moment) raises ``ConsumerLost``. Both are errors of the
connection to kombu's consumer loop, which then connects again and consumes every queue anew
(redeclaring a transient reply queue on the node it reaches). What was delivered and not
acknowledged goes back to its queue: an inbox drops an event already applied, an RPC caller
with an idempotency key gets its first answer.

The audit runs in the consuming green thread, between two reads of its connection; a thread
stuck elsewhere never gets there. The other failing run pointed that way: identity held a
connection the broker had opened with no channel on it, and logged no reconnection. So a
watchdog beside nameko's consumer (``StallWatch``) notes every sign of progress — each turn of
the loop, each failed connection attempt (a broker that is down is not a stall), each
connection made — and when there has been none for ``CONSUMER_STALL_SECONDS`` (60 s) it logs
the consumer's stack and raises ``ConsumerStalled`` inside it, at whatever it waits on: kombu's
loop takes that as a lost connection and connects again.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from amqp.exceptions import RecoverableConnectionError

log = logging.getLogger(__name__)

DEFAULT_AUDIT_SECONDS = 15.0
DEFAULT_STALL_SECONDS = 60.0
MISSES = 2


class ConsumerLost(RecoverableConnectionError):
    """The broker shows no consumer on a queue this process consumes: consume again."""


class ConsumerStalled(RecoverableConnectionError):
    """The consuming green thread made no progress for too long: consume again."""


class StallWatch:
    """When the consuming thread last moved, and whether it has been still for too long (pure:
    the clock is given)."""

    def __init__(self, stall_seconds: float = DEFAULT_STALL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.stall_seconds, self.clock = stall_seconds, clock
        self.moved_at = clock()

    def moved(self) -> None:
        self.moved_at = self.clock()

    def stalled(self) -> bool:
        """Still for ``stall_seconds`` (then the count starts again: one nudge per stall)."""
        if self.stall_seconds <= 0 or self.clock() - self.moved_at < self.stall_seconds:
            return False
        self.moved()
        return True


def stall_seconds(config) -> float:
    return float(config.get("CONSUMER_STALL_SECONDS", DEFAULT_STALL_SECONDS))


class ConsumerAudit:
    """When to look, and what the looks add up to (pure: the clock is given)."""

    def __init__(self, interval: float = DEFAULT_AUDIT_SECONDS, misses: int = MISSES,
                 clock: Callable[[], float] = time.monotonic):
        self.interval, self.misses, self.clock = interval, misses, clock
        self.next_at = clock() + interval
        self.empty_looks: dict[str, int] = {}

    def due(self) -> bool:
        """Whether it is time to look (and, if so, the next look is one interval away)."""
        if self.interval <= 0 or self.clock() < self.next_at:
            return False
        self.next_at = self.clock() + self.interval
        return True

    def restart(self) -> None:
        """A new connection: the next look one interval away, the misses forgotten."""
        self.next_at = self.clock() + self.interval
        self.empty_looks.clear()

    def saw(self, queue: str, consumers: int) -> bool:
        """Record what the broker said of ``queue``; True when it has shown no consumer at
        ``misses`` looks in a row."""
        if consumers > 0:
            self.empty_looks.pop(queue, None)
            return False
        self.empty_looks[queue] = self.empty_looks.get(queue, 0) + 1
        return self.empty_looks[queue] >= self.misses


def audit_interval(config) -> float:
    return float(config.get("CONSUMER_AUDIT_SECONDS", DEFAULT_AUDIT_SECONDS))


def look(channel, queues: Iterable[str], audit: ConsumerAudit) -> None:
    """Ask the broker about each of ``queues`` on ``channel`` (a py-amqp channel the caller's
    green thread consumes on); raise ``ConsumerLost`` for one the broker shows no consumer of
    (see the module's docstring). A queue gone raises the broker's 404 as a channel error."""
    for queue in queues:
        _, _, consumers = channel.queue_declare(queue=queue, passive=True)
        if audit.saw(queue, consumers):
            log.warning("the broker shows no consumer of %s, which this process consumes: "
                        "consuming again on a new connection", queue)
            raise ConsumerLost(f"no consumer of {queue} on the broker")

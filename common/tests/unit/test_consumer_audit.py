"""When the consumers' audit looks, and when what it saw means a consumer was lost
(``timebank_common.consumer_audit``); the clock is the test's."""
import pytest

from timebank_common.consumer_audit import ConsumerAudit, ConsumerLost, look


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_it_looks_once_per_interval():
    clock = Clock()
    audit = ConsumerAudit(15, clock=clock)
    assert not audit.due()
    clock.now += 15
    assert audit.due() and not audit.due()
    clock.now += 14.9
    assert not audit.due()
    clock.now += 0.1
    assert audit.due()


def test_a_new_connection_puts_the_next_look_an_interval_away_and_forgets_the_misses():
    clock = Clock()
    audit = ConsumerAudit(15, misses=2, clock=clock)
    assert not audit.saw("rpc-identity", 0)
    clock.now += 20
    audit.restart()
    assert not audit.due()
    assert not audit.saw("rpc-identity", 0)  # one miss again, not the second


def test_no_consumer_at_two_looks_in_a_row_is_lost_one_in_between_is_not():
    audit = ConsumerAudit(15, misses=2, clock=Clock())
    assert not audit.saw("rpc-identity", 0)
    assert not audit.saw("rpc-identity", 1)  # a leader's election may show 0 for a moment
    assert not audit.saw("rpc-identity", 0)
    assert audit.saw("rpc-identity", 0)
    assert not audit.saw("rpc-demand", 0)  # each queue counts its own


def test_an_interval_of_zero_never_looks():
    clock = Clock()
    audit = ConsumerAudit(0, clock=clock)
    clock.now += 10_000
    assert not audit.due()


class Channel:
    def __init__(self, consumers):
        self.consumers = consumers
        self.asked = []

    def queue_declare(self, queue, passive):
        assert passive  # never creates what it asks about
        self.asked.append(queue)
        return queue, 0, self.consumers[queue]


def test_a_look_asks_every_queue_and_raises_when_one_has_lost_its_consumer():
    audit = ConsumerAudit(15, misses=1, clock=Clock())
    channel = Channel({"rpc-ledger": 2, "evt-demand-x--ledger.on_x": 0})
    with pytest.raises(ConsumerLost, match="evt-demand-x--ledger.on_x"):
        look(channel, ["rpc-ledger", "evt-demand-x--ledger.on_x"], audit)
    assert channel.asked == ["rpc-ledger", "evt-demand-x--ledger.on_x"]
    look(Channel({"rpc-ledger": 1}), ["rpc-ledger"], audit)  # consumed: nothing to do


def test_a_consumer_still_for_the_stall_time_is_stalled_once_per_stall():
    from timebank_common.consumer_audit import StallWatch

    clock = Clock()
    watch = StallWatch(60, clock=clock)
    clock.now += 59
    assert not watch.stalled()
    watch.moved()  # a turn of its loop, or a failed connection attempt
    clock.now += 59
    assert not watch.stalled()
    clock.now += 1
    assert watch.stalled()
    assert not watch.stalled()  # the count starts again after a nudge
    clock.now += 60
    assert watch.stalled()
    assert not StallWatch(0, clock=clock).stalled()  # 0: never

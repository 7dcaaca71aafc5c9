"""The kit's metrics without I/O: gauges absent until measured, no ``_created`` series, the
scrape's refresh leaving out what it could not read."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, generate_latest

from timebank_common import metrics
from timebank_common.metrics import MeasuredGauge


def test_a_measured_gauge_is_absent_until_set_and_after_clear():
    registry = CollectorRegistry()
    gauge = MeasuredGauge("timebank_test_gauge", "a test gauge", registry=registry)
    assert b"timebank_test_gauge" not in generate_latest(registry)
    assert gauge.value() is None
    gauge.set(0)
    assert b"timebank_test_gauge 0.0" in generate_latest(registry)
    assert registry.get_sample_value("timebank_test_gauge") == 0.0
    gauge.clear()
    assert b"timebank_test_gauge " not in generate_latest(registry)


def test_a_measured_gauge_name_is_known_to_the_registry_before_it_is_set():
    registry = CollectorRegistry()
    MeasuredGauge("timebank_test_twice", "first", registry=registry)
    try:
        MeasuredGauge("timebank_test_twice", "second", registry=registry)
    except ValueError as exc:
        assert "Duplicated timeseries" in str(exc)
    else:
        raise AssertionError("a second gauge of the same name was accepted")


def test_counters_carry_no_created_series():
    registry = CollectorRegistry()
    Counter("timebank_test_things_total", "things", registry=registry).inc()
    text = generate_latest(registry).decode()
    assert "timebank_test_things_total 1.0" in text and "_created" not in text


class _Probe:
    def __init__(self, depth):
        self._depth = depth

    def depth(self):
        return self._depth


def test_an_unreachable_broker_leaves_the_dead_letters_absent_and_says_so():
    metrics.refresh_gauges(None, _Probe(4))
    assert (metrics.DEAD_LETTERS.value(), metrics.DEAD_LETTERS_CHECK_OK.value()) == (4, 1)
    metrics.refresh_gauges(None, _Probe(None))  # the broker could not be reached
    assert metrics.DEAD_LETTERS.value() is None and metrics.DEAD_LETTERS_CHECK_OK.value() == 0
    text = generate_latest().decode()
    assert "timebank_dead_letters_check_ok 0.0" in text
    assert "\ntimebank_dead_letters " not in text


def test_an_unreadable_outbox_leaves_its_gauges_absent_and_says_so():
    class _Broken:
        def connect(self):
            raise OSError("database down")

        begin = connect

    metrics.refresh_gauges(_Broken(), None)
    assert metrics.OUTBOX_BACKLOG.value() is None and metrics.OUTBOX_OLDEST_AGE.value() is None
    assert metrics.OUTBOX_CHECK_OK.value() == 0

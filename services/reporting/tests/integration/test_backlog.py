"""The queued-events gauge's source: reporting's queue names and their ready messages, read
without taking any."""
from __future__ import annotations

from kombu import Connection, Queue

from reporting.adapters.backlog import event_queue_names, waiting
from reporting.service import ReportingService


def test_every_consumed_event_has_its_queue_name():
    names = event_queue_names(ReportingService)
    assert "evt-demand-service_recorded--reporting.on_service_recorded" in names
    assert "evt-ledger-hours_credited--reporting.on_hours_credited" in names
    assert "evt-ledger-milestone_reached--reporting.on_milestone_reached" in names
    assert len(names) == 27  # + demand_rejected, demand_assigned, assignment_no_show, _withdrawn
    assert "evt-matching-first_candidate_found--reporting.on_first_candidate_found" in names


def test_ready_messages_are_counted_and_left_in_place(amqp_uri):
    name = "reporting-test-waiting"
    with Connection(amqp_uri) as conn:
        queue = Queue(name, durable=False, auto_delete=False)
        queue(conn.default_channel).declare()
        producer = conn.Producer()
        for n in range(3):
            producer.publish({"n": n}, routing_key=name, serializer="json")
        try:
            assert waiting(amqp_uri, [name, "no-such-queue"]) == 3
            assert waiting(amqp_uri, [name]) == 3  # still there
        finally:
            queue(conn.default_channel).delete()

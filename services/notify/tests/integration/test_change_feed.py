"""The change feed and webhooks of municipal systems, through notify's entrypoints on real
PostgreSQL (rolled back after each test): events become changes of their city, once each, in
order; a client pages with its cursor; each change is POSTed signed to the city's endpoints,
retried with back-off on the test's clock, then dead and replayed."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import text
from timebank_testing.fake_channels import webhook_receiver

from notify.adapters import change_repository, webhook_repository
from notify.app import changes as change_feed
from notify.app import webhooks as webhook_app
from notify.commands import webhooks as webhook_command
from notify.domain.changes import encode_cursor
from timebank_common.errors import BadInput, Forbidden, Gone, NotFound, RuleViolation

from .conftest import event

SHIJIAZHUANG = "130100000000"
CHANGAN_COMMUNITY = "130102001001"
BAODING_COMMUNITY = "130602001001"


def client(scope=SHIJIAZHUANG, client_id="sjz-hotline"):
    return {"person_id": None, "client_id": client_id, "roles": ["api_client"], "scope": scope}


def submitted(region=CHANGAN_COMMUNITY, demand_id=None):
    return event("demand_submitted", {
        "demand_id": demand_id or str(uuid.uuid4()), "elder_id": str(uuid.uuid4()),
        "category": "chat", "region_code": region, "channel": "api",
        "window_start": "2030-05-02T01:00:00+00:00", "window_end": "2030-05-02T02:00:00+00:00",
        "expected_minutes": 60, "volunteers_needed": 1}, region)


def registered(region=CHANGAN_COMMUNITY):
    return event("person_registered", {"person_id": str(uuid.uuid4()), "profile": "elder",
                                       "region_code": region}, region)


@pytest.fixture
def hooks(notify):
    """notify with webhook retries on a short scale: 3 attempts, 30 s then 60 s apart."""
    notify.config["WEBHOOKS"] = {"max_attempts": 3, "backoff_base_seconds": 30,
                                 "backoff_cap_seconds": 3600, "sending_lease_seconds": 60,
                                 "timeout_seconds": 5, "max_endpoints": 2}
    return notify


def test_a_client_reads_its_citys_changes_in_order_and_resumes_from_its_cursor(notify):
    first, other_city, second = submitted(), submitted(BAODING_COMMUNITY), registered()
    notify.feed_demand_submitted([first])
    notify.feed_demand_submitted([other_city])
    notify.feed_person_registered([second])

    page = notify.changes(client(), {"limit": 1})
    [item] = page["items"]
    assert item["kind"] == "demand" and item["event"] == "demand_submitted"
    assert item["entity_id"] == first["payload"]["demand_id"]
    assert item["region_code"] == CHANGAN_COMMUNITY and item["payload"]["channel"] == "api"
    assert page["has_more"] is True

    rest = notify.changes(client(), {"cursor": page["next_cursor"]})
    assert [i["event"] for i in rest["items"]] == ["person_registered"]
    assert rest["items"][0]["sequence"] > item["sequence"] and rest["has_more"] is False

    quiet = notify.changes(client(), {"cursor": rest["next_cursor"]})
    assert quiet["items"] == [] and quiet["next_cursor"] == rest["next_cursor"]

    baoding = notify.changes(client("130600000000", "bd"), {})
    assert [i["entity_id"] for i in baoding["items"]] == [other_city["payload"]["demand_id"]]


def test_a_batch_of_events_makes_their_changes_in_the_order_they_came(notify):
    """The feed's handlers take events in batches (one lock, one commit); a redelivered
    event inside a batch still makes one change."""
    events = [submitted() for _ in range(3)]
    notify.feed_demand_submitted([events[0], events[1], events[0], events[2]])
    items = notify.changes(client(), {})["items"]
    assert [i["entity_id"] for i in items] == [e["payload"]["demand_id"] for e in events]
    assert [i["sequence"] for i in items] == sorted(i["sequence"] for i in items)


def test_an_event_delivered_twice_makes_one_change(notify):
    once = submitted()
    notify.feed_demand_submitted([once])
    notify.feed_demand_submitted([once])
    assert len(notify.changes(client(), {})["items"]) == 1


def test_the_feed_is_for_municipal_systems_and_refuses_a_cursor_it_never_gave(notify):
    with pytest.raises(Forbidden):
        notify.changes({"person_id": "p", "roles": ["city_admin"], "scope": SHIJIAZHUANG}, {})
    with pytest.raises(BadInput) as refused:
        notify.changes(client(), {"cursor": "not-a-cursor"})
    assert refused.value.code == "invalid_cursor"
    with pytest.raises(BadInput) as future:
        notify.changes(client(), {"cursor": encode_cursor(10**12)})
    assert future.value.code == "invalid_cursor"
    with pytest.raises(BadInput) as too_many:
        notify.changes(client(), {"limit": 501})
    assert too_many.value.code == "validation_failed"


def test_a_cursor_older_than_the_retention_answers_410(notify, uow_factory, clock):
    notify.feed_demand_submitted([submitted()])
    old = notify.changes(client(), {})
    start = encode_cursor(0)
    clock.advance(days=31)
    notify.feed_demand_submitted([submitted()])
    notify.prune_changes()  # 30 days kept by default
    with pytest.raises(Gone) as expired:
        notify.changes(client(), {"cursor": start})
    assert expired.value.status == 410 and expired.value.code == "cursor_expired"
    assert expired.value.zh and expired.value.en
    fresh = notify.changes(client(), {"cursor": old["next_cursor"]})  # nothing missed
    assert len(fresh["items"]) == 1
    assert len(notify.changes(client(), {})["items"]) == 1  # no cursor: what is kept


def test_sequences_are_taken_under_the_feed_lock(notify, uow_factory):
    """A writer holds the feed's advisory lock from taking its sequence to its commit, so a
    later writer's (higher) sequence cannot become visible first (the module's docstring)."""
    db = uow_factory("notify")
    with db() as uow:
        change_feed.record(uow, {**submitted(), "occurred_at": dt.datetime.now(dt.UTC)},
                           dt.datetime.now(dt.UTC))
        held = uow.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
            "AND pid = pg_backend_pid()"), {"key": change_repository.FEED_LOCK}).scalar()
    assert held == 1


def test_webhooks_are_created_listed_and_deleted_by_their_client_only(hooks):
    created = hooks.create_webhook(client(), {"url": "https://sjz.example.cn/timebank"})
    assert created["secret"].startswith("whsec_")
    listed = hooks.webhooks(client())["items"]
    assert listed == [{k: created[k] for k in ("webhook_id", "url", "created_at")}]
    assert hooks.webhooks(client(client_id="other"))["items"] == []
    with pytest.raises(NotFound):
        hooks.delete_webhook(client(client_id="other"), created["webhook_id"])
    with pytest.raises(BadInput) as plain:
        hooks.create_webhook(client(), {"url": "http://sjz.example.cn/timebank"})
    assert plain.value.code == "invalid_webhook_url"
    hooks.create_webhook(client(), {"url": "https://sjz.example.cn/2"})
    with pytest.raises(RuleViolation):
        hooks.create_webhook(client(), {"url": "https://sjz.example.cn/3"})
    assert hooks.delete_webhook(client(), created["webhook_id"])["deleted"] is True
    assert len(hooks.webhooks(client())["items"]) == 1
    with pytest.raises(Forbidden):
        hooks.webhooks({"person_id": "p", "roles": ["volunteer"], "scope": CHANGAN_COMMUNITY})


def test_each_change_is_posted_signed_retried_with_backoff_then_dead_and_replayed(
        hooks, clock, uow_factory):
    with webhook_receiver() as receiver:
        created = hooks.create_webhook(client(), {"url": receiver.url})
        receiver.secret, receiver.clock = created["secret"], clock
        demand = submitted()
        hooks.feed_demand_submitted([demand])
        hooks.feed_demand_submitted([submitted(BAODING_COMMUNITY)])  # another city: not sent

        receiver.fail_next(1)
        hooks.send_webhooks()
        [first] = receiver.received
        assert first["status"] == 500 and first["signature_ok"]
        hooks.send_webhooks()
        assert len(receiver.received) == 1  # not due before its back-off

        clock.advance(seconds=30)
        hooks.send_webhooks()
        second = receiver.received[-1]
        assert second["status"] == 204 and second["delivery"] == first["delivery"]
        [body] = receiver.accepted()
        assert body["change"]["entity_id"] == demand["payload"]["demand_id"]
        assert body["change"]["event"] == "demand_submitted"
        assert body["delivery_id"] == first["delivery"]

        receiver.fail_next(10)
        hooks.feed_person_registered([registered()])
        for pause in (0, 30, 60):  # three attempts, 30 s then 60 s apart
            clock.advance(seconds=pause)
            hooks.send_webhooks()
        assert [r["status"] for r in receiver.received[2:]] == [500, 500, 500]
        [dead] = hooks.dead_webhook_deliveries(10)["items"]
        assert dead["status"] == "dead" and dead["attempts"] == 3
        clock.advance(hours=2)
        hooks.send_webhooks()
        assert len(receiver.received) == 5  # dead: never retried by itself

        receiver.fail_next(0)
        db = uow_factory("notify")
        replayed = webhook_app.replay(db, dead["delivery_id"], clock.now())
        assert replayed["status"] == "pending" and replayed["attempts"] == 0
        hooks.send_webhooks()
        assert receiver.received[-1]["status"] == 204
        assert [b["change"]["event"] for b in receiver.accepted()] == \
            ["demand_submitted", "person_registered"]
        assert hooks.dead_webhook_deliveries(10)["items"] == []


def test_replay_refuses_what_is_not_dead(hooks):
    with pytest.raises(NotFound):
        hooks.replay_webhook_delivery(str(uuid.uuid4()))
    with pytest.raises(BadInput):
        hooks.replay_webhook_delivery("nope")


def test_the_command_lists_dead_deliveries_and_replays_one(capsys, monkeypatch, uow_factory):
    db = uow_factory("notify")
    calls = []
    monkeypatch.setattr(webhook_command, "units_of_work", lambda url: _Given(db))
    monkeypatch.setattr(webhook_command.webhooks, "dead", lambda d, limit: calls.append(limit) or [
        {"delivery_id": "x", "updated_at": dt.datetime(2030, 1, 1, tzinfo=dt.UTC)}])
    assert webhook_command.main(["--config", "deploy/config/notify.yaml", "dead",
                                 "--limit", "7"]) == 0
    assert calls == [7] and '"delivery_id": "x"' in capsys.readouterr().out
    assert webhook_command.main(["--config", "deploy/config/notify.yaml", "replay",
                                 str(uuid.uuid4())]) == 1
    assert "delivery_not_found" in capsys.readouterr().err


class _Given:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        return False


def test_a_cursor_stays_valid_when_every_kept_change_was_pruned(notify, clock):
    notify.feed_demand_submitted([submitted()])
    cursor = notify.changes(client(), {})["next_cursor"]
    clock.advance(days=31)
    notify.prune_changes()
    quiet = notify.changes(client(), {"cursor": cursor})  # nothing missed, nothing new
    assert quiet["items"] == [] and quiet["next_cursor"] == cursor


HANDAN, HANDAN_COMMUNITY = "130400000000", "130402001001"  # a city no other test reads


def test_a_reader_never_passes_a_change_that_commits_later_with_a_smaller_sequence(database_url):
    """Two writers on real connections: the first takes its sequence and holds its
    transaction open; the second must wait for it (the feed lock) instead of committing a
    higher sequence first — else a reader would see that one, move its cursor past the
    first, and never see the first. Committed rows of 邯郸 only, removed at the end."""
    import eventlet
    from eventlet.event import Event
    from timebank_testing import wait_for

    from timebank_common.caller import Caller
    from timebank_common.db import UnitOfWork, make_engine

    engine = make_engine(database_url("notify"), pool_size=3)
    reader = Caller.from_dict(client(HANDAN, "hd-system"))
    now = dt.datetime.now(dt.UTC)
    first, second = submitted(HANDAN_COMMUNITY), submitted(HANDAN_COMMUNITY)
    taken, release = Event(), Event()

    def write(envelope, hold=False):
        with UnitOfWork(engine) as uow:
            sequences = change_feed.record(uow, {**envelope, "occurred_at": now}, now)
            if hold:
                taken.send(sequences)
                release.wait()
            uow.commit()
        return sequences

    def waiting_for_the_lock() -> bool:
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :key "
                "AND NOT granted"), {"key": change_repository.FEED_LOCK}).scalar())

    try:
        slow = eventlet.spawn(write, first, hold=True)
        [first_sequence] = taken.wait()
        fast = eventlet.spawn(write, second)
        wait_for(lambda: waiting_for_the_lock() or fast.dead, timeout=10)
        seen = change_feed.read(lambda: UnitOfWork(engine), reader, {"limit": 10})
        assert seen["items"] == []  # neither is visible: the second has no sequence yet
        release.send()
        assert slow.wait() == [first_sequence]
        [second_sequence] = fast.wait()
        assert second_sequence > first_sequence
        after = change_feed.read(lambda: UnitOfWork(engine), reader,
                                 {"cursor": seen["next_cursor"], "limit": 10})
        assert [i["sequence"] for i in after["items"]] == [first_sequence, second_sequence]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM changes WHERE region_code = :r"),
                         {"r": HANDAN_COMMUNITY})
        engine.dispose()


def test_a_revoked_client_gets_nothing_more_pushed(hooks, uow_factory):
    mine = hooks.create_webhook(client(), {"url": "https://sjz.example.cn/h"})
    other = hooks.create_webhook(client(client_id="other"), {"url": "https://o.example.cn/h"})
    hooks.webhooks_on_tokens_revoked(event("tokens_revoked", {
        "person_id": None, "client_id": "sjz-hotline", "session_id": None,
        "revoked_before": "2026-06-15T02:00:00+00:00", "reason": "password_changed"}, None))
    assert len(hooks.webhooks(client())["items"]) == 1  # another reason: kept
    hooks.webhooks_on_tokens_revoked(event("tokens_revoked", {
        "person_id": None, "client_id": "sjz-hotline", "session_id": None,
        "revoked_before": "2026-06-15T02:00:00+00:00", "reason": "client_revoked"}, None))
    assert hooks.webhooks(client())["items"] == []
    assert [h["webhook_id"] for h in hooks.webhooks(client(client_id="other"))["items"]] == \
        [other["webhook_id"]]
    hooks.feed_demand_submitted([submitted()])
    with uow_factory("notify")() as uow:
        assert webhook_repository.deliveries_of_endpoint(uow, mine["webhook_id"]) == []
        assert len(webhook_repository.deliveries_of_endpoint(uow, other["webhook_id"])) == 1


def test_an_endpoint_that_does_not_answer_in_time_or_refuses_is_a_failure():
    """The sender's outcomes, against real sockets: a listener that never answers (timeout),
    and a port nobody listens on."""
    import socket

    from notify.adapters.webhook_sender import WebhookSender

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        hung = WebhookSender(timeout_seconds=0.3).post(f"http://127.0.0.1:{port}/h", b"{}", {})
    assert hung.status is None and not hung.ok and hung.error.startswith("no answer")
    refused = WebhookSender(timeout_seconds=0.3).post(f"http://127.0.0.1:{port}/h", b"{}", {})
    assert refused.status is None and not refused.ok

"""The demand state machine and the reservation saga as a property test (hypothesis).

Random sequences of claims, withdrawals, no-show sweeps, check-ins/outs, recordings,
cancellations and the passing of time, with the saga's messages delivered to a model
ledger in any order (and twice): no illegal state, never more volunteers than slots, a
refused action changes nothing, and every reservation requested is closed exactly once
(posted or released) once its assignment has ended, none left open, none closed twice.
"""
import copy
import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from demand.domain import payments
from demand.domain.lifecycle import (
    ASSIGNED,
    AWAITING_RECORD,
    CANCELLED,
    ENDED_ASSIGNMENT,
    IN_SERVICE,
    NO_SHOW,
    PUBLISHED,
    RECORDED,
    STATUSES,
    WITHDRAWN,
    Demand,
)
from timebank_common.errors import DomainError

NOW = dt.datetime(2030, 5, 1, 1, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(hours=2)
GRACE = dt.timedelta(minutes=30)
VOLUNTEERS = st.sampled_from(["v1", "v2", "v3", "v4", "v5"])
ASSIGNMENT_STATUSES = {ASSIGNED, IN_SERVICE, AWAITING_RECORD, RECORDED, WITHDRAWN, NO_SHOW}


class ModelLedger:
    """The ledger's reservation rules (services/ledger/ledger/reservations.py) in memory."""

    def __init__(self):
        self.state: dict[str, str] = {}  # reservation id -> pending | posted | voided
        self.tombstones: set[str] = set()
        self.seen: set[int] = set()  # inbox
        self.closings: dict[str, int] = {}

    def handle(self, message_id: int, kind: str, reservation: str) -> str | None:
        if message_id in self.seen:
            return None  # a redelivery: the inbox skips it
        self.seen.add(message_id)
        if kind == "request":
            if reservation in self.tombstones:
                return None
            self.state[reservation] = "pending"
            return "reserved"
        self.tombstones.add(reservation)
        if self.state.get(reservation) == "pending":
            self.state[reservation] = "posted" if kind == "settle" else "voided"
            self.closings[reservation] = self.closings.get(reservation, 0) + 1
        return None


class DemandWithSaga(RuleBasedStateMachine):
    @initialize(needed=st.integers(1, 3),
                funding=st.sampled_from(["own_hours", "grant", "issuance", "donation_pool"]))
    def publish(self, needed, funding):
        self.demand = Demand(id="d1", elder_id="elder", category="culture_sports",
                             region_code="130102001001", window_start=START,
                             window_end=START + dt.timedelta(hours=3), expected_minutes=60,
                             volunteers_needed=needed, channel="phone")
        self.demand.review("approve", "op", NOW, funding_source=funding)
        self.now = NOW
        self.outbox: list[tuple[int, str, str]] = []  # (message id, kind, assignment id)
        self.to_demand: list[tuple[str, str]] = []  # the ledger's replies
        self.ledger = ModelLedger()
        self.serial = 0

    # --- the service layer's saga calls (rpc_assignment.py, payments.py) -------------
    def _emit(self, kind: str, assignment) -> None:
        self.serial += 1
        self.outbox.append((self.serial, kind, assignment.id))

    def _release(self, assignment) -> None:
        if payments.must_release(assignment.reservation_status):
            assignment.reservation_status = payments.RELEASED
            self._emit("release", assignment)

    def _attempt(self, action):
        before = copy.deepcopy(self.demand)
        try:
            return action()
        except DomainError:
            assert self.demand == before, "a refused action must change nothing"
            return None

    # --- rules ---------------------------------------------------------------------
    @rule(volunteer=VOLUNTEERS)
    def claim(self, volunteer):
        assignment = self._attempt(lambda: self.demand.assign(volunteer, None, "op", self.now))
        if assignment is not None:
            assignment.id = f"a-{volunteer}"
            if payments.needs_reservation(self.demand.funding_source):
                assignment.reservation_status = payments.REQUESTED
                self._emit("request", assignment)

    @rule(volunteer=VOLUNTEERS)
    def withdraw(self, volunteer):
        assignment = self._attempt(lambda: self.demand.withdraw(volunteer, "有事", self.now))
        if assignment is not None:
            self._release(assignment)

    @rule()
    def sweep_no_shows(self):
        for assignment in self.demand.no_show_due(self.now, GRACE):
            self.demand.mark_no_show(assignment.volunteer_id, self.now, GRACE)
            self._release(assignment)
            if self.demand.status == CANCELLED:
                for other in self.demand.assignments:
                    self._release(other)

    @rule(volunteer=VOLUNTEERS)
    def check_in(self, volunteer):
        self._attempt(lambda: self.demand.check_in(volunteer, self.now, self.now))

    @rule(volunteer=VOLUNTEERS)
    def check_out(self, volunteer):
        self._attempt(lambda: self.demand.check_out(volunteer, self.now, self.now))

    @rule(volunteer=VOLUNTEERS)
    def record(self, volunteer):
        assignment = self._attempt(lambda: self.demand.mark_recorded(volunteer))
        if assignment is not None and payments.must_release(assignment.reservation_status):
            assignment.reservation_status = payments.SETTLED
            self._emit("settle", assignment)

    @rule()
    def cancel(self):
        if self._attempt(lambda: self.demand.cancel("op", self.now, "老人住院") or True):
            for assignment in self.demand.assignments:
                self._release(assignment)

    @rule(minutes=st.sampled_from([10, 45, 120, 240]))
    def time_passes(self, minutes):
        self.now += dt.timedelta(minutes=minutes)

    @rule(data=st.data())
    def deliver_to_ledger(self, data):
        """Any published message, in any order; sometimes twice (redelivery)."""
        if not self.outbox:
            return
        index = data.draw(st.integers(0, len(self.outbox) - 1))
        message_id, kind, assignment_id = self.outbox[index]
        if not data.draw(st.booleans()):
            self.outbox.pop(index)
        reply = self.ledger.handle(message_id, kind, payments.reservation_id(assignment_id))
        if reply:
            self.to_demand.append((assignment_id, reply))

    @rule()
    def deliver_reply(self):
        if self.to_demand:
            assignment_id, reply = self.to_demand.pop(0)
            assignment = next(a for a in self.demand.assignments if a.id == assignment_id)
            assignment.reservation_status = payments.after_reply(
                assignment.reservation_status, reply)

    # --- invariants ----------------------------------------------------------------
    @invariant()
    def legal_state(self):
        d = self.demand
        assert d.status in STATUSES
        live = d.live_assignments()
        assert len(live) <= d.volunteers_needed and d.open_slots >= 0
        assert len({a.volunteer_id for a in d.assignments}) == len(d.assignments)
        for a in d.assignments:
            assert a.status in ASSIGNMENT_STATUSES
            if a.status in (IN_SERVICE, AWAITING_RECORD, RECORDED):
                assert a.checked_in_at is not None
            if a.status in (AWAITING_RECORD, RECORDED):
                assert a.checked_out_at > a.checked_in_at
            if a.status in ENDED_ASSIGNMENT:
                assert a.checked_in_at is None and a.end_reason
        if d.status == PUBLISHED:
            assert d.open_slots > 0 or any(a.status != ASSIGNED for a in live)
        if d.status == RECORDED:
            assert live and all(a.status == RECORDED for a in live)

    @invariant()
    def saga_messages(self):
        """Per assignment: at most one request, at most one closing message after it."""
        if not hasattr(self, "serial"):
            return
        sent = getattr(self, "sent", {})
        for message_id, kind, assignment_id in self.outbox:
            sent.setdefault(assignment_id, {})[message_id] = kind
        self.sent = sent
        for messages in sent.values():
            kinds = [messages[m] for m in sorted(messages)]
            assert kinds in (["request"], ["request", "release"], ["request", "settle"]), kinds
        assert all(count == 1 for count in self.ledger.closings.values())

    def teardown(self):
        """Deliver everything left (in order) and replies: nothing stays reserved for an
        assignment that has ended; a live one holds at most its own reservation."""
        if not hasattr(self, "serial"):
            return
        for message_id, kind, assignment_id in list(self.outbox):
            self.ledger.handle(message_id, kind, payments.reservation_id(assignment_id))
        for a in self.demand.assignments:
            state = self.ledger.state.get(payments.reservation_id(a.id))
            ended = (a.status in ENDED_ASSIGNMENT or a.status == RECORDED
                     or self.demand.status == CANCELLED)
            if ended:
                assert state in (None, "posted", "voided"), (a, state)
                if a.status == RECORDED and state is not None:
                    assert state == "posted"
            else:
                assert state in (None, "pending"), (a, state)


DemandWithSaga.TestCase.settings = settings(max_examples=300, stateful_step_count=40,
                                            deadline=None)
TestDemandWithSaga = DemandWithSaga.TestCase

"""The demand state machine and the reservation saga as a property test (hypothesis).

Random sequences of claims, withdrawals, no-show sweeps, check-ins/outs, recordings,
evaluations, records rejected or voided, cancellations and the passing of time, with the
saga's messages delivered to a model ledger in any order (and twice): no illegal state, never
more volunteers than slots, a refused action changes nothing, every reservation requested is
closed exactly once (posted or released) once its assignment has ended, none left open, none
closed twice; and the demand is ``evaluated`` exactly when the elder's side has evaluated every
recorded volunteer whose record counts (at least one), and never leaves it. Slots: a demand
shows an open slot exactly while it is ``published`` (a claim by someone new succeeds exactly
then); once someone has checked in, a slot given back (withdrawn, no-show) is never reopened,
and the demand completes (``recorded``) as soon as every volunteer still on it is recorded.
Expiry: a demand is cancelled with reason ``expired`` exactly when the expiry sweep finds it
``published`` after its window with nobody on it, at most once, never with a volunteer on it or
once under way; and after the window, the no-show and expiry sweeps never leave it open.
"""
import copy
import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from demand.contracts import (
    ASSIGNED,
    AWAITING_RECORD,
    CANCELLED,
    EVALUATED,
    EXPIRED_REASON,
    IN_SERVICE,
    NO_SHOW,
    PUBLISHED,
    RECORDED,
    STATUSES,
    WITHDRAWN,
)
from demand.domain import payments
from demand.domain.lifecycle import ENDED_ASSIGNMENT, EXPIRABLE, Demand
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
    # volunteers who got a slot: the steps after a claim mostly pick one of them (any
    # volunteer otherwise, to be refused), so runs reach recording and evaluation
    claimed = Bundle("claimed")
    ANY = st.one_of(claimed, claimed, claimed, VOLUNTEERS)

    @initialize(needed=st.integers(1, 3),
                funding=st.sampled_from(["own_hours", "grant", "issuance", "donation_pool"]))
    def publish(self, needed, funding):
        self.demand = Demand(id="d1", elder_id="elder", category="culture_sports",
                             region_code="130102001001", window_start=START,
                             window_end=START + dt.timedelta(hours=3), expected_minutes=60,
                             volunteers_needed=needed, channel="phone",
                             funding_source=funding)
        self.demand.review("approve", "op", NOW)
        self.now = NOW
        self.outbox: list[tuple[int, str, str]] = []  # (message id, kind, assignment id)
        self.to_demand: list[tuple[str, str]] = []  # the ledger's replies
        self.ledger = ModelLedger()
        self.serial = 0
        self.evaluated: set[str] = set()  # volunteers the elder's side has evaluated
        self.not_counted: set[str] = set()  # volunteers whose record was rejected or voided
        self.was_evaluated = False

    # --- the service layer's saga calls (rpc_assignment.py, payments.py) -------------
    def _emit(self, kind: str, assignment) -> None:
        self.serial += 1
        self.outbox.append((self.serial, kind, assignment.id))

    def _release(self, assignment) -> None:
        if payments.must_release(assignment.reservation_status):
            assignment.reservation_status = payments.RELEASED
            self._emit("release", assignment)

    def _follow_evaluations(self):
        """What the service asks after each step that can complete the demand
        (demand/evaluation_status.py)."""
        self.demand.follow_evaluations(self.evaluated, self.not_counted)

    def _attempt(self, action):
        before = copy.deepcopy(self.demand)
        try:
            return action()
        except DomainError:
            assert self.demand == before, "a refused action must change nothing"
            return None

    # --- rules ---------------------------------------------------------------------
    @rule(target=claimed, volunteer=VOLUNTEERS)
    def claim(self, volunteer):
        open_before = self.demand.open_slots
        new = self.demand.assignment_of(volunteer) is None
        assignment = self._attempt(lambda: self.demand.assign(volunteer, None, "op", self.now))
        if new:  # someone new gets a slot exactly when one is shown open
            assert (assignment is not None) == (open_before > 0), (open_before, self.demand)
        if assignment is None:
            return multiple()
        assignment.id = f"a-{volunteer}"
        if payments.needs_reservation(self.demand.funding_source):
            assignment.reservation_status = payments.REQUESTED
            self._emit("request", assignment)
        return volunteer

    @rule(volunteer=ANY)
    def withdraw(self, volunteer):
        assignment = self._attempt(lambda: self.demand.withdraw(volunteer, "有事", self.now))
        if assignment is not None:
            self._follow_evaluations()
            self._release(assignment)

    @rule()
    def sweep_no_shows(self):
        for assignment in self.demand.no_show_due(self.now, GRACE):
            self.demand.mark_no_show(assignment.volunteer_id, self.now, GRACE)
            self._follow_evaluations()
            self._release(assignment)
            if self.demand.status == CANCELLED:
                for other in self.demand.assignments:
                    self._release(other)

    @rule()
    def sweep_expired(self):
        """The expiry sweep (rpc_assignment.expire_unserved): expires exactly what is due."""
        due = self.demand.expiry_due(self.now)
        expired = self._attempt(lambda: self.demand.expire(self.now) or True)
        assert bool(expired) == due, (self.demand.status, due)
        if expired:
            assert self.demand.cancel_reason == EXPIRED_REASON
            for assignment in self.demand.assignments:
                self._release(assignment)

    @rule()
    def both_sweeps_after_the_window(self):
        """Once the window is over, one round of the two timers leaves no demand open that
        nobody serves (before: a demand reopened with nobody left stayed published)."""
        if self.now < self.demand.window_end:
            return
        self.sweep_no_shows()
        self.sweep_expired()
        assert self.demand.status not in EXPIRABLE, self.demand.status

    @rule(volunteer=ANY)
    def check_in(self, volunteer):
        self._attempt(lambda: self.demand.check_in(volunteer, self.now, self.now))

    @rule(volunteer=ANY, served=st.sampled_from([0, 30, 60]))
    def check_out(self, volunteer, served):
        """After ``served`` more minutes (0: at once, refused as no time has passed)."""
        self.now += dt.timedelta(minutes=served)
        self._attempt(lambda: self.demand.check_out(volunteer, self.now, self.now))

    @rule(volunteer=ANY)
    def record(self, volunteer):
        assignment = self._attempt(lambda: self.demand.mark_recorded(volunteer))
        if assignment is not None and payments.must_release(assignment.reservation_status):
            assignment.reservation_status = payments.SETTLED
            self._emit("settle", assignment)

    @rule(volunteer=claimed)
    def serve(self, volunteer):
        """A whole visit at once, so that runs reach recording and evaluation: check in, an
        hour of service, check out, the station's record (each refused when the volunteer's
        assignment does not allow it)."""
        self.check_in(volunteer)
        self.check_out(volunteer, 60)
        self.record(volunteer)

    @rule(volunteer=claimed)
    def evaluate(self, volunteer):
        """The elder's side evaluates a volunteer's recorded service (rpc_evaluation: a
        record that counts is needed; once per assignment)."""
        assignment = self.demand.assignment_of(volunteer)
        if assignment is None or assignment.status != RECORDED or volunteer in self.not_counted:
            return
        self.evaluated.add(volunteer)
        self._follow_evaluations()

    @rule(volunteer=claimed)
    def drop_record(self, volunteer):
        """A recorded volunteer's record is rejected at its second look or voided by a
        dispute (possibly after it was evaluated)."""
        assignment = self.demand.assignment_of(volunteer)
        if assignment is None or assignment.status != RECORDED:
            return
        self.not_counted.add(volunteer)
        self._follow_evaluations()

    @rule(chance=st.integers(0, 3))
    def cancel(self, chance):
        """Tried a quarter of the times: a cancelled demand ends the run's interest."""
        if chance == 0 and self._attempt(lambda: self.demand.cancel("op", self.now, "老人住院") or True):
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
                assert a.checked_out_at >= a.checked_in_at  # the server's clock
            if a.status in ENDED_ASSIGNMENT:
                assert a.checked_in_at is None and a.end_reason
        # an open slot is shown exactly while the demand takes claims: never on a demand under
        # way, recorded or evaluated (a slot nobody could claim)
        assert (d.open_slots > 0) == (d.status == PUBLISHED), (d.status, d.open_slots)
        if d.status in (RECORDED, EVALUATED):
            assert live and all(a.status == RECORDED for a in live)
        if live and all(a.status == RECORDED for a in live):  # those who served are done
            assert d.status in (RECORDED, EVALUATED), d.status

    @invariant()
    def a_slot_given_back_once_under_way_is_not_reopened(self):
        if not hasattr(self, "demand"):
            return
        d = self.demand
        started = any(a.checked_in_at is not None for a in d.live_assignments())
        assert started == d.under_way
        if getattr(self, "was_under_way", False):
            assert started and d.open_slots == 0 and d.status not in (
                PUBLISHED, ASSIGNED, CANCELLED), d.status
        self.was_under_way = started

    @invariant()
    def expired_only_unserved_after_the_window(self):
        if not hasattr(self, "demand"):
            return
        d = self.demand
        if d.cancel_reason == EXPIRED_REASON:
            assert d.status == CANCELLED and not d.live_assignments()
            assert d.cancelled_at >= d.window_end and d.cancelled_by is None
            assert all(a.checked_in_at is None for a in d.assignments)

    @invariant()
    def evaluated_exactly_when_every_counting_record_is(self):
        if not hasattr(self, "evaluated"):
            return
        d = self.demand
        served = {a.volunteer_id for a in d.live_assignments()}
        complete = (bool(served) and all(a.status == RECORDED for a in d.live_assignments())
                    and bool(served & self.evaluated)
                    and served - self.not_counted <= self.evaluated)
        assert (d.status == EVALUATED) == complete, (d.status, served, self.evaluated,
                                                      self.not_counted)
        if self.was_evaluated:
            assert d.status == EVALUATED, "an evaluated demand stays evaluated"
        self.was_evaluated = d.status == EVALUATED

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

"""The 通存通兑 report (pure): minutes that flowed between city-level units, and each unit's
issuance, holdings and spending, computed from posted transfers and account moves.

Every posted transfer moves ``m`` minutes from a debit account to a credit account; each side
is counted in the city-level unit (``city_unit_of``) of the region its account was in **when
the transfer was written** (``transfers.debit_region_code`` / ``credit_region_code``):

* an **issuance** account on the debit side *issues* ``m`` in its unit (on the credit side —
  a reversal of a credit it paid — it takes ``m`` back: issued −m);
* a **personal, grant or donation-pool** account *holds*: credit side +m, debit side −m;
* when the two units differ, ``m`` **flows** from the debit side's unit to the credit side's
  (a service whose volunteer's account is in another unit than the paying one, a gift to a
  relative elsewhere, a donation, a grant or pool allocation, a reversal);
* a **move** (``account_moves``: an account followed its owner) carries its balance from the
  old unit to the new one: a flow, and holdings leave one unit and arrive in the other.

**Spent** = minutes paid for services out of a personal (own hours), grant or donation-pool
account (by the payer's unit and source kind): the ``service_credit`` and, beyond the yearly
cap, the excess the policy sends to the donation pool (a ``donation`` with reason
``crediting.CAP_EXCESS``, ``Movement.cap_excess``). The ledger books a paid service as a
transfer from the payer to the volunteer's personal account: spent minutes change hands, they
do not leave the accounts (no account kind destroys minutes; an issuance-funded service is
issuance, not spending). Hence, per unit and across the province:

* per unit: ``opening_held + issued + inflow − outflow = held`` (holdings at the period's end);
* across the province: inflows equal outflows, so ``held = opening_held + issued``, and over
  all time (no start) ``issued = held``.

The issue's identity counts what people *received into being* instead of what the issuance
accounts paid: **earned** (minutes credited for services, whoever paid: to the volunteer's
personal account, and the yearly cap's excess to the pool; by the receiving account's unit)
plus **granted** (``grant`` transfers into elders' grant accounts). A service paid from
holdings is earned and spent at once; gifts, donations, pool allocations and moves carry
minutes from one holding account to another and are neither; so across the province
``opening_held + earned + granted − spent = held`` (over all time ``earned + granted = held +
spent``). Reversals count with their sign, as the kind of the transfer they reverse
(``Movement.reverses``): a reversed credit is un-earned (and un-spent, when holdings paid).

``opening_held`` is what the unit's accounts held before the period (every transfer and move
before it); the period's own figures are ``issued``, ``inflow``, ``outflow``, ``earned``,
``granted``, ``spent`` and the pairs.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from timebank_common.regions import city_unit_of

from ..contracts.kinds import (
    DONATION,
    DONATION_POOL,
    GRANT,
    GRANT_TRANSFER,
    ISSUANCE,
    PERSONAL,
    REVERSAL,
    SERVICE_CREDIT,
)

HOLDING_KINDS = (PERSONAL, GRANT, DONATION_POOL)
MOVE = "move"


@dataclass(frozen=True)
class Movement:
    """Posted minutes of one kind between two accounts' kinds and regions (at the time).
    ``cap_excess``: a service's minutes beyond the yearly cap sent to the pool (a ``donation``,
    or the reversal of one); ``reverses``: for a reversal, the kind of the transfer reversed."""

    kind: str
    debit_kind: str
    credit_kind: str
    debit_region: str
    credit_region: str
    minutes: int
    before_period: bool = False
    cap_excess: bool = False
    reverses: str | None = None

    def as_booked(self) -> tuple[str | None, int, str, str, str]:
        """``(kind, sign, payer_kind, payer_region, receiver_region)`` of the transfer as first
        booked: a reversal counts as the transfer it reverses, sides swapped, minutes negative."""
        if self.kind == REVERSAL:
            return self.reverses, -1, self.credit_kind, self.credit_region, self.debit_region
        return self.kind, 1, self.debit_kind, self.debit_region, self.credit_region


@dataclass(frozen=True)
class AccountMove:
    """An account of ``kind`` that carried ``minutes`` from one region to another."""

    kind: str
    from_region: str
    to_region: str
    minutes: int
    before_period: bool = False


class _Unit:
    def __init__(self) -> None:
        self.opening = dict.fromkeys(HOLDING_KINDS, 0)
        self.held = dict.fromkeys(HOLDING_KINDS, 0)
        self.spent = dict.fromkeys(HOLDING_KINDS, 0)
        self.issued = self.inflow = self.outflow = self.earned = self.granted = 0

    def view(self, code: str) -> dict[str, Any]:
        opening, held = sum(self.opening.values()), sum(self.held.values())
        return {
            "unit_code": code, "issued_minutes": self.issued,
            "inflow_minutes": self.inflow, "outflow_minutes": self.outflow,
            "opening_held_minutes": opening, "held_minutes": held,
            "held_by_kind": dict(self.held), "earned_minutes": self.earned,
            "granted_minutes": self.granted, "spent_minutes": sum(self.spent.values()),
            "spent_by_source": dict(self.spent),
            "reconciles": opening + self.issued + self.inflow - self.outflow == held,
        }


class _Report:
    def __init__(self) -> None:
        self.units: dict[str, _Unit] = defaultdict(_Unit)
        self.pairs: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def hold(self, unit: str, kind: str, minutes: int, before: bool) -> None:
        entry = self.units[unit]
        entry.held[kind] += minutes
        if before:
            entry.opening[kind] += minutes

    def flow(self, source: str, target: str, category: str, minutes: int) -> None:
        if source == target:
            return
        self.units[source].outflow += minutes
        self.units[target].inflow += minutes
        self.pairs[(source, target)][category] += minutes

    def transfer(self, m: Movement) -> None:
        debit_unit, credit_unit = city_unit_of(m.debit_region), city_unit_of(m.credit_region)
        for unit, kind, signed in ((debit_unit, m.debit_kind, -m.minutes),
                                   (credit_unit, m.credit_kind, m.minutes)):
            if kind == ISSUANCE:
                if not m.before_period:
                    self.units[unit].issued -= signed
            else:
                self.hold(unit, kind, signed, m.before_period)
        if m.before_period:
            return
        self.receive(m)
        self.flow(debit_unit, credit_unit, m.kind, m.minutes)

    def receive(self, m: Movement) -> None:
        """Earned, granted and spent: what the transfer (as first booked) brought into being."""
        kind, sign, payer_kind, payer_region, receiver_region = m.as_booked()
        receiver = self.units[city_unit_of(receiver_region)]
        if kind == SERVICE_CREDIT or (kind == DONATION and m.cap_excess):
            receiver.earned += sign * m.minutes
            if payer_kind in HOLDING_KINDS:
                self.units[city_unit_of(payer_region)].spent[payer_kind] += sign * m.minutes
        elif kind == GRANT_TRANSFER:
            receiver.granted += sign * m.minutes

    def move(self, m: AccountMove) -> None:
        source, target = city_unit_of(m.from_region), city_unit_of(m.to_region)
        self.hold(source, m.kind, -m.minutes, m.before_period)
        self.hold(target, m.kind, m.minutes, m.before_period)
        if not m.before_period:
            self.flow(source, target, MOVE, m.minutes)


def interchange(movements: Iterable[Movement], moves: Iterable[AccountMove],
                visible: Any = None) -> dict[str, Any]:
    """The report over every unit met; ``visible(unit_code) -> bool`` keeps the units (and
    the pairs touching one) a caller may see (all when None). ``totals`` sums the visible
    units; ``reconciles`` is true when every visible unit's identity holds and, when every
    unit is visible, the province's (inflows = outflows; held = opening + issued; and
    ``earned_granted_reconciles``: held = opening + earned + granted − spent, None for a part
    of the province)."""
    report = _Report()
    for movement in movements:
        report.transfer(movement)
    for move in moves:
        report.move(move)
    shown = sorted(code for code in report.units if visible is None or visible(code))
    units = [report.units[code].view(code) for code in shown]
    pairs = [{"from_unit": source, "to_unit": target, "minutes": sum(by_kind.values()),
              "by_kind": dict(sorted(by_kind.items()))}
             for (source, target), by_kind in sorted(report.pairs.items())
             if source in shown or target in shown]
    fields = ("issued_minutes", "inflow_minutes", "outflow_minutes", "opening_held_minutes",
              "held_minutes", "earned_minutes", "granted_minutes", "spent_minutes")
    totals: dict[str, Any] = {name: sum(u[name] for u in units) for name in fields}
    everything = len(shown) == len(report.units)
    totals["earned_granted_reconciles"] = (
        totals["opening_held_minutes"] + totals["earned_minutes"] + totals["granted_minutes"]
        - totals["spent_minutes"] == totals["held_minutes"]) if everything else None
    province_ok = not everything or (
        totals["inflow_minutes"] == totals["outflow_minutes"]
        and totals["held_minutes"] == totals["opening_held_minutes"] + totals["issued_minutes"]
        and totals["earned_granted_reconciles"])
    return {"units": units, "pairs": pairs, "totals": totals,
            "complete": everything,
            "reconciles": all(u["reconciles"] for u in units) and province_ok}

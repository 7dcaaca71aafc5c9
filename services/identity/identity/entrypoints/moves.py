"""Moving people within the province, and the trace of moves both regions see."""
from __future__ import annotations

from timebank_common.service import rpc

from ..app import moves
from ..contracts import MoveListSchema, MoveOut, MovePage, MovePersonSchema


class MoveEntrypoints:
    @rpc(args={"data": MovePersonSchema}, returns=MoveOut)
    def move_person(self, caller, person_id, data):
        """Move a person to another community of the province (staff covering where they
        live now: township admin and up, or the station operator of an elder's own station);
        the new region's staff take over; ``person_moved``."""
        return moves.move_person(self.db, caller, person_id, data, self.clock.now())

    @rpc(args={"query": MoveListSchema}, returns=MovePage)
    def list_moves(self, caller, query):
        """Moves into or out of the caller's scope, newest first (staff, auditors too)."""
        return moves.list_moves(self.db, caller, query)

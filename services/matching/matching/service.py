"""The matching service: a read model of open demands, fed by demand events, and the feed.

It owns no source of truth. Claims stay atomic in ``demand``; the feed only says
what is worth claiming.
"""
from __future__ import annotations

from marshmallow import ValidationError

from timebank_common.auth import Caller
from timebank_common.db import utcnow
from timebank_common.errors import BadInput, Forbidden
from timebank_common.events import event_handler, once
from timebank_common.service import Database, ServiceBase, rpc

from . import repository as repo
from . import schemas
from .domain.ranking import FEED_SIZE, city_unit, rank_for_volunteer
from .domain.slots import slots_on_publish


def _read(schema, event: dict) -> tuple[dict, dict]:
    """(payload, envelope) validated; a malformed event fails, is retried, then dead-lettered."""
    try:
        return schema.load(event.get("payload") or {}), schemas.Envelope().load(event)
    except ValidationError as exc:
        raise ValueError(f"{event.get('event_type')} event invalid: {exc.messages}") from exc


def _feed_region(caller: Caller, volunteer_id: str) -> tuple[str | None, str | None]:
    """(region to rank around, scope to restrict to) for this caller reading this feed."""
    if caller.has("volunteer") and caller.person_id == volunteer_id:
        return caller.scope, None
    if caller.is_staff():
        if not caller.scope:
            raise Forbidden("out_of_scope", "您没有管辖范围", "You have no region scope")
        return caller.scope, caller.scope
    raise Forbidden("feed_not_yours", "只能查看自己的推荐需求",
                    "You can only read your own demand feed")


class MatchingService(ServiceBase):
    name = "matching"
    db = Database()

    # --- events ------------------------------------------------------------------
    @event_handler("demand", "demand_published")
    @once("matching.on_demand_published")
    def on_demand_published(self, uow, event):
        payload, envelope = _read(schemas.DemandPublishedEvent(), event)
        repo.lock_demand(uow, payload["demand_id"])
        slots = slots_on_publish(payload["volunteers_needed"],
                                 repo.known_open_slots(uow, payload["demand_id"]))
        if slots <= 0:
            return  # already filled or cancelled by the time we heard of it
        location = payload["location"] or {}
        repo.add_open_demand(uow, {
            "demand_id": payload["demand_id"], "region_code": payload["region_code"],
            "city_unit": city_unit(payload["region_code"]), "category": payload["category"],
            "elder_id": payload["elder_id"], "window_start": payload["window_start"],
            "window_end": payload["window_end"], "expected_minutes": payload["expected_minutes"],
            "open_slots": slots, "location_lat": location.get("lat"),
            "location_lng": location.get("lng"), "published_at": envelope["occurred_at"],
        })

    @event_handler("demand", "demand_assigned")
    @once("matching.on_demand_assigned")
    def on_demand_assigned(self, uow, event):
        payload, envelope = _read(schemas.DemandAssignedEvent(), event)
        self._slots_changed(uow, payload["demand_id"], payload["open_slots"], envelope)

    @event_handler("demand", "demand_cancelled")
    @once("matching.on_demand_cancelled")
    def on_demand_cancelled(self, uow, event):
        payload, envelope = _read(schemas.DemandCancelledEvent(), event)
        self._slots_changed(uow, payload["demand_id"], 0, envelope)

    @staticmethod
    def _slots_changed(uow, demand_id: str, open_slots: int, envelope: dict) -> None:
        repo.lock_demand(uow, demand_id)
        if repo.note_open_slots(uow, demand_id, open_slots, envelope["occurred_at"]):
            repo.set_open_slots(uow, demand_id, open_slots)

    # --- RPC -----------------------------------------------------------------------
    @rpc
    def feed_for(self, caller, volunteer_id):
        caller = Caller.from_dict(caller)
        if not volunteer_id:
            raise BadInput("volunteer_required", "请指定志愿者", "A volunteer_id is required")
        region, restrict_to = _feed_region(caller, str(volunteer_id))
        now = utcnow()
        with self.db() as uow:
            candidates = repo.feed_candidates(uow, city_unit(region), restrict_to, now, FEED_SIZE)
        ranked = rank_for_volunteer(candidates, region, now)
        item = schemas.FeedItem()
        return {"items": [item.dump(d) for d in ranked]}

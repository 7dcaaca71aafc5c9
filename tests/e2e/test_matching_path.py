"""Candidates, feed and dispatch through the gateway on live data, with two matching processes.

A station operator registers a volunteer, sets where and when they help, submits and publishes
an elder's demand with a place; the candidates (operator), the volunteer's feed and a held
dispatch proposal all name them. The identity and demand events reach matching through
RabbitMQ; a second matching process runs beside the platform's, and both answer (each from
its own index, caught up by deltas).
"""
from __future__ import annotations

import datetime as dt
import re

import requests
from timebank_testing import free_port

from first_path import new_person_numbers, wait_for

STATION_REGION = "130102001001"
PLACE = {"lat": 38.0412, "lng": 114.5148}


def candidates_for_calls(platform, key: str) -> float:
    text = requests.get(platform.url(key, "/metrics"), timeout=10).text
    found = re.search(r'^timebank_entrypoint_calls_total\{[^}]*entrypoint="candidates_for"'
                      r'[^}]*outcome="ok"[^}]*\} ([0-9.]+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_candidates_feed_and_dispatch_through_the_gateway(platform, api, demo_accounts):
    platform.ports["matching-2"] = free_port()
    platform.start("matching", {"MATCHING_HTTP": f"127.0.0.1:{platform.ports['matching-2']}"},
                   key="matching-2")
    try:
        platform.wait_healthy(["matching-2"])
        operator = demo_accounts["station_operator"]
        op = api.login(operator["phone"], operator["password"])
        id_number, phone = new_person_numbers("19460308", "female")
        elder = api.call("POST", "/api/v1/elders", {
            "name": "赵桂兰", "id_number": id_number, "phone": phone, "phone_only": True,
            "address": "石家庄市长安区育才街8号", "region_code": STATION_REGION},
            token=op, expect=201).json()
        id_number, phone = new_person_numbers("19920301", "male")
        volunteer = api.call("POST", "/api/v1/volunteers", {
            "name": "孙强", "id_number": id_number, "phone": phone,
            "region_code": STATION_REGION, "volunteer_number": f"V{phone}",
            "initial_password": "Volunteer@2026", "registry_status": "verified",
            "screening": "clear", "health_declared": True, "training_hours_completed": 8},
            token=op, expect=201).json()
        vid = volunteer["person_id"]
        api.call("PUT", f"/api/v1/volunteers/{vid}/matching-preferences", {
            "home": {"lat": PLACE["lat"] + 0.004, "lng": PLACE["lng"]}, "radius_km": 3,
            "availability": []}, token=op, expect=200)
        start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) \
            + dt.timedelta(days=3)
        demand_id = api.call("POST", "/api/v1/demands", {
            "elder_id": elder["person_id"], "category": "emotional_comfort",
            "description": "陪老人聊天、读报", "address": "育才街8号2单元101", "location": PLACE,
            "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=2)).isoformat(),
            "expected_minutes": 90, "volunteers_needed": 1, "channel": "phone"},
            token=op, expect=201).json()["demand_id"]
        api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"},
                 token=op, expect=200)

        def candidates():
            resp = api.call("GET", f"/api/v1/demands/{demand_id}/candidates", token=op)
            return resp.json()["items"] if resp.status_code == 200 else []
        items = wait_for(candidates, lambda items: vid in [c["volunteer_id"] for c in items])
        mine = next(c for c in items if c["volunteer_id"] == vid)
        assert 0 < mine["score"] <= 1 and abs(mine["distance_km"] - 0.445) < 0.01
        assert set(mine["parts"]) == {"distance", "reliability", "rating", "fairness",
                                      "continuity"}
        before = {k: candidates_for_calls(platform, k) for k in ("matching", "matching-2")}
        for _ in range(6):  # RabbitMQ deals the calls to both processes: each one knows
            assert vid in [c["volunteer_id"] for c in candidates()]
        assert all(candidates_for_calls(platform, k) > before[k] for k in before), before

        vt = api.login(phone, "Volunteer@2026")
        feed = api.call("GET", f"/api/v1/volunteers/{vid}/feed", token=vt, expect=200).json()
        entry = next(i for i in feed["items"] if i["demand_id"] == demand_id)
        assert abs(entry["distance_km"] - 0.445) < 0.01 and entry["open_slots"] == 1

        run = api.call("POST", "/api/v1/dispatch", {"region_code": STATION_REGION,
                                                    "auto_apply": False},
                       token=op, expect=200).json()
        proposal = next(p for p in run["proposals"] if p["demand_id"] == demand_id)
        assert proposal["volunteer_id"] == vid and proposal["status"] == "held"
    finally:
        platform.stop("matching-2")

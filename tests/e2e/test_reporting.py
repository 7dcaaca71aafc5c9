"""Issue 16's read model on the real platform: a service recorded over HTTP (submitted,
reviewed, claimed, checked in and out, recorded, held and released) reaches reporting through
demand's and ledger's events, and shows in the series of its township (the township admin's
scope) and its city (the city admin's), with the lag of the answer."""
from __future__ import annotations

import datetime as dt

import pytest

from first_path import run_path, wait_for

pytestmark = pytest.mark.e2e

TOWNSHIP, CITY = "130102001000", "130100000000"
MEASURES = "services_recorded,service_minutes,minutes_credited,demands_submitted," \
           "demands_published,records_held,active_volunteers"


def today_in_china() -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date().isoformat()


def series(api, token, region):
    day = today_in_china()
    return api.call("GET", f"/api/v1/reports/series?region_code={region}&period=day"
                           f"&from={day}&to={day}&measures={MEASURES}",
                    token=token, expect=200).json()


def test_a_recorded_service_shows_in_its_township_and_city_series(api, demo_accounts):
    township = demo_accounts["township_admin"]
    city = demo_accounts["city_admin"]
    ta = api.login(township["phone"], township["password"])
    ca = api.login(city["phone"], city["password"])
    before = {region: series(api, token, region)["rows"][0]["values"]
              for region, token in ((TOWNSHIP, ta), (CITY, ca))}

    run_path(api, demo_accounts, minutes=90)

    for region, token in ((TOWNSHIP, ta), (CITY, ca)):
        answer = wait_for(lambda: series(api, token, region),  # noqa: B023
                          lambda a: a["rows"][0]["values"]["minutes_credited"]
                          >= before[region]["minutes_credited"] + 90)  # noqa: B023
        now, was = answer["rows"][0]["values"], before[region]
        assert now["services_recorded"] == was["services_recorded"] + 1
        assert now["service_minutes"] == was["service_minutes"] + 90
        assert now["demands_submitted"] == was["demands_submitted"] + 1
        assert now["demands_published"] == was["demands_published"] + 1
        assert now["records_held"] == was["records_held"] + 1
        assert now["active_volunteers"] >= 1
        assert answer["as_of"] is not None and 0 <= answer["lag_seconds"] < 600

    # the township admin cannot read the city; the city admin sees the township as a child
    refused = api.call("GET", f"/api/v1/reports/series?region_code={CITY}&from="
                              f"{today_in_china()}&to={today_in_china()}", token=ta, expect=403)
    assert refused.json()["error"] == "out_of_scope"
    breakdown = api.call("GET", f"/api/v1/reports/breakdown?region_code={CITY}&from="
                                f"{today_in_china()}&to={today_in_china()}",
                         token=ca, expect=200).json()
    assert "130102000000" in {row["region_code"] for row in breakdown["rows"]}

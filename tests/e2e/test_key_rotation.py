"""Issue 18 item 5, done when: the JWT signing key and an API client's secret are each rotated
on a running platform with no request refused that should have been accepted.

The signing key is rotated by the procedure of deploy/README.md ("Rotating keys"), while a
person keeps using the API through two gateway processes (a load balancer's round robin; a
gateway being restarted is skipped, as a load balancer's health check would):
  1. each gateway in turn is restarted with the new public key added
     (``JWT_ACCEPTED_PUBLIC_KEY_FILES``);
  2. identity is restarted with the new private key (``JWT_PRIVATE_KEY_FILE``);
  3. once the longest access-token lifetime has passed (refresh tokens are opaque rows in
     identity's database, signed by no key), each gateway in turn is restarted with the new
     key as the current one and the old one gone.
Every request is counted: none is refused (401/403), tokens of both keys were accepted after
identity switched, and a token of the old key is 401 ``token_key_unknown`` at the end. Apart,
and printed: requests a stopping gateway cut in flight (nameko ends its open requests when it
stops; a load balancer's drain would spare them) and other failures (at most two: a 503 of a
request lost while a process restarted) — availability, not keys.

The API client's secret is rotated with an end 10 s ahead: the old secret is accepted until the
end and refused after it, the new one throughout.

The personal-data key is rotated by the procedure of services/identity/README.md while a
station operator reads an elder's unmasked data throughout (every read answered, and right).

The platform's access tokens live ``TTL`` seconds, so step 3 comes after seconds, not 15 min.
The three share one platform (about 40 s to start here; the module takes about 3 minutes).
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import threading
import time
from collections import Counter

import jwt
import pytest
import requests
from sqlalchemy import create_engine, text
from timebank_testing import free_port

from local_platform import ROOT
from platform_fixtures import running_platform
from timebank_common.caller import Caller
from timebank_common.tokens import caller_of, generate_keypair, issue_access_token, private_key_id

pytestmark = pytest.mark.e2e

TTL = 10  # seconds an access token lives on this platform
SECOND_GATEWAY = "gateway-b"


@pytest.fixture(scope="module")
def platform_with_keys(tmp_path_factory, channels):
    tmp = tmp_path_factory.mktemp("key-rotation")
    with running_platform(tmp, channels, extra_env={"ACCESS_TOKEN_TTL_SECONDS": str(TTL)}) as p:
        p.ports[SECOND_GATEWAY] = free_port()
        p.start("gateway", key=SECOND_GATEWAY,
                extra_env={"GATEWAY_HTTP": f"127.0.0.1:{p.ports[SECOND_GATEWAY]}"})
        p.wait_healthy([SECOND_GATEWAY], timeout=120)
        yield p, tmp


def restart_gateways(platform, env: dict[str, str]) -> None:
    """A rolling restart: one gateway at a time, the next only once the first is healthy."""
    for key in ("gateway", SECOND_GATEWAY):
        platform.stop(key)
        platform.start("gateway", key=key, extra_env={
            "GATEWAY_HTTP": f"127.0.0.1:{platform.ports[key]}", **env})
        platform.wait_healthy([key], timeout=120)


class Person:
    """A logged-in person using the API through the gateways in turn, refreshing the access
    token well before it expires, counting every answer."""

    def __init__(self, urls: list[str], phone: str, password: str,
                 read_path: str = "/api/v1/me", expect=lambda body: bool(body.get("person_id"))):
        self.urls = urls
        self.read_path, self.expect = read_path, expect
        self.wrong: list[dict] = []  # a 200 whose body was not what was expected
        self.phone, self.password = phone, password
        self.turn = 0
        self.answers: Counter[int] = Counter()
        self.unreachable = 0  # nobody listening (a gateway restarting): sent to the other one
        self.cut: list[str] = []  # a connection cut by a gateway stopping with it in flight
        self.refused: list[tuple] = []  # 401 / 403: what this test is about
        self.failed: list[tuple] = []  # another answer (5xx)
        self.accepted_kids: list[tuple[float, str]] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.log_in()

    def log_in(self) -> None:
        pair = None
        while not pair:
            pair = self.request("POST", "/api/v1/auth/login",
                                {"phone": self.phone, "password": self.password})
        self.take(pair)

    def take(self, pair: dict) -> None:
        self.access, self.refresh_token = pair["access_token"], pair["refresh_token"]
        # at half its life: a request delayed a few seconds (a restarting identity, a loaded
        # machine) still carries a live token
        self.refresh_at = time.monotonic() + pair["expires_in"] / 2

    def request(self, method: str, path: str, body=None) -> dict | None:
        """One attempt at the next gateway: the answer's JSON when 200, else None (counted).
        The caller tries again with a token checked anew: a token is never resent stale."""
        headers = {"Authorization": f"Bearer {self.access}"} if path == self.read_path else {}
        url = self.urls[self.turn % len(self.urls)]
        self.turn += 1
        sent = time.time()
        try:
            resp = requests.request(method, url + path, json=body, headers=headers, timeout=90)
        except requests.ConnectionError as exc:
            if "NewConnectionError" in str(exc):
                self.unreachable += 1
            else:
                self.cut.append(f"{method} {path}")
                if path == "/api/v1/auth/refresh":
                    # it may have been served: the refresh token is spent (presented again it
                    # would end the login as a leak), so log in anew, as the console would
                    self.log_in()
            time.sleep(0.05)
            return None
        self.answers[resp.status_code] += 1
        if resp.status_code == 200:
            return resp.json()
        claims = jwt.decode(self.access, options={"verify_signature": False})
        (self.refused if resp.status_code in (401, 403) else self.failed).append((
            method, path, resp.status_code, resp.text[:200], url,
            jwt.get_unverified_header(self.access)["kid"],
            f"{claims['exp'] - sent:.1f} s left when sent", f"{time.time() - sent:.1f} s to answer"))
        return None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                if time.monotonic() >= self.refresh_at:
                    pair = self.request("POST", "/api/v1/auth/refresh",
                                        {"refresh_token": self.refresh_token})
                    if pair:
                        self.take(pair)
                    continue
                kid = jwt.get_unverified_header(self.access)["kid"]
                body = self.request("GET", self.read_path)
                if body is not None:
                    if self.expect(body):
                        self.accepted_kids.append((time.monotonic(), kid))
                    else:
                        self.wrong.append(body)
                time.sleep(0.1)
        except BaseException as exc:  # reported by the test
            self.error = exc


def test_the_signing_key_is_rotated_with_nobody_logged_out(platform_with_keys, demo_accounts):
    platform, tmp = platform_with_keys
    old_private = tmp / "jwt.pem"
    new_private, new_public = tmp / "jwt-next.pem", tmp / "jwt-next.pub"
    generate_keypair(new_private, new_public)
    old_kid, new_kid = private_key_id(old_private.read_bytes()), private_key_id(new_private.read_bytes())
    urls = [platform.url("gateway"), platform.url(SECOND_GATEWAY)]
    volunteer = demo_accounts["volunteer"]
    person = Person(urls, volunteer["phone"], volunteer["password"])
    assert jwt.get_unverified_header(person.access)["kid"] == old_kid
    worker = threading.Thread(target=person.run, daemon=True)
    worker.start()
    started = time.monotonic()
    try:
        # 1. every gateway accepts the new key beside the current one
        restart_gateways(platform, {"JWT_ACCEPTED_PUBLIC_KEY_FILES": str(new_public)})
        step1 = time.monotonic()
        # 2. identity signs with the new key
        platform.restart("identity", {"JWT_PRIVATE_KEY_FILE": str(new_private),
                                      "JWT_PUBLIC_KEY_FILE": str(new_public)})
        switched = time.monotonic()
        # a token identity issued with the old key just before it stopped (made here with that
        # key, for the person above) is still accepted by every gateway
        caller = caller_of(jwt.decode(person.access, options={"verify_signature": False}))
        late = issue_access_token(old_private.read_bytes(), caller, TTL)
        for url in urls:
            resp = requests.get(url + "/api/v1/me", timeout=60,
                                headers={"Authorization": f"Bearer {late}"})
            assert resp.status_code == 200, resp.text
        # 3. after the longest access-token lifetime, the old key is removed
        deadline = switched + TTL + 1
        while time.monotonic() < deadline:
            time.sleep(0.2)
        waited = time.monotonic()
        restart_gateways(platform, {"JWT_PUBLIC_KEY_FILE": str(new_public),
                                    "JWT_ACCEPTED_PUBLIC_KEY_FILES": ""})
        # the platform's configuration is the new key now (later restarts keep it)
        platform.base_env.update({"JWT_PRIVATE_KEY_FILE": str(new_private),
                                  "JWT_PUBLIC_KEY_FILE": str(new_public),
                                  "JWT_ACCEPTED_PUBLIC_KEY_FILES": ""})
        time.sleep(1)
        print(f"gateways with both keys {step1 - started:.1f} s, identity switched "
              f"{switched - step1:.1f} s, old key retired {time.monotonic() - waited:.1f} s")
    finally:
        person.stop.set()
        worker.join(60)
    assert person.error is None, repr(person.error)
    assert person.refused == [], f"refused: {person.refused[:5]} (old {old_kid}, new {new_kid})"
    assert person.answers[200] >= 25, person.answers  # about one a second here, under load
    assert len(person.failed) <= 2, person.failed  # a restart may lose a request in flight
    # the person's tokens: of the old key before identity switched, of the new key after (the
    # refresh token issued under the old key gave a token of the new one: nobody logged out)
    assert old_kid in {kid for at, kid in person.accepted_kids if at < switched}
    # a token of the old key issued just before the switch stays good until the person's next
    # refresh; once a token of the new key was accepted, never one of the old again
    after = [kid for at, kid in person.accepted_kids if at > switched]
    assert set(after) <= {old_kid, new_kid} and new_kid in after, after
    assert set(after[after.index(new_kid):]) == {new_kid}, after
    assert person.accepted_kids[-1][1] == new_kid

    # a token of the old key (one still unexpired: made here) is no longer accepted
    stale = issue_access_token(old_private.read_bytes(), Caller("p-x", ("volunteer",)), 600)
    for url in urls:
        resp = requests.get(url + "/api/v1/me", headers={"Authorization": f"Bearer {stale}"},
                            timeout=30)
        assert resp.status_code == 401, resp.text
        body = resp.json()
        assert body["error"] == "token_key_unknown" and body["details"] == {"kid": old_kid}
        assert body["message"]["zh"] and body["message"]["en"]
    login = requests.post(urls[0] + "/api/v1/auth/login", json={
        "phone": volunteer["phone"], "password": volunteer["password"]}, timeout=30).json()
    assert jwt.get_unverified_header(login["access_token"])["kid"] == new_kid
    print(f"signing key rotated: answers {dict(person.answers)}; {person.unreachable} sent "
          f"to the other gateway while one restarted; cut in flight by a stopping gateway: "
          f"{person.cut}; other failures: {person.failed}")


def test_an_api_client_secret_is_rotated_with_an_overlap(platform_with_keys, demo_accounts):
    platform, _ = platform_with_keys
    base = platform.url("gateway")
    admin = demo_accounts["city_admin"]
    admin_token = requests.post(base + "/api/v1/auth/login", json={
        "phone": admin["phone"], "password": admin["password"]}, timeout=30).json()["access_token"]
    auth = {"Authorization": f"Bearer {admin_token}"}
    made = requests.post(base + "/api/v1/api-clients", headers=auth, timeout=30, json={
        "name": "石家庄市12349养老服务热线", "scope_code": "130100000000"})
    assert made.status_code == 201, made.text
    client_id, old = made.json()["client_id"], made.json()["client_secret"]

    def token_with(secret: str) -> requests.Response:
        return requests.post(base + "/api/v1/auth/token", timeout=30, json={
            "client_id": client_id, "client_secret": secret})

    assert token_with(old).status_code == 200
    end = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=10)
    rotated = requests.post(base + f"/api/v1/api-clients/{client_id}/rotate", headers=auth,
                            timeout=30, json={"previous_secret_valid_until": end.isoformat()})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["client_secret"]
    assert dt.datetime.fromisoformat(rotated.json()["previous_secret_valid_until"]) == end

    outcomes: list[tuple[str, dt.datetime, int, str]] = []
    while dt.datetime.now(dt.UTC) < end + dt.timedelta(seconds=2):
        for name, secret in (("old", old), ("new", new)):
            asked = dt.datetime.now(dt.UTC)
            resp = token_with(secret)
            if resp.status_code == 200:  # the token works: the city's elders
                elders = requests.get(base + "/api/v1/elders?page_size=1", timeout=30, headers={
                    "Authorization": f"Bearer {resp.json()['access_token']}"})
                assert elders.status_code == 200, elders.text
            outcomes.append((name, asked, resp.status_code, resp.json().get("error", "")))
        time.sleep(0.25)

    margin = dt.timedelta(seconds=0.5)  # a request around the end may fall on either side
    new_answers = {status for name, _, status, _ in outcomes if name == "new"}
    before = [o for o in outcomes if o[0] == "old" and o[1] < end - margin]
    after = [o for o in outcomes if o[0] == "old" and o[1] > end + margin]
    assert new_answers == {200}, outcomes
    assert len(before) >= 1 and {status for _, _, status, _ in before} == {200}, outcomes
    assert after and {(status, error) for _, _, status, error in after} == {
        (401, "invalid_client")}, outcomes


def test_a_personal_data_key_is_rotated_while_staff_read_unmasked_data(platform_with_keys,
                                                                       demo_accounts):
    """The procedure of services/identity/README.md ("Personal data"): a new active key added
    to the key file, identity restarted, every value re-encrypted by the rotation command, the
    old key removed and identity restarted — while a station operator reads the demo elder's
    unmasked ID number and phone throughout: every read answered, and right."""
    platform, tmp = platform_with_keys
    key_file = tmp / "pii-keys.json"
    urls = [platform.url("gateway"), platform.url(SECOND_GATEWAY)]
    operator = demo_accounts["station_operator"]
    token = requests.post(urls[0] + "/api/v1/auth/login", timeout=30, json={
        "phone": operator["phone"], "password": operator["password"]}).json()["access_token"]
    elder = next(e for e in requests.get(
        urls[0] + "/api/v1/elders?q=王桂兰", timeout=30,
        headers={"Authorization": f"Bearer {token}"}).json()["items"])
    path = f"/api/v1/elders/{elder['person_id']}?unmasked=true"
    known = requests.get(urls[0] + path, timeout=30,
                         headers={"Authorization": f"Bearer {token}"}).json()
    assert len(known["id_number"]) == 18 and "*" not in known["id_number"]
    reader = Person(urls, operator["phone"], operator["password"], read_path=path,
                    expect=lambda body: (body["id_number"], body["phone"])
                    == (known["id_number"], known["phone"]))
    old_kid = json.loads(key_file.read_text())["active"]
    worker = threading.Thread(target=reader.run, daemon=True)
    worker.start()
    try:
        platform.run_module("timebank_common.pii", "add-key", str(key_file))
        new_kid = json.loads(key_file.read_text())["active"]
        assert new_kid != old_kid
        platform.restart("identity")  # writes under the new key from now on
        rotate = [platform.python, "-m", "identity.commands.rotate_pii_keys"]
        first = subprocess.run(rotate, cwd=ROOT, env=platform.base_env, capture_output=True,
                               text=True, check=True).stdout
        assert "persons: 0 rows" not in first, first  # the demo people were re-encrypted
        again = subprocess.run(rotate, cwd=ROOT, env=platform.base_env, capture_output=True,
                               text=True, check=True).stdout
        assert all(line.endswith(": 0 rows re-encrypted")
                   for line in again.splitlines() if "rows re-encrypted" in line), again
        with create_engine(platform.db_url("identity")).connect() as db:
            left = db.execute(text("SELECT count(*) FROM persons WHERE id_number_enc LIKE :old"),
                              {"old": f"v1:{old_kid}:%"}).scalar()
        assert left == 0
        keys = json.loads(key_file.read_text())
        keys["keys"] = {new_kid: keys["keys"][new_kid]}  # the old key removed
        key_file.write_text(json.dumps(keys))
        platform.restart("identity")
        time.sleep(2)
    finally:
        reader.stop.set()
        worker.join(60)
    assert reader.error is None, repr(reader.error)
    assert reader.refused == [] and reader.wrong == [], (reader.refused, reader.wrong[:2])
    assert len(reader.failed) <= 2, reader.failed
    assert len(reader.accepted_kids) >= 10, reader.answers
    print(f"personal-data key rotated: answers {dict(reader.answers)}; cut {reader.cut}; "
          f"other failures {reader.failed}")

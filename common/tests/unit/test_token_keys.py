"""Access tokens name their signing key (``kid``) and are verified against a key set, so the
signing key can be rotated without logging anyone out (issue 18 item 5)."""
import base64
import datetime as dt
import json

import jwt
import pytest

from timebank_common.caller import Caller
from timebank_common.errors import Unauthenticated
from timebank_common.signing import key_id
from timebank_common.tokens import (
    ALGORITHM,
    AUDIENCE,
    ISSUER,
    KeySet,
    TokenCache,
    generate_keypair,
    issue_access_token,
    load_public_key,
    private_key_id,
)

PERSON = Caller("p-1", ("volunteer",), "130102001001", session_id="s-1")


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Three key pairs: ``old``, ``new`` and ``stranger``: name -> (private PEM, public PEM)."""
    folder = tmp_path_factory.mktemp("token-keys")
    pairs = {}
    for name in ("old", "new", "stranger"):
        generate_keypair(folder / f"{name}.pem", folder / f"{name}.pub")
        pairs[name] = ((folder / f"{name}.pem").read_bytes(), (folder / f"{name}.pub").read_bytes())
    pairs["folder"] = folder
    return pairs


def refused(keyset, token) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as info:
        TokenCache(keyset).verify(token)
    return info.value


def test_a_token_names_its_key_the_key_id_of_the_public_key(keys):
    private, public = keys["old"]
    token = issue_access_token(private, PERSON, 60)
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid == key_id(load_public_key(public)) == private_key_id(private)
    assert len(kid) == 16
    assert KeySet(public).current_kid == kid


def test_the_set_verifies_tokens_of_each_key_it_holds_picked_by_kid(keys):
    both = KeySet(keys["old"][1], [keys["new"][1]])
    assert sorted([private_key_id(keys["old"][0]), private_key_id(keys["new"][0])]) == both.kids
    for name in ("old", "new"):
        assert TokenCache(both).verify(issue_access_token(keys[name][0], PERSON, 60)) == PERSON
    # the current key alone does not verify the new key's tokens: that is why the new public
    # key is added to the gateway before identity signs with it
    error = refused(KeySet(keys["old"][1]), issue_access_token(keys["new"][0], PERSON, 60))
    assert error.code == "token_key_unknown"


def test_an_unknown_kid_is_401_with_the_usual_error_shape(keys):
    token = issue_access_token(keys["stranger"][0], PERSON, 60)
    error = refused(KeySet(keys["old"][1], [keys["new"][1]]), token)
    assert error.status == 401 and error.code == "token_key_unknown"
    assert error.zh and error.en and "key" in error.en
    assert error.details == {"kid": private_key_id(keys["stranger"][0])}


def test_a_kid_naming_a_held_key_with_another_keys_signature_is_invalid(keys):
    """The kid only picks the key: a token signed by a stranger claiming the old key's kid
    fails the signature check."""
    forged = issue_access_token(keys["stranger"][0], PERSON, 60,
                                kid=private_key_id(keys["old"][0]))
    assert refused(KeySet(keys["old"][1], [keys["new"][1]]), forged).code == "token_invalid"


def _token_without_kid(private_pem: bytes) -> str:
    """A token as identity issued them before tokens carried a kid."""
    now = dt.datetime.now(dt.UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": PERSON.person_id, "iat": now.timestamp(),
              "exp": int(now.timestamp()) + 60, "typ": "access", "caller": PERSON.to_dict(),
              "sid": PERSON.session_id}
    token = jwt.encode(claims, private_pem, algorithm=ALGORITHM)
    assert "kid" not in jwt.get_unverified_header(token)
    return token


def test_a_token_without_kid_is_checked_against_the_current_key_only(keys):
    old_token = _token_without_kid(keys["old"][0])
    assert TokenCache(KeySet(keys["old"][1], [keys["new"][1]])).verify(old_token) == PERSON
    # once the new key is current, a kid-less token of the old key is no longer accepted
    assert refused(KeySet(keys["new"][1], [keys["old"][1]]), old_token).code == "token_invalid"


def test_a_kid_that_is_not_text_or_an_unreadable_header_is_invalid(keys):
    def part(data) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    token = ".".join([part({"alg": "EdDSA", "kid": 7}), part({"sub": "x"}), "c2ln"])
    assert refused(KeySet(keys["old"][1]), token).code == "token_invalid"
    assert refused(KeySet(keys["old"][1]), "not-a-token").code == "token_invalid"


def test_the_set_from_files_reads_a_comma_separated_list_and_skips_blanks(keys):
    folder = keys["folder"]
    from_env = KeySet.from_files(folder / "new.pub", f" {folder / 'old.pub'} ,, ")
    from_list = KeySet.from_files(folder / "new.pub", [str(folder / "old.pub")])
    alone = KeySet.from_files(folder / "new.pub", "")
    assert from_env.kids == from_list.kids == sorted(
        [private_key_id(keys["old"][0]), private_key_id(keys["new"][0])])
    assert from_env.current_kid == private_key_id(keys["new"][0])
    assert alone.kids == [alone.current_kid]
    # the same key listed as current and accepted is held once
    assert KeySet.from_files(folder / "new.pub", [folder / "new.pub"]).kids == alone.kids


def test_a_file_that_is_not_an_ed25519_public_key_stops_the_start(keys, tmp_path):
    wrong = tmp_path / "private-by-mistake.pem"
    wrong.write_bytes(keys["old"][0])
    with pytest.raises(ValueError):
        KeySet.from_files(keys["folder"] / "old.pub", [wrong])


def test_the_rotation_in_order_keeps_every_token_accepted_until_it_expires(keys):
    """The procedure (deploy/README.md): the gateway accepts the new key → identity signs with
    it → once the old key's last token has expired the old key is removed."""
    old_private, old_public = keys["old"]
    new_private, new_public = keys["new"]
    before = issue_access_token(old_private, PERSON, 900)
    step1 = TokenCache(KeySet(old_public, [new_public]))     # gateway: new key accepted
    assert step1.verify(before) == PERSON
    after = issue_access_token(new_private, PERSON, 900)     # identity: signs with the new key
    assert step1.verify(after) == PERSON and step1.verify(before) == PERSON
    step3 = TokenCache(KeySet(new_public))                   # gateway: old key removed
    assert step3.verify(after) == PERSON
    assert refused(step3.keys, before).code == "token_key_unknown"

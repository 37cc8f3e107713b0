"""Digest authentication (RFC 3261 §22, RFC 8760): server challenges and checks, client answers.

The expected digests are computed here straight from the RFC formulas with hashlib, not with
the module's helpers, so a wrong formula in the module cannot agree with itself.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.switch.sip import Challenge, Credentials, parse_challenge
from hotline.switch.sip.digest import (
    DigestError,
    DigestServer,
    Outcome,
    Verification,
    authorize,
    ha1,
    pick_challenge,
)

REALM = "hotline.example"
SECRET = b"0123456789abcdef-test-secret"
URI = "sip:hotline.example"
PASSWORDS = {"1001": "s3cret", "1002": "other"}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


HASHES = {"MD5": md5, "SHA-256": sha256}


def lookup(username: str, hash_name: str) -> str | None:
    password = PASSWORDS.get(username)
    if password is None:
        return None
    return HASHES[hash_name](f"{username}:{REALM}:{password}")


def make_server(**options: Any) -> DigestServer:
    counter = itertools.count()

    def entropy(size: int) -> bytes:  # deterministic "random" bytes for repeatable nonces
        return next(counter).to_bytes(size, "big")

    return DigestServer(REALM, SECRET, entropy=entropy, **options)


def rfc_credentials(
    challenge: Challenge,
    *,
    username: str = "1001",
    password: str = "s3cret",
    realm: str = REALM,
    method: str = "REGISTER",
    nc: str = "00000001",
    cnonce: str = "0a4f113b",
) -> Credentials:
    """Credentials built by hand from RFC 2617 §3.2.2 / RFC 8760 for a challenge."""
    algorithm = challenge.algorithm
    h = HASHES[algorithm.removesuffix("-sess")]
    nonce = challenge.nonce
    assert nonce is not None
    key = h(f"{username}:{realm}:{password}")
    if algorithm.endswith("-sess"):
        key = h(f"{key}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{URI}")
    response = h(f"{key}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    return Credentials("Digest", {
        "username": username, "realm": realm, "nonce": nonce, "uri": URI,
        "response": response, "algorithm": algorithm, "cnonce": cnonce, "qop": "auth",
        "nc": nc, "opaque": challenge.params["opaque"],
    })


def challenge_for(server: DigestServer, algorithm: str, now: float = 0.0) -> Challenge:
    challenge = server.challenges(now)[0]
    challenge.params["algorithm"] = algorithm
    return challenge


# Challenges -----------------------------------------------------------------------------


def test_challenges_offer_sha256_before_md5_with_one_signed_nonce() -> None:
    server = make_server()
    sha, md = server.challenges(10.0)
    assert (sha.algorithm, md.algorithm) == ("SHA-256", "MD5")
    assert sha.nonce == md.nonce and sha.realm == REALM
    assert sha.qop_options == ["auth"] and not sha.stale
    assert server.nonce_issued_at(sha.nonce or "") == 10_000
    assert parse_challenge(str(sha)).params == sha.params


def test_stale_challenge_says_so() -> None:
    challenge = make_server().challenges(0.0, stale=True)[0]
    assert challenge.stale
    assert "stale=true" in str(challenge)


def test_nonces_differ_each_time() -> None:
    server = DigestServer(REALM, SECRET)
    assert server.make_nonce(5.0) != server.make_nonce(5.0)


def test_ha1_matches_the_rfc_formula() -> None:
    assert ha1("1001", REALM, "s3cret") == md5(f"1001:{REALM}:s3cret")
    assert ha1("1001", REALM, "s3cret", "SHA-256") == sha256(f"1001:{REALM}:s3cret")
    assert ha1("1001", REALM, "s3cret", "sha-256-sess") == sha256(f"1001:{REALM}:s3cret")


def test_rfc_2617_worked_example() -> None:
    # RFC 2617 §3.5 (an HTTP example, the same arithmetic as SIP's).
    challenge = Challenge("Digest", {
        "realm": "testrealm@host.com", "qop": "auth,auth-int",
        "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093", "opaque": "5ccc069c403ebaf9f0171e9517f40e41",
    })
    creds = authorize(challenge, method="GET", uri="/dir/index.html", username="Mufasa",
                      password="Circle Of Life", nc=1, cnonce="0a4f113b")
    assert creds.response == "6629fae49393a05397450978507c4ef1"


# Verification: worked examples -----------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256", "MD5-sess", "SHA-256-sess"])
def test_correct_credentials_are_accepted(algorithm: str) -> None:
    server = make_server(algorithms=(algorithm,))
    creds = rfc_credentials(challenge_for(server, algorithm))
    result = server.verify(creds, method="REGISTER", now=1.0, lookup=lookup, request_uri=URI)
    assert result == Verification(Outcome.ACCEPTED, "ok", "1001")


def test_text_credentials_are_parsed() -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, "SHA-256"))
    assert server.verify(str(creds), method="REGISTER", now=1.0, lookup=lookup).accepted


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_wrong_password_is_rejected(algorithm: str) -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, algorithm), password="guess")
    result = server.verify(creds, method="REGISTER", now=1.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED and "password" in result.reason


def test_unknown_user_is_rejected() -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, "MD5"), username="9999")
    result = server.verify(creds, method="REGISTER", now=1.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED and result.reason == "unknown user"


def test_wrong_realm_is_rejected() -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, "MD5"), realm="elsewhere")
    result = server.verify(creds, method="REGISTER", now=1.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED and "realm" in result.reason


def test_answer_for_another_method_is_rejected() -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, "MD5"), method="INVITE")
    assert not server.verify(creds, method="REGISTER", now=1.0, lookup=lookup).accepted


def test_tampered_nonce_is_rejected() -> None:
    server = make_server()
    challenge = challenge_for(server, "MD5")
    nonce = challenge.nonce or ""
    flipped = ("A" if nonce[5] != "A" else "B")
    challenge.params["nonce"] = nonce[:5] + flipped + nonce[6:]
    result = server.verify(rfc_credentials(challenge), method="REGISTER", now=1.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED and "nonce" in result.reason


def test_nonce_from_another_secret_is_rejected() -> None:
    other = DigestServer(REALM, b"another-secret-of-16+bytes")
    challenge = other.challenges(0.0)[1]
    challenge.params["opaque"] = make_server().opaque
    result = make_server().verify(
        rfc_credentials(challenge), method="REGISTER", now=1.0, lookup=lookup
    )
    assert result.outcome is Outcome.REJECTED


def test_other_spelling_of_a_nonce_is_not_ours() -> None:
    server = make_server()
    nonce = server.make_nonce(0.0)
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    index = last.index(nonce[-1])
    variant = nonce[:-1] + last[index ^ 1]  # flips only a padding bit
    assert server.nonce_issued_at(nonce) is not None
    assert server.nonce_issued_at(variant) is None


def test_old_nonce_with_right_password_is_stale() -> None:
    server = make_server(nonce_lifetime=300.0)
    creds = rfc_credentials(challenge_for(server, "SHA-256", now=0.0))
    result = server.verify(creds, method="REGISTER", now=301.0, lookup=lookup)
    assert result.outcome is Outcome.STALE and result.stale


def test_old_nonce_with_wrong_password_is_rejected_not_stale() -> None:
    server = make_server(nonce_lifetime=300.0)
    creds = rfc_credentials(challenge_for(server, "SHA-256", now=0.0), password="guess")
    result = server.verify(creds, method="REGISTER", now=301.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED


def test_nonce_count_must_increase() -> None:
    server = make_server()
    challenge = challenge_for(server, "MD5")
    first = rfc_credentials(challenge, nc="00000001")
    assert server.verify(first, method="REGISTER", now=1.0, lookup=lookup).accepted
    replay = server.verify(first, method="REGISTER", now=2.0, lookup=lookup)
    assert replay.outcome is Outcome.REJECTED and "replayed" in replay.reason
    second = rfc_credentials(challenge, nc="00000002", cnonce="beef")
    assert server.verify(second, method="REGISTER", now=3.0, lookup=lookup).accepted
    assert not server.verify(first, method="REGISTER", now=4.0, lookup=lookup).accepted


def test_forgotten_nonce_counts_turn_into_stale_not_replay() -> None:
    server = make_server(max_tracked_nonces=2)
    old = challenge_for(server, "MD5", now=0.0)
    assert server.verify(rfc_credentials(old), method="REGISTER", now=1.0, lookup=lookup).accepted
    for t in (2.0, 3.0):
        fresh = challenge_for(server, "MD5", now=t)
        assert server.verify(
            rfc_credentials(fresh), method="REGISTER", now=t, lookup=lookup
        ).accepted
    assert server.tracked_nonces == 2
    replay = server.verify(rfc_credentials(old), method="REGISTER", now=4.0, lookup=lookup)
    assert replay.outcome is Outcome.STALE


def test_qop_less_answers_are_refused_unless_configured() -> None:
    challenge = Challenge("Digest", {"realm": REALM, "algorithm": "MD5"})
    strict, lenient = make_server(), make_server(allow_qop_less=True)
    for server in (strict, lenient):
        challenge.params["nonce"] = server.make_nonce(0.0)
        creds = authorize(challenge, method="REGISTER", uri=URI, username="1001",
                          password="s3cret")
        nonce = challenge.params["nonce"]
        key = md5(f"1001:{REALM}:s3cret")
        assert creds.response == md5(f"{key}:{nonce}:{md5('REGISTER:' + URI)}")
        result = server.verify(creds, method="REGISTER", now=1.0, lookup=lookup)
        assert result.accepted is (server is lenient)


def test_algorithm_not_offered_is_rejected() -> None:
    server = make_server(algorithms=("SHA-256",))
    challenge = challenge_for(server, "MD5")
    result = server.verify(rfc_credentials(challenge), method="REGISTER", now=1.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED and "algorithm" in result.reason


def test_digest_uri_must_match_the_request_uri() -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, "MD5"))
    result = server.verify(creds, method="REGISTER", now=1.0, lookup=lookup,
                           request_uri="sip:elsewhere.example")
    assert result.outcome is Outcome.REJECTED and "uri" in result.reason


def test_wrong_opaque_is_rejected() -> None:
    server = make_server()
    creds = rfc_credentials(challenge_for(server, "MD5"))
    creds.params["opaque"] = "nope"
    assert not server.verify(creds, method="REGISTER", now=1.0, lookup=lookup).accepted


def test_other_schemes_are_rejected() -> None:
    basic = Credentials("Basic", {"username": "1001", "realm": REALM})
    result = make_server().verify(basic, method="REGISTER", now=0.0, lookup=lookup)
    assert result.outcome is Outcome.REJECTED


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('Digest username="1001", realm="r"', "lack the 'nonce'"),
        ('Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth', "nc"),
        ('Digest username="a", realm="r", nonce="n", uri="u", response="x", qop=auth, '
         'nc=1, cnonce="c"', "8 hex"),
        ('Digest username="unterminated', "malformed"),
    ],
)
def test_malformed_credentials_raise_digest_error(text: str, problem: str) -> None:
    with pytest.raises(DigestError, match=problem):
        make_server().verify(text, method="REGISTER", now=0.0, lookup=lookup)


# Client side -----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256", "MD5-sess", "SHA-256-sess"])
def test_client_answer_is_accepted_by_the_server(algorithm: str) -> None:
    server = make_server(algorithms=(algorithm,))
    response_header = str(server.challenges(0.0)[0])
    challenge = parse_challenge(response_header)
    creds = authorize(challenge, method="INVITE", uri=URI, username="1002", password="other",
                      cnonce="abc123")
    assert creds.params["qop"] == "auth" and creds.params["nc"] == "00000001"
    assert creds.params["opaque"] == server.opaque
    result = server.verify(str(creds), method="INVITE", now=1.0, lookup=lookup, request_uri=URI)
    assert result.accepted and result.username == "1002"
    again = authorize(challenge, method="INVITE", uri=URI, username="1002", password="other",
                      nc=2)
    assert server.verify(again, method="INVITE", now=2.0, lookup=lookup).accepted


def test_client_accepts_a_stored_ha1() -> None:
    server = make_server()
    challenge = server.challenges(0.0)[0]
    creds = authorize(challenge, method="REGISTER", uri=URI, username="1001",
                      ha1_hex=sha256(f"1001:{REALM}:s3cret"))
    assert server.verify(creds, method="REGISTER", now=0.0, lookup=lookup).accepted


def test_client_picks_the_strongest_challenge() -> None:
    challenges = [
        Challenge("Basic", {"realm": "x"}),
        Challenge("Digest", {"realm": "x", "nonce": "n", "algorithm": "MD5"}),
        Challenge("Digest", {"realm": "x", "nonce": "n", "algorithm": "SHA-256"}),
        Challenge("Digest", {"realm": "x", "nonce": "n", "algorithm": "SHA-512-256"}),
    ]
    chosen = pick_challenge(challenges)
    assert chosen is not None and chosen.algorithm == "SHA-256"
    assert pick_challenge(challenges[:1]) is None


@pytest.mark.parametrize(
    "challenge",
    [
        Challenge("Basic", {"realm": "x"}),
        Challenge("Digest", {"nonce": "n"}),
        Challenge("Digest", {"realm": "x", "nonce": "n", "algorithm": "SHA-512-256"}),
        Challenge("Digest", {"realm": "x", "nonce": "n", "qop": "auth-int"}),
    ],
)
def test_client_refuses_challenges_it_cannot_answer(challenge: Challenge) -> None:
    with pytest.raises(DigestError):
        authorize(challenge, method="INVITE", uri=URI, username="a", password="b")


# Property: nothing but DigestError escapes -------------------------------------------------

_names = st.sampled_from(
    ["username", "realm", "nonce", "uri", "response", "algorithm", "qop", "nc", "cnonce",
     "opaque", "other"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_header_text_never_raises_other_errors(text: str) -> None:
    server = make_server()
    try:
        result = server.verify(text, method="REGISTER", now=0.0, lookup=lookup)
    except DigestError:
        return
    assert not result.accepted


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_names, st.text(max_size=50) | st.sampled_from(
        ["auth", "MD5", "SHA-256", "00000001", REALM, URI]
    )),
    st.booleans(),
)
def test_arbitrary_credential_params_never_raise_other_errors(
    params: dict[str, str], real_nonce: bool
) -> None:
    server = make_server()
    if real_nonce:
        params["nonce"] = server.make_nonce(0.0)
    try:
        result = server.verify(
            Credentials("Digest", params), method="REGISTER", now=0.0, lookup=lookup,
            request_uri=URI,
        )
    except DigestError:
        return
    assert not result.accepted

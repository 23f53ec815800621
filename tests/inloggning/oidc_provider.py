"""A small OpenID Connect provider for the tests: http.server in a thread on 127.0.0.1, random port.

    /authorize  GET: 302 to redirect_uri with a code and the given state; remembers nonce and PKCE challenge.
                The "logged-in person" is whatever the test put in ``provider.nästa`` (no login form).
    /token      POST: checks client_id/secret (form or Basic), code (once), redirect_uri and PKCE verifier;
                returns an RS256 id_token signed with a key generated at start.
    /userinfo   GET with Bearer access token: the claims.
    /jwks       the public key as a JWK.

``provider.id_token_ändring`` (a dict merged into the id_token's claims), ``provider.signera_med_fel_nyckel`` and
``provider.osignerad`` (alg "none") let a test hand out tampered tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "testnyckel-1"


class OidcProvider:
    def __init__(self, client_id: str = "socialrapport", client_secret: str = "hemlig-klient"):  # noqa: S107
        self.client_id = client_id
        self.client_secret = client_secret
        self.nyckel = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.fel_nyckel = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.lås = threading.Lock()
        self.återställ()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self.tråd = threading.Thread(target=self.server.serve_forever, name="oidc-provider", daemon=True)
        self.tråd.start()

    def återställ(self):
        with self.lås:
            self.nästa: dict = {}
            self.koder: dict[str, dict] = {}
            self.åtkomst: dict[str, dict] = {}
            self.id_token_ändring: dict = {}
            self.signera_med_fel_nyckel = False
            self.osignerad = False
            self.anrop: list[str] = []

    def stäng(self):
        self.server.shutdown()
        self.server.server_close()

    def inställningar(self) -> dict:
        """The OIDC_* settings that point a Django client at this provider."""
        return {
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_TIMEOUT": 5,
        }

    def jwk(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.nyckel.public_key()))
        return {**jwk, "kid": KID, "alg": "RS256", "use": "sig"}

    # --- endpoints ---------------------------------------------------------------------------------------------

    def authorize(self, q: dict) -> tuple[int, dict, bytes]:
        if (
            q.get("response_type") != "code"
            or q.get("client_id") != self.client_id
            or "openid" not in q.get("scope", "").split()
        ):
            return 400, {}, b"invalid_request"
        redirect_uri, state = q.get("redirect_uri"), q.get("state")
        if not redirect_uri or not state:
            return 400, {}, b"invalid_request"
        with self.lås:
            claims = dict(self.nästa)
            if not claims:
                return 302, {"Location": f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"}, b""
            kod = secrets.token_urlsafe(24)
            self.koder[kod] = {
                "claims": claims,
                "nonce": q.get("nonce"),
                "redirect_uri": redirect_uri,
                "challenge": q.get("code_challenge"),
                "metod": q.get("code_challenge_method"),
            }
        return 302, {"Location": f"{redirect_uri}?{urlencode({'code': kod, 'state': state})}"}, b""

    def token(self, form: dict, authorization: str) -> tuple[int, dict, bytes]:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != self.client_id or not secrets.compare_digest(secret or "", self.client_secret):
            return 401, {}, json.dumps({"error": "invalid_client"}).encode()
        with self.lås:
            post = self.koder.pop(form.get("code", ""), None)  # a code works once
        if (
            form.get("grant_type") != "authorization_code"
            or post is None
            or post["redirect_uri"] != form.get("redirect_uri")
        ):
            return 400, {}, json.dumps({"error": "invalid_grant"}).encode()
        if post["challenge"]:
            verifier = form.get("code_verifier", "")
            beräknad = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if post["metod"] != "S256" or beräknad != post["challenge"]:
                return 400, {}, json.dumps({"error": "invalid_grant", "error_description": "PKCE"}).encode()
        nu = int(time.time())
        claims = post["claims"]
        id_claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": claims["sub"],
            "iat": nu,
            "exp": nu + 300,
            **({"nonce": post["nonce"]} if post["nonce"] else {}),
            **{k: v for k, v in claims.items() if k != "sub"},
        }
        with self.lås:
            id_claims.update(self.id_token_ändring)
            nyckel = self.fel_nyckel if self.signera_med_fel_nyckel else self.nyckel
            åtkomst = secrets.token_urlsafe(24)
            self.åtkomst[åtkomst] = claims
        if self.osignerad:
            id_token = jwt.encode(id_claims, None, algorithm="none", headers={"kid": KID})
        else:
            id_token = jwt.encode(id_claims, nyckel, algorithm="RS256", headers={"kid": KID})
        svar = {"access_token": åtkomst, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        return 200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(svar).encode()

    def userinfo(self, authorization: str) -> tuple[int, dict, bytes]:
        with self.lås:
            claims = (
                self.åtkomst.get(authorization.removeprefix("Bearer ").strip())
                if authorization.startswith("Bearer ")
                else None
            )
        if claims is None:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b""
        return 200, {"Content-Type": "application/json"}, json.dumps(claims).encode()


def _handler(provider: OidcProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet
            pass

        def _svara(self, status: int, headers: dict, body: bytes):
            self.send_response(status)
            for namn, värde in headers.items():
                self.send_header(namn, värde)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            delar = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(delar.query).items()}
            provider.anrop.append(f"GET {delar.path}")
            if delar.path == "/authorize":
                return self._svara(*provider.authorize(q))
            if delar.path == "/userinfo":
                return self._svara(*provider.userinfo(self.headers.get("Authorization", "")))
            if delar.path == "/jwks":
                body = json.dumps({"keys": [provider.jwk()]}).encode()
                return self._svara(200, {"Content-Type": "application/json"}, body)
            self._svara(404, {}, b"")

        def do_POST(self):
            delar = urlsplit(self.path)
            provider.anrop.append(f"POST {delar.path}")
            längd = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(längd).decode()).items()}
            if delar.path == "/token":
                return self._svara(*provider.token(form, self.headers.get("Authorization", "")))
            self._svara(404, {}, b"")

    return Handler

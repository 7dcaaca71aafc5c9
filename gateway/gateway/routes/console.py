"""The console (``console/``, built into ``console/dist``) served at ``/``, and its login session.

Static files: hashed assets under ``/assets/`` are cached for a year (their names change with
their content); any other path that is not an API path answers ``index.html`` (the console's
client routes), never cached, with a Content-Security-Policy that allows only this origin.

Session: the console keeps the access token in memory and the refresh token in an HttpOnly
cookie that script cannot read (``POST /api/v1/auth/session``, ``.../refresh``, ``.../logout``).
Municipal systems use ``/api/v1/auth/login`` and ``/refresh`` with the refresh token in JSON.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

from nameko.web.handlers import http
from werkzeug.wrappers import Response

from identity.contracts import LoggedOut, LoginBody
from timebank_common.errors import Unauthenticated
from timebank_common.service import json_response

from ..dispatch import not_found
from ..routing import route
from ..schemas import ConsoleSession, SessionLogout

CONSOLE_DIST = Path(__file__).resolve().parents[3] / "console" / "dist"
REFRESH_COOKIE = "tb_refresh"
COOKIE_PATH = "/api/v1/auth/session"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
_HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
_NOT_BUILT = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>时间银行</title>
<body style="font:18px/1.5 sans-serif;margin:3em"><h1>控制台尚未构建 The console is not built</h1>
<p>运行 Run <code>./deploy/build-console.sh</code> (or <code>./deploy/run-local.sh</code>).</p>
<p><a href="/docs">API 文档 API docs</a></p></body></html>"""
NO_SESSION = Unauthenticated("login_required", "请先登录（没有登录会话）", "Log in first (no login session)")


def _session_answer(pair: dict, secure: bool) -> Response:
    response = json_response({"access_token": pair["access_token"],
                              "token_type": pair.get("token_type", "Bearer"),
                              "expires_in": pair.get("expires_in")})
    response.set_cookie(REFRESH_COOKIE, pair["refresh_token"], httponly=True, samesite="Strict",
                        secure=secure, path=COOKIE_PATH, max_age=30 * 24 * 3600)
    response.headers["Cache-Control"] = "no-store"
    return response


class ConsoleRoutes:
    @property
    def public_base_url(self) -> str:
        """GatewayService's setting (its property overrides this): cookies are Secure behind
        https."""
        raise NotImplementedError

    def _secure_cookies(self) -> bool:
        return str(self.public_base_url).startswith("https://")

    @route("POST", "/api/v1/auth/session", summary="控制台登录 Console login: the access token in "
           "the answer, the refresh token in an HttpOnly cookie", tags=["auth"], body=LoginBody,
           response=ConsoleSession, public=True)
    def console_login(self, request, caller, body):
        pair = self.identity.authenticate(body["phone"], body["password"])
        return _session_answer(pair, self._secure_cookies())

    @route("POST", "/api/v1/auth/session/refresh", summary="控制台刷新 Console refresh: a new "
           "access token from the session cookie (the cookie is renewed)", tags=["auth"],
           response=ConsoleSession, public=True)
    def console_refresh(self, request, caller):
        token = request.cookies.get(REFRESH_COOKIE)
        if not token:
            raise NO_SESSION
        pair = self.identity.refresh(token)
        return _session_answer(pair, self._secure_cookies())

    @route("POST", "/api/v1/auth/session/logout", summary="控制台退出 Console logout: ends this "
           "login (or, with everywhere=true, every login) and clears the cookie", tags=["auth"],
           body=SessionLogout, response=LoggedOut, password_change_ok=True)
    def console_logout(self, request, caller, body):
        answer = self.identity.logout(caller, request.cookies.get(REFRESH_COOKIE),
                                      bool(body.get("everywhere", False)))
        response = json_response(answer)
        response.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, httponly=True, samesite="Strict")
        return response

    @http("GET", "/")
    def console_index(self, request):
        return _index()

    @http("GET", "/<console:path>")  # not /api/... nor /docs/...: those are 404 (dispatch.py)
    def console_file(self, request, path):
        dist = CONSOLE_DIST.resolve()
        file = (dist / path).resolve()
        if file.is_file() and dist in file.parents:
            response = Response(file.read_bytes(),
                                mimetype=mimetypes.guess_type(file.name)[0] or "application/octet-stream")
            if path.startswith("assets/"):  # hashed names: the content never changes
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            else:
                response.headers["Cache-Control"] = "no-cache"
            response.headers["X-Content-Type-Options"] = "nosniff"
            return response
        if path.startswith("assets/") or "." in path.rsplit("/", 1)[-1]:
            return not_found(request)
        return _index()


def _index() -> Response:
    index = CONSOLE_DIST / "index.html"
    body = index.read_bytes() if index.is_file() else _NOT_BUILT.encode()
    return Response(body, mimetype="text/html", headers=_HTML_HEADERS)

"""/api/v1/auth/* and /api/v1/me."""
from identity.contracts import (
    ChangePasswordSchema,
    ClientTokenBody,
    LoggedOut,
    LoginBody,
    LogoutSchema,
    Me,
    PasswordChanged,
    RefreshBody,
    TokenPair,
)

from ..routing import route


class AuthRoutes:
    @route("POST", "/api/v1/auth/login", summary="登录 Log in with phone and password",
           tags=["auth"], body=LoginBody, response=TokenPair, public=True)
    def login(self, request, caller, body):
        return self.identity.authenticate(body["phone"], body["password"])

    @route("POST", "/api/v1/auth/refresh", summary="刷新令牌 Refresh the access token",
           tags=["auth"], body=RefreshBody, response=TokenPair, public=True)
    def refresh(self, request, caller, body):
        return self.identity.refresh(body["refresh_token"])

    @route("POST", "/api/v1/auth/token", summary="市级系统凭证 Client-credentials token for a municipal system",
           tags=["auth"], body=ClientTokenBody, response=TokenPair, public=True)
    def client_token(self, request, caller, body):
        return self.identity.client_token(body["client_id"], body["client_secret"])

    @route("GET", "/api/v1/me", summary="当前用户 Who am I", tags=["auth"], response=Me)
    def me(self, request, caller):
        return self.identity.me(caller)

    @route("POST", "/api/v1/auth/logout", summary="退出登录 Log out: end this login "
           "(its refresh token and access tokens); with everywhere=true every login",
           tags=["auth"], body=LogoutSchema, response=LoggedOut, password_change_ok=True)
    def logout(self, request, caller, body):
        return self.identity.logout(caller, body.get("refresh_token"),
                                    bool(body.get("everywhere", False)))

    @route("POST", "/api/v1/auth/password", summary="修改密码 Change your password; every "
           "login of the account ends (log in again with the new password)",
           tags=["auth"], body=ChangePasswordSchema, response=PasswordChanged,
           password_change_ok=True)
    def change_password(self, request, caller, body):
        return self.identity.change_password(caller, body["current_password"],
                                             body["new_password"])

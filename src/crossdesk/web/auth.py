"""Resolving the caller of a request: a console session cookie, or a bearer token (integration, buyer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from crossdesk.actions.auth import principal_from_bearer, principal_from_session
from crossdesk.actions.errors import Forbidden, Unauthorized
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal

SESSION_COOKIE = "crossdesk_session"
CSRF_HEADER = "x-requested-with"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token else None


async def current_principal(request: Request, desk: Annotated[Desk, Depends(get_desk)]) -> Principal:
    token = bearer_token(request)
    if token is not None:
        principal = await principal_from_bearer(desk, token)
        if principal is None:
            raise Unauthorized("Invalid or expired token")
        return principal
    principal = await principal_from_session(desk, request.cookies.get(SESSION_COOKIE))
    if principal is None:
        raise Unauthorized("Sign in first")
    # Cookies ride along on cross-site requests; a custom header cannot be set cross-site without CORS.
    if request.method not in _SAFE_METHODS and request.headers.get(CSRF_HEADER) != "crossdesk":
        raise Forbidden("Missing X-Requested-With: crossdesk")
    return principal


async def current_staff(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.is_contact:
        raise Forbidden("Agents only")
    return principal


DeskDep = Annotated[Desk, Depends(get_desk)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
StaffDep = Annotated[Principal, Depends(current_staff)]

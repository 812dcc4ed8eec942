"""Signing in: agent sessions, API tokens and buyer visitor tokens, each resolved to a Principal."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from zoneinfo import available_timezones

import sqlalchemy as sa

from crossdesk.actions.errors import Invalid, NotFound, Unauthorized
from crossdesk.db.queries import Json, contact_conversations
from crossdesk.db.tables import agents, api_tokens, contacts, sessions, shops
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal, PrincipalType, Role
from crossdesk.security.passwords import verify_password
from crossdesk.security.tokens import (
    API_TOKEN_PREFIX,
    SESSION_PREFIX,
    VISITOR_PREFIX,
    VisitorClaims,
    new_opaque_token,
    sign_visitor_token,
    token_digest,
    verify_visitor_token,
)

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_TIMEZONES = frozenset(available_timezones())


async def login(desk: Desk, email: str, password: str) -> tuple[str, sa.RowMapping]:
    """Check the password and open a session; returns the session token (for the cookie) and the agent."""
    query = sa.select(agents).where(agents.c.email == email.strip().lower())
    agent = await desk.db.read(lambda conn: conn.execute(query).mappings().first())
    # Verified even for an unknown e-mail (against a dummy hash) so timing does not reveal accounts.
    if not verify_password(agent["password_hash"] if agent else None, password) or agent is None:
        raise Unauthorized("Wrong e-mail or password")
    token = new_opaque_token(SESSION_PREFIX)
    now = desk.clock()
    insert = sa.insert(sessions).values(
        token_hash=token_digest(token),
        agent_id=agent["id"],
        created_at=now,
        expires_at=now + timedelta(days=desk.settings.session_days),
    )
    await desk.db.write(lambda conn: conn.execute(insert))
    return token, agent


async def logout(desk: Desk, token: str) -> None:
    delete = sa.delete(sessions).where(sessions.c.token_hash == token_digest(token))
    await desk.db.write(lambda conn: conn.execute(delete))


async def principal_from_session(desk: Desk, token: str | None) -> Principal | None:
    if not token or not token.startswith(SESSION_PREFIX) or len(token) > 100:
        return None
    query = (
        sa.select(agents)
        .join(sessions, sessions.c.agent_id == agents.c.id)
        .where(sessions.c.token_hash == token_digest(token), sessions.c.expires_at > desk.clock())
    )
    row = await desk.db.read(lambda conn: conn.execute(query).mappings().first())
    if row is None:
        return None
    return Principal(PrincipalType.AGENT, row["id"], row["shop_id"], row["name"], Role(row["role"]))


async def principal_from_bearer(desk: Desk, token: str | None) -> Principal | None:
    """An integration's API token or a buyer's visitor token."""
    if not token or len(token) > 200:
        return None
    if token.startswith(API_TOKEN_PREFIX):
        query = sa.select(api_tokens).where(api_tokens.c.token_hash == token_digest(token))
        row = await desk.db.read(lambda conn: conn.execute(query).mappings().first())
        if row is None:
            return None
        return Principal(PrincipalType.INTEGRATION, row["id"], row["shop_id"], row["name"], Role.AGENT)
    if token.startswith(VISITOR_PREFIX):
        claims = verify_visitor_token(desk.settings.resolved_secret_key, token)
        if claims is None:
            return None
        query = sa.select(contacts).where(
            contacts.c.id == claims.contact_id, contacts.c.shop_id == claims.shop_id
        )
        contact = await desk.db.read(lambda conn: conn.execute(query).mappings().first())
        if contact is None:
            return None
        return Principal(PrincipalType.CONTACT, contact["id"], contact["shop_id"], contact["name"])
    return None


async def create_api_token(desk: Desk, principal: Principal, name: str) -> Json:
    if not principal.is_admin:
        raise Unauthorized("Only an admin may create API tokens")
    token = new_opaque_token(API_TOKEN_PREFIX)
    insert = sa.insert(api_tokens).values(
        shop_id=principal.shop_id,
        name=name,
        token_hash=token_digest(token),
        created_by=principal.id,
        created_at=desk.clock(),
    )
    token_id = await desk.db.write(lambda conn: conn.execute(insert.returning(api_tokens.c.id)).scalar_one())
    return {"id": token_id, "name": name, "token": token}


def _clean_profile(language: str | None, timezone: str | None) -> tuple[str | None, str | None]:
    lang = language.split("-")[0].lower() if language and _LANGUAGE.match(language) else None
    return lang, timezone if timezone in _TIMEZONES else None


async def visitor_session(
    desk: Desk,
    widget_key: str,
    token: str | None,
    *,
    name: str | None = None,
    email: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
    country: str | None = None,
) -> Json:
    """The widget's start: the same buyer for a valid token of this shop, a new anonymous one otherwise."""
    query = sa.select(shops).where(shops.c.widget_key == widget_key)
    shop = await desk.db.read(lambda conn: conn.execute(query).mappings().first())
    if shop is None:
        raise NotFound("Unknown shop")
    claims = verify_visitor_token(desk.settings.resolved_secret_key, token) if token else None
    lang, tz = _clean_profile(language, timezone)
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise Invalid("country must be a two-letter code")
    now = desk.clock()

    def transaction(conn: sa.Connection) -> tuple[sa.RowMapping, list[Json]]:
        contact = None
        if claims is not None and claims.shop_id == shop["id"]:
            contact = (
                conn.execute(sa.select(contacts).where(contacts.c.id == claims.contact_id)).mappings().first()
            )
        if contact is None:
            contact_id = conn.execute(
                sa.insert(contacts)
                .values(
                    shop_id=shop["id"],
                    name=name or f"Visitor {secrets.randbelow(9000) + 1000}",
                    email=email,
                    country=country.upper() if country else None,
                    language=lang,
                    timezone=tz,
                    created_at=now,
                    last_seen_at=now,
                )
                .returning(contacts.c.id)
            ).scalar_one()
        else:
            contact_id = contact["id"]
            updates: dict[str, object] = {"last_seen_at": now}
            for key, value in (("name", name), ("email", email), ("language", lang), ("timezone", tz)):
                if value:
                    updates[key] = value
            conn.execute(sa.update(contacts).where(contacts.c.id == contact_id).values(**updates))
        row = conn.execute(sa.select(contacts).where(contacts.c.id == contact_id)).mappings().one()
        return row, contact_conversations(conn, contact_id)

    row, conversations = await desk.db.write(transaction)
    signed = sign_visitor_token(desk.settings.resolved_secret_key, VisitorClaims(shop["id"], row["id"]))
    contact_json = {
        "id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "country": row["country"],
        "language": row["language"],
        "timezone": row["timezone"],
    }
    return {
        "token": signed,
        "contact": contact_json,
        "conversations": conversations,
        "shop": {"name": shop["name"]},
    }

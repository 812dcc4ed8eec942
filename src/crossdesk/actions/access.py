"""Who may touch which conversation: a buyer only their own, an agent or token only their shop's."""

from __future__ import annotations

import sqlalchemy as sa

from crossdesk.actions.errors import Forbidden, NotFound
from crossdesk.db.queries import conversation_row
from crossdesk.domain.models import Principal


def check_conversation_access(
    conn: sa.Connection, principal: Principal, conversation_id: int
) -> sa.RowMapping:
    row = conversation_row(conn, conversation_id)
    # The same answer for "missing" and "not yours", so ids cannot be probed.
    if row is None or row["shop_id"] != principal.shop_id:
        raise NotFound("No such conversation")
    if principal.is_contact and row["contact_id"] != principal.id:
        raise NotFound("No such conversation")
    return row


def check_agent(principal: Principal) -> None:
    if principal.is_contact:
        raise Forbidden("Only agents may do this")

"""Refunds, reships, coupons, address changes and cancellations, each checked against the shop's policy.

An action within the agent's limits is done at once; above them it waits for an admin (the lead) to
approve. Every action is a row (who, when, why, which conversation) and carries the client's idempotency
key, so a double click acts once: the order row is locked first and the key checked after, so two
concurrent requests serialize and the second finds the first. The buyer is told in the conversation, in
their language, through the same path as any reply."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crossdesk.actions.access import check_agent, check_conversation_access
from crossdesk.actions.errors import Forbidden, Invalid, NotFound
from crossdesk.actions.messages import send_message
from crossdesk.actions.translations import agent_language
from crossdesk.commerce.notices import notice
from crossdesk.commerce.policy import DEFAULT_POLICY, KINDS, OrderState, check_policy, decide
from crossdesk.db.queries import Json, iso
from crossdesk.db.tables import coupons, order_actions, orders, shipments, shop_policies
from crossdesk.desk import Desk
from crossdesk.domain.models import OrderStatus, Principal, PrincipalType
from crossdesk.events.event import Event, EventName

PENDING, DONE, REJECTED = "pending_approval", "done", "rejected"
MAX_REASON = 500


@dataclass(frozen=True)
class ActionRequest:
    kind: str
    reason: str
    idempotency_key: str
    amount: int = 0  # refunds, in the order's minor units
    percent: int = 0  # coupons
    keep_item: bool = True  # reships
    address: dict[str, str] | None = None  # address changes


@dataclass(frozen=True)
class _Outcome:
    action: Json
    created: bool
    conversation_id: int | None
    notice: str | None


async def request_action(
    desk: Desk, principal: Principal, conversation_id: int, order_id: int, request: ActionRequest
) -> Json:
    check_agent(principal)
    _check_request(request)
    now = desk.clock()

    def transaction(conn: sa.Connection) -> _Outcome:
        check_conversation_access(conn, principal, conversation_id)
        order = _lock_order(conn, principal.shop_id, order_id)
        existing = _by_key(conn, principal.shop_id, request.idempotency_key)
        if existing is not None:
            return _Outcome(
                _action_json(existing, order), False, conversation_id, None
            )  # a resend: the first answer
        role = "admin" if principal.is_admin else "agent"
        decision = decide(
            _policy(conn, principal.shop_id),
            role,
            request.kind,
            _state(conn, order),
            request.amount,
            request.percent,
        )
        if not decision.allowed:
            raise Invalid(f"Cannot {request.kind.replace('_', ' ')}: {decision.reason}")
        action_id = conn.execute(
            sa.insert(order_actions)
            .values(
                shop_id=principal.shop_id,
                order_id=order["id"],
                conversation_id=conversation_id,
                kind=request.kind,
                amount=request.amount or None,
                params=_params(request),
                reason=request.reason,
                status=PENDING if decision.needs_approval else DONE,
                requested_by=principal.id,
                decision_note=decision.reason,
                idempotency_key=request.idempotency_key,
                created_at=now,
                decided_at=None if decision.needs_approval else now,
            )
            .returning(order_actions.c.id)
        ).scalar_one()
        result = (
            None if decision.needs_approval else _apply(conn, order, request.kind, _row(conn, action_id), now)
        )
        row = _row(conn, action_id)
        language = _language(conn, principal)
        kind = "pending" if decision.needs_approval else request.kind
        text = _notice(kind, language, order, request, result)
        return _Outcome(_action_json(row, order), True, conversation_id, text)

    outcome = await desk.db.write(transaction)
    if outcome.created:
        await _announce(desk, principal, outcome)
    return outcome.action


async def decide_action(
    desk: Desk, principal: Principal, action_id: int, approve: bool, note: str = ""
) -> Json:
    """An admin approves (the action is done now, if the order still allows it) or rejects a waiting one."""
    if not principal.is_admin:
        raise Forbidden("Only an admin approves actions above an agent's limits")
    now = desk.clock()

    def transaction(conn: sa.Connection) -> _Outcome:
        action = (
            conn.execute(
                sa.select(order_actions).where(
                    order_actions.c.id == action_id, order_actions.c.shop_id == principal.shop_id
                )
            )
            .mappings()
            .first()
        )
        if action is None:
            raise NotFound("No such action")
        order = _lock_order(conn, principal.shop_id, action["order_id"])
        action = _row(conn, action_id)  # read again under the order's lock: a double click decides once
        if action["status"] != PENDING:
            return _Outcome(_action_json(action, order), False, action["conversation_id"], None)
        values: dict[str, Any] = {
            "decided_by": principal.id,
            "decided_at": now,
            "decision_note": note[:MAX_REASON],
        }
        text = None
        if approve:
            request = _request_from(action)
            decision = decide(
                _policy(conn, principal.shop_id), "admin", action["kind"], _state(conn, order),
                request.amount, request.percent,
            )  # fmt: skip
            if not decision.allowed:
                raise Invalid(f"Cannot approve: {decision.reason}")
            result = _apply(conn, order, action["kind"], action, now)
            values |= {"status": DONE}
            # In the language of the agent who handles the conversation, like the rest of the thread.
            language = agent_language(conn, action["requested_by"])
            text = _notice(action["kind"], language, order, request, result)
        else:
            values |= {"status": REJECTED}
        conn.execute(sa.update(order_actions).where(order_actions.c.id == action_id).values(**values))
        return _Outcome(_action_json(_row(conn, action_id), order), True, action["conversation_id"], text)

    outcome = await desk.db.write(transaction)
    if outcome.created:
        await _announce(desk, principal, outcome)
    return outcome.action


async def list_actions(
    desk: Desk, principal: Principal, *, status: str | None = None, conversation_id: int | None = None
) -> list[Json]:
    check_agent(principal)

    def read(conn: sa.Connection) -> list[Json]:
        query = (
            sa.select(order_actions, orders.c.number, orders.c.currency)
            .join(orders, orders.c.id == order_actions.c.order_id)
            .where(order_actions.c.shop_id == principal.shop_id)
        )
        if conversation_id is not None:
            check_conversation_access(conn, principal, conversation_id)
            query = query.where(order_actions.c.conversation_id == conversation_id)
        if status is not None:
            query = query.where(order_actions.c.status == status)
        rows = conn.execute(query.order_by(order_actions.c.id.desc()).limit(200)).mappings()
        return [_action_json(row, row) for row in rows]

    return await desk.db.read(read)


async def get_policy(desk: Desk, principal: Principal) -> Json:
    check_agent(principal)
    return await desk.db.read(lambda conn: _policy(conn, principal.shop_id))


async def set_policy(desk: Desk, principal: Principal, rules: dict[str, Any]) -> Json:
    if not principal.is_admin:
        raise Forbidden("Only an admin changes the policy")
    try:
        rules = check_policy(rules)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    now = desk.clock()

    def transaction(conn: sa.Connection) -> Json:
        updated = conn.execute(
            sa.update(shop_policies)
            .where(shop_policies.c.shop_id == principal.shop_id)
            .values(rules=rules, updated_at=now)
        )
        if updated.rowcount == 0:
            conn.execute(
                sa.insert(shop_policies).values(shop_id=principal.shop_id, rules=rules, updated_at=now)
            )
        return rules

    return await desk.db.write(transaction)


# --- inside the transaction -----------------------------------------------------------------------------
def _check_request(request: ActionRequest) -> None:
    if request.kind not in KINDS:
        raise Invalid(f"Unknown action {request.kind!r}; one of {', '.join(KINDS)}")
    if not request.reason.strip() or len(request.reason) > MAX_REASON:
        raise Invalid(f"Say why, in 1-{MAX_REASON} characters")
    if not 8 <= len(request.idempotency_key) <= 64:
        raise Invalid("idempotency_key must be 8-64 characters")
    if request.kind == "address_change" and not request.address:
        raise Invalid("An address change needs the new address")


def _lock_order(conn: sa.Connection, shop_id: int, order_id: int) -> sa.RowMapping:
    query = sa.select(orders).where(orders.c.id == order_id, orders.c.shop_id == shop_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()  # SQLite has one writer: every transaction holds the lock already
    order = conn.execute(query).mappings().first()
    if order is None:
        raise NotFound("No such order")
    return order


def _by_key(conn: sa.Connection, shop_id: int, key: str) -> sa.RowMapping | None:
    return (
        conn.execute(
            sa.select(order_actions).where(
                order_actions.c.shop_id == shop_id, order_actions.c.idempotency_key == key
            )
        )
        .mappings()
        .first()
    )


def _row(conn: sa.Connection, action_id: int) -> sa.RowMapping:
    return conn.execute(sa.select(order_actions).where(order_actions.c.id == action_id)).mappings().one()


def _policy(conn: sa.Connection, shop_id: int) -> dict[str, Any]:
    stored = conn.execute(
        sa.select(shop_policies.c.rules).where(shop_policies.c.shop_id == shop_id)
    ).scalar_one_or_none()
    return dict(stored) if stored else DEFAULT_POLICY


def _state(conn: sa.Connection, order: sa.RowMapping) -> OrderState:
    parcels = conn.execute(
        sa.select(sa.func.count()).select_from(shipments).where(shipments.c.order_id == order["id"])
    ).scalar_one()
    return OrderState(
        currency=order["currency"],
        paid=order["paid"],
        refunded=order["refunded"],
        shipped=parcels > 0 or order["status"] == OrderStatus.FULFILLED.value,
        cancelled=order["status"] == OrderStatus.CANCELLED.value,
    )


def _params(request: ActionRequest) -> dict[str, Any]:
    if request.kind == "coupon":
        return {"percent": request.percent}
    if request.kind == "reship":
        return {"keep_item": request.keep_item}
    if request.kind == "address_change":
        return {"address": request.address}
    return {}


def _request_from(action: sa.RowMapping) -> ActionRequest:
    params = action["params"] or {}
    return ActionRequest(
        kind=action["kind"],
        reason=action["reason"],
        idempotency_key=action["idempotency_key"],
        amount=action["amount"] or 0,
        percent=int(params.get("percent", 0)),
        keep_item=bool(params.get("keep_item", True)),
        address=params.get("address"),
    )


def _apply(conn: sa.Connection, order: sa.RowMapping, kind: str, action: sa.RowMapping, now: Any) -> Json:
    """Do it. (A store connector would also tell the store; for imported orders the desk is the record.)"""
    request = _request_from(action)
    result: Json = {}
    if kind in ("refund", "cancel"):
        amount = request.amount if kind == "refund" else order["paid"] - order["refunded"]
        refunded = order["refunded"] + amount
        status = (
            OrderStatus.CANCELLED.value
            if kind == "cancel"
            else OrderStatus.REFUNDED.value
            if refunded >= order["paid"]
            else OrderStatus.PARTIALLY_REFUNDED.value
        )
        conn.execute(
            sa.update(orders)
            .where(orders.c.id == order["id"])
            .values(refunded=refunded, status=status, updated_at=now)
        )
        result = {"refunded": amount, "order_status": status}
    elif kind == "coupon":
        code = f"SORRY{request.percent}-{secrets.token_hex(3).upper()}"
        conn.execute(
            sa.insert(coupons).values(
                shop_id=order["shop_id"],
                code=code,
                percent_off=request.percent,
                email=order["email"],
                created_at=now,
            )
        )
        result = {"code": code}
    elif kind == "address_change":
        conn.execute(
            sa.update(orders)
            .where(orders.c.id == order["id"])
            .values(shipping_address=request.address, updated_at=now)
        )
    elif kind == "reship":
        result = {"keep_item": request.keep_item}
    conn.execute(sa.update(order_actions).where(order_actions.c.id == action["id"]).values(result=result))
    return result


def _language(conn: sa.Connection, principal: Principal) -> str | None:
    return agent_language(conn, principal.id) if principal.type is PrincipalType.AGENT else None


def _notice(
    kind: str, language: str | None, order: sa.RowMapping, request: ActionRequest, result: Json | None
) -> str:
    amount = request.amount if kind != "cancel" else int((result or {}).get("refunded", 0))
    return notice(
        kind,
        language,
        number=order["number"],
        currency=order["currency"],
        amount=amount,
        percent=request.percent,
        code=str((result or {}).get("code", "")),
        keep_item=request.keep_item,
    )


def _action_json(row: sa.RowMapping, order: sa.RowMapping) -> Json:
    return {
        "id": row["id"],
        "order_id": row["order_id"],
        "order_number": order["number"],
        "currency": order["currency"],
        "conversation_id": row["conversation_id"],
        "kind": row["kind"],
        "amount": row["amount"],
        "params": row["params"],
        "reason": row["reason"],
        "status": row["status"],
        "requested_by": row["requested_by"],
        "decided_by": row["decided_by"],
        "decision_note": row["decision_note"],
        "result": row["result"],
        "created_at": iso(row["created_at"]),
        "decided_at": iso(row["decided_at"]) if row["decided_at"] else None,
    }


# --- after the commit -----------------------------------------------------------------------------------
async def _announce(desk: Desk, principal: Principal, outcome: _Outcome) -> None:
    """Agents' consoles hear of it (a lead's approval queue updates); the buyer reads the notice."""
    await desk.bus.publish(
        Event(
            EventName.ORDER_ACTION,
            principal.shop_id,
            outcome.conversation_id or 0,
            0,
            outcome.action,
            visible_to_contact=False,
        )
    )
    if outcome.notice and outcome.conversation_id:
        await send_message(
            desk,
            principal,
            conversation_id=outcome.conversation_id,
            body=outcome.notice,
            client_id=f"order-action-{outcome.action['id']}-{outcome.action['status']}",
        )

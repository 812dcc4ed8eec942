"""The REST API. Each route parses, calls one action, and shapes the answer; no table access here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile

from crossdesk.actions import attachments as attachment_actions
from crossdesk.actions import auth as auth_actions
from crossdesk.actions import calls as call_actions
from crossdesk.actions import catalogue as catalogue_actions
from crossdesk.actions import commerce as commerce_actions
from crossdesk.actions import conversations as conversation_actions
from crossdesk.actions import insights as insight_actions
from crossdesk.actions import macros as macro_actions
from crossdesk.actions import messages as message_actions
from crossdesk.actions import order_actions as order_action_actions
from crossdesk.actions import translations as translation_actions
from crossdesk.actions import webhooks as webhook_actions
from crossdesk.actions.access import check_conversation_access
from crossdesk.actions.errors import Invalid, NotFound, RateLimited, TooLong, Unauthorized
from crossdesk.actions.order_actions import ActionRequest
from crossdesk.commerce.importer import ParsedFile
from crossdesk.commerce.shopify_sync import desk_shop_id
from crossdesk.db import queries
from crossdesk.db.orders import buyer_orders, buyer_summary
from crossdesk.domain.models import ConversationStatus, Intent, PrincipalType, Sentiment
from crossdesk.providers.shopify import order_from_webhook, verify_webhook
from crossdesk.rtc.ice import ice_servers
from crossdesk.web.api.schemas import (
    ApiTokenIn,
    AssignIn,
    CheckIn,
    DecisionIn,
    GlossaryEntryIn,
    LanguageIn,
    LoginIn,
    MacroIn,
    MessageIn,
    OrderActionIn,
    OrderLookupIn,
    PreviewIn,
    ProfileIn,
    ReadIn,
    StatusIn,
    SuggestIn,
    WebhookIn,
    WidgetSessionIn,
)
from crossdesk.web.auth import SESSION_COOKIE, DeskDep, PrincipalDep, StaffDep

router = APIRouter(prefix="/api/v1")
Json = dict[str, Any]


# --- console sign-in -----------------------------------------------------------------------------------
@router.post("/auth/login", tags=["auth"])
async def login(body: LoginIn, desk: DeskDep, request: Request, response: Response) -> Json:
    client = request.client.host if request.client else "unknown"
    if not desk.address_limiter.allow(f"login:{client}"):
        raise RateLimited("Too many sign-in attempts; wait a moment")
    token, agent = await auth_actions.login(desk, body.email, body.password)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.url.scheme == "https",
        max_age=desk.settings.session_days * 86400,
    )
    return {"agent": queries.agent_json(agent)}


@router.post("/auth/logout", status_code=204, tags=["auth"])
async def logout(_principal: StaffDep, desk: DeskDep, request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await auth_actions.logout(desk, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", tags=["auth"])
async def me(principal: StaffDep, desk: DeskDep) -> Json:
    def read(conn: sa.Connection) -> tuple[sa.RowMapping | None, sa.RowMapping | None]:
        agent = queries.agent_by_id(conn, principal.id) if principal.type is PrincipalType.AGENT else None
        return queries.shop_by_id(conn, principal.shop_id), agent

    shop, agent = await desk.db.read(read)
    assert shop is not None
    return {
        "agent": queries.agent_json(agent, online=True) if agent else None,
        "principal": {"type": principal.type.value, "id": principal.id, "name": principal.name},
        "shop": {"id": shop["id"], "name": shop["name"], "widget_key": shop["widget_key"]},
        # What this desk runs, so the console offers only what works.
        "features": {"coach": desk.coach is not None, "translation": desk.language.translator is not None},
    }


@router.get("/agents", tags=["agents"])
async def list_agents(principal: StaffDep, desk: DeskDep, request: Request) -> Json:
    online = request.app.state.hub.online_agent_ids(principal.shop_id)
    rows = await desk.db.read(lambda conn: queries.list_agents(conn, principal.shop_id))
    return {"items": [queries.agent_json(r, online=r["id"] in online) for r in rows]}


@router.post("/api-tokens", status_code=201, tags=["auth"])
async def create_api_token(body: ApiTokenIn, principal: StaffDep, desk: DeskDep) -> Json:
    return await auth_actions.create_api_token(desk, principal, body.name)


# --- conversations -------------------------------------------------------------------------------------
@router.get("/conversations", tags=["conversations"])
async def list_conversations(
    principal: StaffDep,
    desk: DeskDep,
    status: ConversationStatus = ConversationStatus.OPEN,
    assignee: Annotated[str, Query(pattern="^(me|mine|unassigned|all)$")] = "all",
    before: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    intent: Intent | None = None,
    sentiment: Sentiment | None = None,
    urgent: bool | None = None,
) -> Json:
    """The inbox. `intent`, `sentiment` and `urgent` filter by the coach's reading of the latest buyer
    message."""
    if before is not None and before.tzinfo is None:
        raise Invalid("before must carry a UTC offset")
    items, next_cursor, counts = await desk.db.read(
        lambda conn: queries.list_conversations(
            conn,
            principal.shop_id,
            agent_id=principal.id if principal.type is PrincipalType.AGENT else None,
            status=status,
            assignee="mine" if assignee == "me" else assignee,
            before=before,
            limit=limit,
            intent=intent.value if intent else None,
            sentiment=sentiment.value if sentiment else None,
            urgent=urgent,
        )
    )
    return {"items": items, "next": next_cursor, "counts": counts}


@router.get("/conversations/{conversation_id}", tags=["conversations"])
async def get_conversation(conversation_id: int, principal: StaffDep, desk: DeskDep) -> Json:
    def read(conn: sa.Connection) -> Json:
        check_conversation_access(conn, principal, conversation_id)
        return queries.conversation_json(conn, conversation_id, principal.id, staff=True)

    return await desk.db.read(read)


async def _messages_page(
    desk: DeskDep,
    principal: PrincipalDep,
    conversation_id: int,
    after_seq: int | None,
    before_seq: int | None,
    limit: int,
) -> Json:
    if after_seq is not None and before_seq is not None:
        raise Invalid("Give after_seq or before_seq, not both")

    def read(conn: sa.Connection) -> list[Json]:
        check_conversation_access(conn, principal, conversation_id)
        return queries.list_messages(
            conn,
            conversation_id,
            after_seq=after_seq,
            before_seq=before_seq,
            limit=limit + 1,
            for_contact=principal.is_contact,
        )

    items = await desk.db.read(read)
    has_more = len(items) > limit
    if has_more:
        items = items[1:] if before_seq is not None else items[:limit]
    return {"items": items, "has_more": has_more}


SeqQuery = Annotated[int | None, Query(ge=0)]
LimitQuery = Annotated[int, Query(ge=1, le=200)]


@router.get("/conversations/{conversation_id}/messages", tags=["messages"])
async def list_messages(
    conversation_id: int,
    principal: StaffDep,
    desk: DeskDep,
    after_seq: SeqQuery = None,
    before_seq: SeqQuery = None,
    limit: LimitQuery = 100,
) -> Json:
    return await _messages_page(desk, principal, conversation_id, after_seq, before_seq, limit)


@router.post("/conversations/{conversation_id}/messages", status_code=201, tags=["messages"])
async def post_message(
    conversation_id: int,
    body: MessageIn,
    principal: StaffDep,
    desk: DeskDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=64)] = None,
) -> Json:
    result = await message_actions.send_message(
        desk,
        principal,
        conversation_id=conversation_id,
        body=body.body,
        client_id=idempotency_key,
        attachment_id=body.attachment_id,
        translation=body.translation.model_dump() if body.translation else None,
    )
    if not result.created:
        response.status_code = 200
    return result.message


@router.post("/conversations/{conversation_id}/translation-preview", tags=["language"])
async def translation_preview(
    conversation_id: int, body: PreviewIn, principal: StaffDep, desk: DeskDep
) -> Json:
    """The buyer-language version of a draft, in the agent's language; not stored. Send it along with the
    message as `translation` so the buyer reads exactly what the agent saw."""
    return await translation_actions.preview_translation(desk, principal, conversation_id, body.text)


@router.get("/conversations/{conversation_id}/orders", tags=["commerce"])
async def conversation_orders(conversation_id: int, principal: StaffDep, desk: DeskDep) -> Json:
    """The buyer's orders (matched by their email, or by an order number they wrote here), newest first,
    with lines, shipments and tracking events, and a summary: order count, lifetime value net of refunds
    per currency, coupons given; amounts in minor units of `currency`."""

    def read(conn: sa.Connection) -> Json:
        conversation = check_conversation_access(conn, principal, conversation_id)
        buyer = buyer_orders(conn, principal.shop_id, conversation["contact_id"], conversation_id)
        return {"items": buyer.orders, "summary": buyer_summary(conn, principal.shop_id, buyer.email)}

    return await desk.db.read(read)


@router.post("/conversations/{conversation_id}/orders/{order_id}/actions", tags=["commerce"])
async def request_order_action(
    conversation_id: int, order_id: int, body: OrderActionIn, principal: StaffDep, desk: DeskDep
) -> Json:
    """Refund, reship, coupon, address change or cancel, checked against the shop's policy: `status` is
    `done` within the agent's limits, `pending_approval` above them (an admin decides). The same
    `idempotency_key` twice acts once and answers the same. The buyer is told in the conversation."""
    request = ActionRequest(
        kind=body.kind,
        reason=body.reason,
        idempotency_key=body.idempotency_key,
        amount=body.amount,
        percent=body.percent,
        keep_item=body.keep_item,
        address=body.address,
    )
    return await order_action_actions.request_action(desk, principal, conversation_id, order_id, request)


@router.get("/conversations/{conversation_id}/actions", tags=["commerce"])
async def conversation_actions_log(conversation_id: int, principal: StaffDep, desk: DeskDep) -> Json:
    """Every action taken on this conversation's orders, newest first: the audit trail."""
    items = await order_action_actions.list_actions(desk, principal, conversation_id=conversation_id)
    return {"items": items}


@router.get("/actions", tags=["commerce"])
async def list_order_actions(
    principal: StaffDep,
    desk: DeskDep,
    status: Annotated[str | None, Query(pattern="^(pending_approval|done|rejected)$")] = None,
) -> Json:
    """The shop's actions, newest first; `status=pending_approval` is the lead's queue."""
    return {"items": await order_action_actions.list_actions(desk, principal, status=status)}


@router.post("/actions/{action_id}/approve", tags=["commerce"])
async def approve_order_action(action_id: int, body: DecisionIn, principal: StaffDep, desk: DeskDep) -> Json:
    return await order_action_actions.decide_action(desk, principal, action_id, True, body.note)


@router.post("/actions/{action_id}/reject", tags=["commerce"])
async def reject_order_action(action_id: int, body: DecisionIn, principal: StaffDep, desk: DeskDep) -> Json:
    return await order_action_actions.decide_action(desk, principal, action_id, False, body.note)


@router.get("/policy", tags=["commerce"])
async def get_policy(principal: StaffDep, desk: DeskDep) -> Json:
    """What agents may do alone (refund limits per currency, coupon percent, reships)."""
    return await order_action_actions.get_policy(desk, principal)


@router.put("/policy", tags=["commerce"])
async def put_policy(body: dict[str, Any], principal: StaffDep, desk: DeskDep) -> Json:
    return await order_action_actions.set_policy(desk, principal, body)


@router.get("/products", tags=["commerce"])
async def search_products(
    principal: StaffDep, desk: DeskDep, q: Annotated[str, Query(min_length=1, max_length=100)]
) -> Json:
    """Products whose title or SKU contains `q`, with every variant's size, colour, price and stock."""
    return {"items": await catalogue_actions.search_products(desk, principal, q)}


@router.get("/macros", tags=["macros"])
async def list_macros(principal: StaffDep, desk: DeskDep) -> Json:
    return {"items": await macro_actions.list_macros(desk, principal)}


@router.post("/macros", status_code=201, tags=["macros"])
async def add_macro(body: MacroIn, principal: StaffDep, desk: DeskDep) -> Json:
    """A saved reply; `{{order.number}}`, `{{shipment.status}}`, `{{shipment.last_event}}`,
    `{{shipment.eta_local}}`, `{{shipment.tracking_url}}` and `{{coupon.code}}` are filled per
    conversation."""
    return await macro_actions.add_macro(desk, principal, body.name, body.body)


@router.delete("/macros/{macro_id}", status_code=204, tags=["macros"])
async def delete_macro(macro_id: int, principal: StaffDep, desk: DeskDep) -> None:
    await macro_actions.delete_macro(desk, principal, macro_id)


@router.post("/conversations/{conversation_id}/macros/{macro_id}", tags=["macros"])
async def render_macro(conversation_id: int, macro_id: int, principal: StaffDep, desk: DeskDep) -> Json:
    """The macro's text with this conversation's facts: `{text, missing}`."""
    return await macro_actions.render_macro(desk, principal, conversation_id, macro_id)


@router.post("/conversations/{conversation_id}/suggestion", tags=["coach"])
async def suggest_reply(
    conversation_id: int, principal: StaffDep, desk: DeskDep, body: SuggestIn | None = None
) -> Json:
    """A reply drafted from the playbook for the buyer's latest message, in the agent's language:
    `{text, language, steps, missing, intent, sentiment, customer}`. [Bracketed] parts are for the agent
    to fill in. `refuse: true` drafts the playbook's warm, firm refusal with an alternative instead."""
    intent = body.intent.value if body and body.intent else None
    refuse = bool(body and body.refuse)
    return await insight_actions.suggest_reply(desk, principal, conversation_id, intent, refuse)


@router.post("/conversations/{conversation_id}/check", tags=["coach"])
async def check_draft(conversation_id: int, body: CheckIn, principal: StaffDep, desk: DeskDep) -> Json:
    """Flags on a draft before it is sent: `{language, flags: [{kind, span, start, end, label, advice,
    suggestion, in}]}`; `in` is "draft", or "translation" for what only the buyer-language preview (sent as
    `translation`) shows."""
    translation = (body.translation.language, body.translation.text) if body.translation else None
    return await insight_actions.check_draft(desk, principal, conversation_id, body.text, translation)


@router.put("/conversations/{conversation_id}/language", tags=["language"])
async def set_conversation_language(
    conversation_id: int, body: LanguageIn, principal: StaffDep, desk: DeskDep
) -> Json:
    """Fix the buyer's language (detection no longer moves it), or hand it back to detection with null."""
    return await translation_actions.set_conversation_language(
        desk, principal, conversation_id, body.language
    )


@router.patch("/me", tags=["auth"])
async def update_me(body: ProfileIn, principal: StaffDep, desk: DeskDep) -> Json:
    """Set the signed-in agent's working language: buyer messages are translated into it."""
    return await translation_actions.set_agent_language(desk, principal, body.language)


@router.get("/glossary", tags=["language"])
async def list_glossary(principal: StaffDep, desk: DeskDep) -> Json:
    return {"items": await translation_actions.list_glossary(desk, principal)}


@router.post("/glossary", status_code=201, tags=["language"])
async def add_glossary_entry(body: GlossaryEntryIn, principal: StaffDep, desk: DeskDep) -> Json:
    """An entry maps languages to a term ({"zh": "藏蓝色", "en": "navy blue"}) or keeps one verbatim
    ({"*": "3XL"}); every translation is told the terms that occur and checked for them."""
    return await translation_actions.add_glossary_entry(desk, principal, body.terms)


@router.delete("/glossary/{entry_id}", status_code=204, tags=["language"])
async def delete_glossary_entry(entry_id: int, principal: StaffDep, desk: DeskDep) -> None:
    await translation_actions.delete_glossary_entry(desk, principal, entry_id)


@router.post("/conversations/{conversation_id}/assign", tags=["conversations"])
async def assign(conversation_id: int, body: AssignIn, principal: StaffDep, desk: DeskDep) -> Json:
    return await conversation_actions.assign(desk, principal, conversation_id, body.assignee_id)


@router.post("/conversations/{conversation_id}/status", tags=["conversations"])
async def set_status(conversation_id: int, body: StatusIn, principal: StaffDep, desk: DeskDep) -> Json:
    return await conversation_actions.set_status(desk, principal, conversation_id, body.status)


@router.post("/conversations/{conversation_id}/read", status_code=204, tags=["conversations"])
async def mark_read(conversation_id: int, body: ReadIn, principal: StaffDep, desk: DeskDep) -> None:
    await conversation_actions.mark_read(desk, principal, conversation_id, body.seq)


# --- attachments ---------------------------------------------------------------------------------------
@router.post("/attachments", status_code=201, tags=["attachments"])
async def upload_attachment(
    principal: PrincipalDep,
    desk: DeskDep,
    file: Annotated[UploadFile, File()],
    conversation_id: Annotated[int | None, Form()] = None,
) -> Json:
    limit = desk.settings.max_attachment_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLong(f"Images are limited to {limit // (1024 * 1024)} MB")
    return await attachment_actions.upload_image(desk, principal, data, conversation_id)


@router.get("/attachments/{attachment_id}", tags=["attachments"], response_class=Response)
async def get_attachment(attachment_id: int, principal: PrincipalDep, desk: DeskDep) -> Response:
    data, content_type = await attachment_actions.read_image(desk, principal, attachment_id)
    return Response(
        data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


# --- webhooks ------------------------------------------------------------------------------------------
@router.get("/webhooks", tags=["webhooks"])
async def list_webhooks(principal: StaffDep, desk: DeskDep) -> Json:
    return {"items": await webhook_actions.list_webhooks(desk, principal)}


@router.post("/webhooks", status_code=201, tags=["webhooks"])
async def create_webhook(body: WebhookIn, principal: StaffDep, desk: DeskDep) -> Json:
    return await webhook_actions.create_webhook(desk, principal, body.url, body.events)


@router.delete("/webhooks/{hook_id}", status_code=204, tags=["webhooks"])
async def delete_webhook(hook_id: int, principal: StaffDep, desk: DeskDep) -> None:
    await webhook_actions.delete_webhook(desk, principal, hook_id)


# --- the buyer widget ----------------------------------------------------------------------------------
@router.post("/widget/session", tags=["widget"])
async def widget_session(body: WidgetSessionIn, desk: DeskDep, request: Request) -> Json:
    client = request.client.host if request.client else "unknown"
    if not body.token and not desk.address_limiter.allow(f"new-visitor:{client}"):
        raise RateLimited("Too many new chats from this address; wait a moment")
    return await auth_actions.visitor_session(
        desk,
        body.shop,
        body.token,
        name=body.name,
        email=body.email,
        language=body.language,
        timezone=body.timezone,
        country=body.country,
    )


@router.post("/integrations/shopify/orders", tags=["integrations"], status_code=200)
async def shopify_order_webhook(request: Request, desk: DeskDep) -> Json:
    """Shopify's `orders/create` and `orders/updated` webhooks: the body must carry Shopify's HMAC."""
    body = await request.body()
    secret = desk.settings.shopify_webhook_secret.get_secret_value()
    if not verify_webhook(secret, body, request.headers.get("x-shopify-hmac-sha256")):
        raise Unauthorized("The Shopify signature does not match")
    try:
        record = order_from_webhook(json.loads(body))
    except (ValueError, KeyError, TypeError) as exc:
        raise Invalid(f"Not a Shopify order: {exc}") from exc
    shop_id = await desk_shop_id(desk)
    if shop_id is None:
        raise Invalid("Set CROSSDESK_SHOPIFY_DESK_SHOP to the shop these orders belong to")
    report = await commerce_actions.import_orders(desk, shop_id, ParsedFile(orders=[record]))
    return report.as_json()


@router.get("/rtc/ice-servers", tags=["calls"])
async def rtc_ice_servers(principal: PrincipalDep, desk: DeskDep) -> Json:
    """STUN and TURN servers for this person's next call, with TURN credentials that expire after
    `ttl_s` (the TURN REST API scheme coturn implements). For agents and buyers alike."""
    who = f"{principal.type.value}-{principal.id}"
    return ice_servers(desk.settings, who, desk.clock())


@router.post("/calls/{call_id}/snapshots", status_code=201, tags=["calls"])
async def call_snapshot(
    call_id: int, principal: StaffDep, desk: DeskDep, file: Annotated[UploadFile, File()]
) -> Json:
    """A frame of the buyer's video the agent captured during the call (PNG or JPEG, checked by decoding
    it), attached to the conversation as an image message with the time it was taken."""
    limit = desk.settings.max_attachment_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLong(f"Images are limited to {limit // (1024 * 1024)} MB")
    return await call_actions.attach_snapshot(desk, principal, call_id, data)


@router.post("/calls/{call_id}/recording", status_code=201, tags=["calls"])
async def call_recording(
    call_id: int, principal: StaffDep, desk: DeskDep, file: Annotated[UploadFile, File()]
) -> Json:
    """The call's recording from the agent's browser (WebM, checked by content), once the buyer allowed
    it; kept in the conversation for staff."""
    limit = desk.settings.max_recording_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLong(f"Recordings are limited to {limit // (1024 * 1024)} MB")
    return await call_actions.attach_recording(desk, principal, call_id, data)


@router.post("/widget/orders/lookup", tags=["widget"])
async def widget_order_lookup(body: OrderLookupIn, principal: PrincipalDep, desk: DeskDep) -> Json:
    """A buyer's own order, shown once they give its number and the email it was placed with; a wrong
    number and a wrong email both get the same 404."""
    return await commerce_actions.lookup_order_for_buyer(desk, principal, body.number, body.email)


@router.get("/widget/conversations/{conversation_id}/messages", tags=["widget"])
async def widget_messages(
    conversation_id: int,
    principal: PrincipalDep,
    desk: DeskDep,
    after_seq: SeqQuery = None,
    before_seq: SeqQuery = None,
    limit: LimitQuery = 100,
) -> Json:
    if not principal.is_contact:
        raise NotFound("Widget routes are for buyers")
    return await _messages_page(desk, principal, conversation_id, after_seq, before_seq, limit)

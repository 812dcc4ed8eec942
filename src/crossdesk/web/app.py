"""Builds the ASGI app around one Desk: routes, the socket, static pages, background workers."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from crossdesk import __version__
from crossdesk.coach.worker import AnalysisWorker
from crossdesk.commerce.shopify_sync import ShopifySync
from crossdesk.config import Settings
from crossdesk.desk import Desk
from crossdesk.language.worker import TranslationWorker
from crossdesk.realtime.hub import Hub
from crossdesk.rtc.timeouts import RingTimeouts
from crossdesk.web import errors
from crossdesk.web.api.routes import router
from crossdesk.web.body_limit import BodySizeLimit
from crossdesk.web.security_headers import SecurityHeaders
from crossdesk.web.ws import websocket_endpoint
from crossdesk.webhooks.delivery import WebhookDeliverer

STATIC = Path(__file__).with_name("static")
RECORDING_PATH = re.compile(r"^/api/v1/calls/\d+/recording$")


class SocketsFirst:
    """Hands `/ws` upgrades straight to the socket endpoint with uvicorn's own `send`, ahead of the HTTP
    middleware and routing: a socket sends a frame per event, so every wrapper around `send` costs on the
    hottest path there is. Everything else (HTTP, lifespan) goes to the FastAPI app."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == "/ws":
            scope["app"] = self.app
            await websocket_endpoint(WebSocket(scope, receive, send), send)
        else:
            await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, desk: Desk | None = None) -> SocketsFirst:
    desk = desk or Desk.from_settings(settings or Settings())
    hub = Hub()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        desk.bus.subscribe(hub.dispatch)
        await desk.bus.start()
        deliverer = WebhookDeliverer(desk)
        workers = [
            asyncio.create_task(deliverer.run(), name="webhook-deliverer"),
            asyncio.create_task(TranslationWorker(desk).run(), name="translation-worker"),
            asyncio.create_task(AnalysisWorker(desk).run(), name="analysis-worker"),
            asyncio.create_task(ShopifySync(desk).run(), name="shopify-sync"),
            asyncio.create_task(RingTimeouts(desk).run(), name="ring-timeouts"),
        ]
        try:
            yield
        finally:
            for worker in workers:
                worker.cancel()
            for worker in workers:
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await deliverer.close()
            await desk.language.aclose()
            if desk.coach is not None:
                desk.coach.close()
            await desk.bus.close()
            await desk.db.dispose()

    app = FastAPI(
        title="crossdesk", version=__version__, lifespan=lifespan, docs_url="/api/docs", redoc_url=None
    )
    app.state.desk = desk
    app.state.hub = hub
    errors.install(app)
    app.include_router(router)
    app.add_middleware(SecurityHeaders)
    # An image plus multipart framing; everything else is far smaller.
    app.add_middleware(
        BodySizeLimit,
        max_bytes=desk.settings.max_attachment_bytes + 64 * 1024,
        large_bytes=desk.settings.max_recording_bytes + 64 * 1024,
        is_large=lambda path: RECORDING_PATH.match(path) is not None,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    pages = {
        "/console": "console/index.html",
        "/demo": "demo/index.html",
        "/widget/frame": "widget/frame.html",
        "/widget.js": "widget/widget.js",
    }
    for path, file in pages.items():
        app.add_api_route(path, _static_page(STATIC / file), include_in_schema=False)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/console")

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, object]:
        coach = "off" if desk.coach is None else "ready" if desk.coach.ready else "warming"
        return {"ok": True, "connections": hub.connection_count, "coach": coach}

    return SocketsFirst(app)


def _static_page(path: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    return page

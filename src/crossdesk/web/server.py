"""The uvicorn server the desk runs on, configured in one place for the CLI and the tests."""

from __future__ import annotations

import uvicorn
from starlette.types import ASGIApp

from crossdesk.config import Settings


def build_server(
    app: ASGIApp, settings: Settings, host: str, port: int, log_level: str = "info"
) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        # The sans-I/O implementation writes frames straight to the transport: the cheapest send path.
        ws="websockets-sansio",
        ws_max_size=settings.max_frame_bytes,
        # Chat frames are a few hundred bytes: compressing each one for every socket cost more CPU than all
        # the rest of a delivery (measured in bench/realtime.py).
        ws_per_message_deflate=False,
        # Heartbeats are the desk's own (app-level ping/pong that browsers can see).
        ws_ping_interval=None,
        proxy_headers=False,
    )
    return uvicorn.Server(config)

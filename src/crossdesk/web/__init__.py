"""The ASGI app: REST routes, the WebSocket endpoint, authentication, and the static console and widget."""

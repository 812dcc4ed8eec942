"""Test and benchmark helpers, in the package so tests, benchmarks and helper scripts share one
implementation: a real `crossdesk serve` process on loopback and the scripted translator (server), a local
TURN server (turn) and delaying proxies that emulate a long round trip on loopback (netdelay)."""

from crossdesk.testing.server import ScriptedTranslator, ServerProcess, free_port

__all__ = ["ScriptedTranslator", "ServerProcess", "free_port"]

"""The local coturn (crossdesk.testing.turn): it relays for the TURN REST API credentials crossdesk mints
(crossdesk.rtc.ice.turn_credentials) and refuses any others, also through the UDP delay proxy the call
benchmark puts in front of it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crossdesk.rtc.ice import turn_credentials
from crossdesk.testing.netdelay import UdpDelayProxy
from crossdesk.testing.turn import RELAY_PORTS, StunClient, TurnError, TurnServer, coturn_available

SECRET = "integration-secret"
DELAY_S = 0.05


@pytest.fixture
def turn(tmp_path: Path) -> Iterator[TurnServer]:
    if not coturn_available():
        pytest.skip("coturn's turnserver is not installed (`make browser` installs it)")
    with TurnServer(tmp_path / "turn", SECRET) as server:
        yield server


def test_allocates_a_loopback_relay_for_credentials_minted_with_the_secret(turn: TurnServer) -> None:
    assert turn.url == f"turn:127.0.0.1:{turn.port}?transport=udp"
    username, password = turn_credentials(SECRET, "agent-7", int(time.time()) + 600)
    with StunClient("127.0.0.1", turn.port) as client:
        allocation = client.allocate(username, password)
        relay_host, relay_port = allocation.relayed
        assert relay_host == "127.0.0.1"
        assert RELAY_PORTS[0] <= relay_port <= RELAY_PORTS[1]
        assert allocation.mapped == client.sock.getsockname()
        assert allocation.lifetime_s > 0
        client.release()  # a signed Refresh to lifetime 0; raises unless the server accepted it
    assert turn.log_path.is_file() and turn.log_path.parent == turn.directory


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param(
            lambda now: (turn_credentials(SECRET, "agent-7", now + 600)[0], "not-the-password"),
            id="wrong-password",
        ),
        pytest.param(lambda now: turn_credentials("another-secret", "agent-7", now + 600), id="other-secret"),
        pytest.param(lambda now: turn_credentials(SECRET, "agent-7", now - 5), id="expired"),
    ],
)
def test_refuses_credentials_the_secret_did_not_mint_or_that_expired(
    turn: TurnServer, credentials: Callable[[int], tuple[str, str]]
) -> None:
    username, password = credentials(int(time.time()))
    with StunClient("127.0.0.1", turn.port) as client, pytest.raises(TurnError) as refused:
        client.allocate(username, password)
    assert refused.value.code == 401


def test_allocation_through_the_udp_delay_proxy_costs_its_round_trips(turn: TurnServer) -> None:
    username, password = turn.credentials("buyer-3")
    proxy = UdpDelayProxy("127.0.0.1", turn.port, DELAY_S)
    with proxy.run_in_thread(), StunClient("127.0.0.1", proxy.port) as client:
        started = time.monotonic()
        mapped = client.binding()
        binding_s = time.monotonic() - started
        started = time.monotonic()
        allocation = client.allocate(username, password)
        allocate_s = time.monotonic() - started
        # coturn sees the proxy's upstream socket for this client, not the client itself
        assert mapped == allocation.mapped == ("127.0.0.1", proxy.upstream_ports[client.sock.getsockname()])
    assert binding_s >= 2 * DELAY_S  # one request and its answer: two passes
    assert allocate_s >= 4 * DELAY_S  # the 401 challenge, then the signed request: two round trips
    assert allocate_s < 4 * DELAY_S + 0.5


def test_stops_its_turnserver_on_exit(tmp_path: Path) -> None:
    if not coturn_available():
        pytest.skip("coturn's turnserver is not installed (`make browser` installs it)")
    with TurnServer(tmp_path, SECRET) as server:
        proc = server.proc
        assert proc is not None and proc.poll() is None
        port = server.port
    assert proc.poll() is not None
    with StunClient("127.0.0.1", port, timeout_s=0.3) as client, pytest.raises(OSError):
        client.binding()  # nobody answers: refused (ICMP) or timed out


def test_a_missing_turnserver_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("crossdesk.testing.turn.shutil.which", lambda _name: None)
    assert not coturn_available()
    with pytest.raises(RuntimeError, match="turnserver` is not installed"):
        TurnServer(tmp_path, SECRET).start()

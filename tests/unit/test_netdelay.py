"""The loopback delay proxies: each pass adds `delay_s`, order is kept, each UDP client gets its own upstream
socket, and only loopback targets are accepted. Echo servers on 127.0.0.1 stand on the far side."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from typing import cast

import pytest

from crossdesk.testing.netdelay import TcpDelayProxy, UdpDelayProxy

DELAY_S = 0.05
# Scheduling noise allowed above the emulated delay, checked on a median (or, for a single sample, twice as
# much): small enough that a delay applied twice would fail.
SLACK_S = 0.06


class _UdpEcho(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.sources: list[tuple[str, int]] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # not a subclass on Python 3.11

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.sources.append(addr)
        assert self.transport is not None
        self.transport.sendto(data, addr)


class _Inbox(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.received.put_nowait((time.monotonic(), data))


async def test_udp_round_trip_passes_the_proxy_twice_and_keeps_order() -> None:
    loop = asyncio.get_running_loop()
    echo_transport, echo = await loop.create_datagram_endpoint(_UdpEcho, local_addr=("127.0.0.1", 0))
    try:
        async with UdpDelayProxy("127.0.0.1", echo_transport.get_extra_info("sockname")[1], DELAY_S) as proxy:
            client, inbox = await loop.create_datagram_endpoint(_Inbox, remote_addr=("127.0.0.1", proxy.port))
            try:
                sent_at = {}
                for n in range(100):  # a burst: all due at nearly the same moment, they must not reorder
                    sent_at[n] = time.monotonic()
                    client.sendto(str(n).encode())
                async with asyncio.timeout(5):
                    answers = [await inbox.received.get() for _ in range(100)]
            finally:
                client.close()
    finally:
        echo_transport.close()
    assert [int(data) for _, data in answers] == list(range(100))
    round_trips = [at - sent_at[int(data)] for at, data in answers]
    assert min(round_trips) >= 2 * DELAY_S
    assert statistics.median(round_trips) < 2 * DELAY_S + SLACK_S
    assert len(set(echo.sources)) == 1  # one client, one upstream socket


def test_udp_clients_get_distinct_upstream_sockets_from_sync_code() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        proxy = UdpDelayProxy("127.0.0.1", server.getsockname()[1], DELAY_S)
        with proxy.run_in_thread(), _udp_clients(2, proxy.port) as clients:
            seen: dict[bytes, tuple[str, int]] = {}
            for name, client in zip([b"a", b"b"], clients, strict=True):
                started = time.monotonic()
                client.send(name)
                data, source = server.recvfrom(100)
                assert data == name
                assert time.monotonic() - started >= DELAY_S  # one pass, client -> server
                seen[name] = source
                server.sendto(b"re:" + name, source)
                assert client.recv(100) == b"re:" + name  # back to the client that sent it, not the other
            assert seen[b"a"] != seen[b"b"]
            # what the proxy reports is what the server saw, per client address
            by_client = proxy.upstream_ports
            assert [by_client[client.getsockname()] for client in clients] == [seen[b"a"][1], seen[b"b"][1]]


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Echo until the client half-closes, then close."""
    while chunk := await reader.read(65536):
        writer.write(chunk)
        await writer.drain()
    writer.close()


@pytest.fixture
async def tcp_echo_port() -> AsyncIterator[int]:
    server = await asyncio.start_server(_echo, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


async def test_tcp_delays_each_chunk_both_ways_and_keeps_the_stream_intact(tcp_echo_port: int) -> None:
    async with TcpDelayProxy("127.0.0.1", tcp_echo_port, DELAY_S) as proxy, asyncio.timeout(10):
        started = time.monotonic()
        reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
        try:
            writer.write(b"hello")
            assert await reader.readexactly(5) == b"hello"
            first = time.monotonic() - started
            # a new connection: the emulated handshake round trip, then the data's round trip
            assert 4 * DELAY_S <= first < 4 * DELAY_S + 2 * SLACK_S

            round_trips = []
            for n in range(5):
                started = time.monotonic()
                writer.write(b"again%d" % n)
                assert await reader.readexactly(6) == b"again%d" % n
                round_trips.append(time.monotonic() - started)
            assert min(round_trips) >= 2 * DELAY_S
            assert statistics.median(round_trips) < 2 * DELAY_S + SLACK_S

            # many writes while earlier ones are still in flight: the bytes come back in order
            sent = b"".join(f"{n:05d}|".encode() for n in range(2000))
            for start in range(0, len(sent), 600):
                writer.write(sent[start : start + 600])
                await writer.drain()
                await asyncio.sleep(0)
            writer.write_eof()  # the half-close reaches the echo server, which then closes
            assert await reader.read() == sent
            assert proxy.connections == 1
        finally:
            writer.close()


async def test_tcp_stop_closes_open_connections(tcp_echo_port: int) -> None:
    proxy = await TcpDelayProxy("127.0.0.1", tcp_echo_port, 0.0).start()
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    try:
        writer.write(b"x")
        async with asyncio.timeout(5):
            assert await reader.readexactly(1) == b"x"
            assert proxy.connections == 1
            await proxy.stop()
            assert proxy.connections == 0
            assert await reader.read() == b""  # the proxy closed our side
    finally:
        writer.close()
        await proxy.stop()  # a no-op unless an assertion above failed first


@pytest.mark.parametrize("host", ["192.0.2.2", "10.0.0.1", "0.0.0.0", "example.com", "::ffff:127.0.0.1"])
def test_only_loopback_targets_are_accepted(host: str) -> None:
    for proxy_class in (UdpDelayProxy, TcpDelayProxy):
        with pytest.raises(ValueError, match="loopback addresses only"):
            proxy_class(host, 3478, DELAY_S)


def test_loopback_spellings_are_accepted() -> None:
    assert UdpDelayProxy("localhost", 3478, DELAY_S).target == ("127.0.0.1", 3478)
    assert TcpDelayProxy("::1", 80, DELAY_S).target == ("::1", 80)
    assert UdpDelayProxy("127.0.0.2", 3478, 0).target == ("127.0.0.2", 3478)


@contextlib.contextmanager
def _udp_clients(n: int, port: int) -> Iterator[list[socket.socket]]:
    """`n` blocking UDP sockets connected to `port`, each with a timeout."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) for _ in range(n)]
        for sock in sockets:
            sock.settimeout(5)
            sock.connect(("127.0.0.1", port))
        yield sockets

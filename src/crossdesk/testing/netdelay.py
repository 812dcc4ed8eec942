"""Loopback proxies that delay traffic, to emulate a long round trip where the kernel has no `netem`.

`UdpDelayProxy` sits in front of a UDP server (coturn) and `TcpDelayProxy` in front of a TCP one (the desk's
HTTP and WebSocket port). Each listens on 127.0.0.1 and forwards every datagram or chunk, in both directions,
`delay_s` after it arrived, in arrival order: one pass through a proxy costs `delay_s`.

How to pick `delay_s`: in the call benchmark both parties reach the TURN server through the same UDP proxy and
the desk through the same TCP proxy, so media or a signaling message from one peer to the other passes a proxy
twice (sender -> server, server -> receiver), and a peer-to-peer round trip passes it four times. A
peer-to-peer round trip of R ms therefore needs `delay_s = R / 4 / 1000`; a client-to-server round trip
through one proxy is `2 * delay_s`. A new TCP connection also waits one client-to-server round trip before
its first byte moves, as the TCP handshake would.

Nothing limits bandwidth or drops packets: this is latency only. Targets must be loopback addresses, so the
proxies cannot be pointed at the outside world.

Inside a running event loop: `async with UdpDelayProxy(...) as proxy:` (or `await start()` / `await stop()`).
From synchronous code (pytest tests, Playwright's sync API): `with proxy.run_in_thread():` runs it on its own
event loop in a background thread."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ipaddress
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

HOST = "127.0.0.1"
_READ_SIZE = 65536
_IN_FLIGHT = 64  # chunks per TCP direction (up to 4 MiB): a window, not a limit any test traffic reaches


def _loopback_target(host: str) -> str:
    """The target as an IP literal; refuses anything but loopback (names other than localhost included)."""
    if host == "localhost":
        return HOST
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"delay proxies forward to loopback addresses only, not {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"delay proxies forward to loopback addresses only, not {host!r}")
    return str(address)


class _DelayProxy:
    """What both proxies share: the target check, the listening port and the two ways to run."""

    def __init__(self, target_host: str, target_port: int, delay_s: float) -> None:
        if delay_s < 0:
            raise ValueError("delay_s must be >= 0")
        self.target = (_loopback_target(target_host), target_port)
        self.delay_s = delay_s
        self.port = 0  # the listening port, once started

    async def start(self) -> Self:
        raise NotImplementedError

    async def stop(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def run_in_thread(self, timeout_s: float = 10.0) -> Iterator[Self]:
        """Run the proxy on its own event loop in a daemon thread for the `with` block."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name=f"{type(self).__name__}", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout_s)
            yield self
        finally:
            try:
                asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout_s)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout_s)
                if not thread.is_alive():
                    loop.close()


class _DelayLine:
    """Hands items to `sink` `delay_s` after `push`, in push order, with one timer for the whole line
    (per-item timers with equal deadlines could fire out of order)."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, delay_s: float, sink: Callable[[bytes], None]
    ) -> None:
        self.loop = loop
        self.delay_s = delay_s
        self.sink = sink
        self.queue: collections.deque[tuple[float, bytes]] = collections.deque()
        self.timer: asyncio.TimerHandle | None = None

    def push(self, data: bytes) -> None:
        self.queue.append((self.loop.time() + self.delay_s, data))
        if self.timer is None:
            self.timer = self.loop.call_at(self.queue[0][0], self._flush)

    def _flush(self) -> None:
        self.timer = None
        now = self.loop.time()
        while self.queue and self.queue[0][0] <= now:
            self.sink(self.queue.popleft()[1])
        if self.queue:
            self.timer = self.loop.call_at(self.queue[0][0], self._flush)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.queue.clear()


# --- UDP ---------------------------------------------------------------------------------------------------
class UdpDelayProxy(_DelayProxy):
    """UDP on 127.0.0.1:`port` -> target, each datagram delayed `delay_s` each way. Every client address gets
    its own upstream socket, so the server sees as many clients as there are (a TURN server ties allocations
    to the client's address). Upstream sockets live until stop()."""

    def __init__(self, target_host: str, target_port: int, delay_s: float) -> None:
        super().__init__(target_host, target_port, delay_s)
        self._listener: asyncio.DatagramTransport | None = None
        self._clients: dict[tuple[str, int], _UdpClient] = {}

    @property
    def upstream_ports(self) -> dict[tuple[str, int], int]:
        """Client address -> the local port of its upstream socket (what the server sees)."""
        return {addr: client.upstream_port for addr, client in self._clients.items() if client.upstream_port}

    async def start(self) -> Self:
        loop = asyncio.get_running_loop()
        self._listener, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self._from_client), local_addr=(HOST, 0)
        )
        self.port = self._listener.get_extra_info("sockname")[1]
        return self

    async def stop(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _from_client(self, data: bytes, addr: tuple[str, int]) -> None:
        client = self._clients.get(addr)
        if client is None:
            assert self._listener is not None
            client = self._clients[addr] = _UdpClient(self, addr, self._listener)
        client.to_server.push(data)


class _UdpClient:
    """One client's upstream socket and its two delay lines. The socket is opened when the first datagram is
    due, not when it arrives: opening is asynchronous, and datagrams due before it is open wait in order."""

    def __init__(
        self, proxy: UdpDelayProxy, addr: tuple[str, int], listener: asyncio.DatagramTransport
    ) -> None:
        loop = asyncio.get_running_loop()
        self.proxy = proxy
        self.upstream: asyncio.DatagramTransport | None = None
        self.upstream_port = 0
        self.waiting: list[bytes] = []  # due while the upstream socket was being opened
        self.opening: asyncio.Task[None] | None = None
        self.to_server = _DelayLine(loop, proxy.delay_s, self._send_up)
        self.to_client = _DelayLine(loop, proxy.delay_s, lambda data: listener.sendto(data, addr))

    def _send_up(self, data: bytes) -> None:
        if self.upstream is not None:
            self.upstream.sendto(data)
            return
        self.waiting.append(data)
        if self.opening is None:
            self.opening = asyncio.get_running_loop().create_task(self._open())

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self.upstream, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(lambda data, _addr: self.to_client.push(data)),
                local_addr=(HOST, 0),
                remote_addr=self.proxy.target,
            )
        except OSError:
            self.waiting.clear()  # lost, as a datagram to an unreachable host would be
            self.opening = None  # the next datagram tries again
            return
        self.upstream_port = self.upstream.get_extra_info("sockname")[1]
        for data in self.waiting:
            self.upstream.sendto(data)
        self.waiting.clear()

    async def close(self) -> None:
        self.to_server.close()
        self.to_client.close()
        if self.opening is not None:
            self.opening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.opening
        if self.upstream is not None:
            self.upstream.close()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, on_datagram: Callable[[bytes, tuple[str, int]], None]) -> None:
        self.on_datagram = on_datagram

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.on_datagram(data, addr)

    def error_received(self, exc: Exception) -> None:
        pass  # ICMP port unreachable from a server that is gone: UDP loses the datagram, and so do we


# --- TCP ---------------------------------------------------------------------------------------------------
class TcpDelayProxy(_DelayProxy):
    """TCP on 127.0.0.1:`port` -> target: one upstream connection per client connection, each chunk delayed
    `delay_s` each way, half-closes forwarded (delayed too). At most `_IN_FLIGHT` chunks wait per direction,
    and writes wait for the receiver (drain), so a slow reader slows its sender as TCP would."""

    def __init__(self, target_host: str, target_port: int, delay_s: float) -> None:
        super().__init__(target_host, target_port, delay_s)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> int:
        """Client connections being relayed now."""
        return len(self._connections)

    async def start(self) -> Self:
        self._server = await asyncio.start_server(self._serve, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()  # stop accepting; open connections are ours to end
        for task in self._connections:
            task.cancel()
        if self._connections:
            await asyncio.wait(self._connections)
        if server is not None:
            await server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        # The relay runs in a task of ours so stop() can cancel it: cancelling asyncio's own per-connection
        # task makes Python 3.11's streams log an error.
        task = asyncio.get_running_loop().create_task(self._relay(client_reader, client_writer))
        self._connections.add(task)
        try:
            await asyncio.wait({task})
        finally:
            self._connections.discard(task)
        if not task.cancelled():
            task.result()  # anything unexpected surfaces in asyncio's log, not in a "never retrieved" warning

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            await asyncio.sleep(2 * self.delay_s)  # the handshake's round trip
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
            except OSError:
                return  # refused upstream: the client sees its connection closed
            async with asyncio.TaskGroup() as group:
                group.create_task(self._pump(client_reader, upstream_writer))
                group.create_task(self._pump(upstream_reader, client_writer))
        except* (ConnectionError, asyncio.IncompleteReadError):
            pass  # one side reset: the TaskGroup cancelled the other direction; close both below
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    writer.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Read chunks as they come; a second task writes each when it is due, so reading never waits for the
        delay and the chunks keep their order. An empty chunk is the end of the stream (forwarded as EOF)."""
        loop = asyncio.get_running_loop()
        due: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue(_IN_FLIGHT)

        async def deliver() -> None:
            while True:
                when, chunk = await due.get()
                await asyncio.sleep(max(0.0, when - loop.time()))
                try:
                    if not chunk:
                        if writer.can_write_eof():
                            writer.write_eof()
                        return
                    writer.write(chunk)
                    await writer.drain()
                except OSError:
                    return  # the other end is gone (reset, or closed before our EOF): as on a real network

        async with asyncio.TaskGroup() as group:
            group.create_task(deliver())
            while True:
                chunk = await reader.read(_READ_SIZE)
                await due.put((loop.time() + self.delay_s, chunk))
                if not chunk:
                    break

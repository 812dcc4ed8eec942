"""A local TURN server for call tests and benchmarks: Debian's coturn (`turnserver`) as a child process on
127.0.0.1, checking the same TURN REST API credentials crossdesk mints (crossdesk.rtc.ice), and a minimal
blocking STUN/TURN client (RFC 5389 / RFC 5766 over UDP) to probe it.

The client does just what a test needs: a Binding request (is the server up?), an Allocate with long-term
credentials (are these credentials accepted, and through which relay address?) and a Refresh to release it.
It does not retransmit: on loopback nothing is lost, and one send per request keeps measured round trips
honest."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from crossdesk.rtc.ice import turn_credentials

HOST = "127.0.0.1"
# A wide relay range: each allocation takes a port (Chromium allocates per candidate and call), and coturn
# with a narrow range runs out of them mid-benchmark (../shared/RTC.md).
RELAY_PORTS = (49152, 65535)


def turnserver_path() -> str | None:
    """Where Debian's coturn binary is, or None when it is not installed (`make browser` installs it)."""
    return shutil.which("turnserver")


def coturn_available() -> bool:
    return turnserver_path() is not None


class TurnServer:
    """coturn on 127.0.0.1 only, for one test or benchmark: a free port, REST API credentials with `secret`,
    loopback peers allowed (coturn refuses them by default, and every peer here is on loopback), no TLS,
    DTLS, CLI or config file. Its log is `directory/turnserver.log`.

        with TurnServer(tmp_path, secret) as turn:
            username, password = turn.credentials("agent-1")
            pc_config = {"iceServers": [turn.ice_server("agent-1")], "iceTransportPolicy": "relay"}
    """

    def __init__(
        self,
        directory: Path,
        secret: str,
        *,
        realm: str = "crossdesk.test",
        verbose: bool = False,
        startup_timeout_s: float = 10.0,
    ) -> None:
        self.directory = directory
        self.secret = secret
        self.realm = realm
        self.verbose = verbose
        self.startup_timeout_s = startup_timeout_s
        self.log_path = directory / "turnserver.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return turn_url(HOST, self.port)

    def credentials(self, who: str, ttl_s: int = 3600) -> tuple[str, str]:
        """A username and password this server accepts for `ttl_s` seconds, as crossdesk would mint them."""
        return turn_credentials(self.secret, who, int(time.time()) + ttl_s)

    def ice_server(self, who: str, *, port: int | None = None, ttl_s: int = 3600) -> dict[str, Any]:
        """An RTCIceServer for this server; `port` points it at a proxy in front of it instead."""
        username, credential = self.credentials(who, ttl_s)
        return {"urls": [turn_url(HOST, port or self.port)], "username": username, "credential": credential}

    def start(self) -> TurnServer:
        binary = turnserver_path()
        if binary is None:
            raise RuntimeError(
                "coturn's `turnserver` is not installed: run `make browser` "
                "(or `apt-get install --no-install-recommends coturn`)"
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        # A free port can be taken between our probe and coturn's bind; coturn then retries the bind forever
        # instead of exiting, so a start that logs a bind failure is retried on another port.
        for _attempt in range(3):
            self.port = _free_udp_tcp_port()
            self.log_path.unlink(missing_ok=True)
            self._spawn(binary)
            if self._wait_ready():
                return self
            self.stop()
        raise RuntimeError(f"coturn could not bind a listening port; see {self.log_path}")

    def _spawn(self, binary: str) -> None:
        low, high = RELAY_PORTS
        args = [
            binary,
            "-n",  # no configuration file: nothing from /etc/turnserver.conf leaks in
            f"--listening-ip={HOST}",
            f"--relay-ip={HOST}",
            f"--listening-port={self.port}",
            f"--min-port={low}",
            f"--max-port={high}",
            "--use-auth-secret",
            f"--static-auth-secret={self.secret}",
            f"--realm={self.realm}",
            "--allow-loopback-peers",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            f"--log-file={self.log_path}",
            "--simple-log",  # one file, no date appended to its name
            "--no-stdout-log",
            f"--pidfile={self.directory / 'turnserver.pid'}",
            f"--userdb={self.directory / 'turndb'}",  # else it opens /var/lib/turn/turndb
        ]
        if self.verbose:
            args.append("--verbose")
        with (self.directory / "turnserver.out").open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 (a fixed binary with our own arguments)
                args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )

    def _wait_ready(self) -> bool:
        """True once a STUN Binding request is answered on our port; False if coturn could not bind it."""
        assert self.proc is not None
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"turnserver exited with {self.proc.returncode}; see {self.log_path}")
            if self._bind_failed():
                return False
            with contextlib.suppress(OSError), StunClient(HOST, self.port, timeout_s=0.2) as client:
                client.binding()
                # Another server on this port could have answered: only ours logs no bind failure.
                return not self._bind_failed()
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(
            f"turnserver did not answer within {self.startup_timeout_s} s; see {self.log_path}"
        )

    def _bind_failed(self) -> bool:
        try:
            log = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return False
        return "Cannot bind" in log and f"{HOST}:{self.port}" in log

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def __enter__(self) -> TurnServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def turn_url(host: str, port: int) -> str:
    return f"turn:{host}:{port}?transport=udp"


def _free_udp_tcp_port() -> int:
    """A loopback port free for both UDP and TCP at this moment (coturn listens on both)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((HOST, 0))
            port: int = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((HOST, port))
                except OSError:
                    continue
                return port


# --- a minimal STUN/TURN client ----------------------------------------------------------------------------
MAGIC_COOKIE = 0x2112A442
BINDING, ALLOCATE, REFRESH = 0x0001, 0x0003, 0x0004  # methods
SUCCESS, ERROR = 0x0100, 0x0110  # class bits added to a method for its responses
USERNAME, MESSAGE_INTEGRITY, ERROR_CODE, LIFETIME, REALM, NONCE = 0x06, 0x08, 0x09, 0x0D, 0x14, 0x15
XOR_RELAYED_ADDRESS, REQUESTED_TRANSPORT, XOR_MAPPED_ADDRESS = 0x16, 0x19, 0x20
UDP_TRANSPORT = 17


class TurnError(Exception):
    """The server answered with an error response (e.g. 401 Unauthorized for wrong credentials)."""

    def __init__(self, code: int, reason: str, attributes: dict[int, bytes]) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason
        self.attributes = attributes  # REALM and NONCE of a 401 challenge


@dataclass(frozen=True)
class Allocation:
    relayed: tuple[str, int]  # the relay transport address peers send to
    mapped: tuple[str, int]  # our address as the server saw it (the proxy's, behind a proxy)
    lifetime_s: int


@dataclass(frozen=True)
class _Message:
    kind: int
    transaction_id: bytes
    attributes: dict[int, bytes]
    raw: bytes


class StunClient:
    """One UDP socket talking to one STUN/TURN server; blocking, each request waits up to `timeout_s`."""

    def __init__(self, host: str, port: int, *, timeout_s: float = 2.0) -> None:
        self.server = (host, port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout_s)
        self.sock.connect(self.server)
        self._key = b""  # long-term credential key, once allocated
        self._auth: dict[int, bytes] = {}  # USERNAME, REALM, NONCE of the allocation

    def binding(self) -> tuple[str, int]:
        """Our address as the server sees it."""
        response = self._request(BINDING, {})
        return _xor_address(response.attributes[XOR_MAPPED_ADDRESS], response.transaction_id)

    def allocate(self, username: str, password: str) -> Allocation:
        """A UDP relay with long-term credentials: the first request learns the realm and nonce from the
        401 challenge, the second is signed with MD5(username:realm:password). Raises TurnError."""
        transport = {REQUESTED_TRANSPORT: bytes([UDP_TRANSPORT, 0, 0, 0])}
        try:
            self._request(ALLOCATE, transport)
        except TurnError as challenge:
            if challenge.code != 401:
                raise
            realm, nonce = challenge.attributes[REALM], challenge.attributes[NONCE]
        else:
            raise RuntimeError("the server allocated without asking for credentials")
        key = hashlib.md5(b":".join([username.encode(), realm, password.encode()])).digest()  # noqa: S324 (RFC 5389 long-term key)
        auth = {USERNAME: username.encode(), REALM: realm, NONCE: nonce}
        response = self._request(ALLOCATE, {**transport, **auth}, key=key)
        if not _integrity_ok(response.raw, key):
            raise RuntimeError("the allocation's MESSAGE-INTEGRITY does not match our credentials")
        self._key, self._auth = key, auth
        tid = response.transaction_id
        return Allocation(
            relayed=_xor_address(response.attributes[XOR_RELAYED_ADDRESS], tid),
            mapped=_xor_address(response.attributes[XOR_MAPPED_ADDRESS], tid),
            lifetime_s=struct.unpack("!I", response.attributes[LIFETIME])[0],
        )

    def release(self) -> None:
        """Refresh with lifetime 0: the server frees the relay port now instead of at expiry."""
        if self._key:
            self._request(REFRESH, {LIFETIME: struct.pack("!I", 0), **self._auth}, key=self._key)
            self._key = b""

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError, TurnError):
            self.release()
        self.sock.close()

    def __enter__(self) -> StunClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _request(self, method: int, attributes: dict[int, bytes], *, key: bytes = b"") -> _Message:
        transaction_id = secrets.token_bytes(12)
        self.sock.send(_encode(method, transaction_id, attributes, key))
        while True:  # skip stray answers to earlier requests
            response = _decode(self.sock.recv(65536))
            if response is not None and response.transaction_id == transaction_id:
                break
        if response.kind == method | SUCCESS:
            return response
        if response.kind == method | ERROR:
            raw = response.attributes.get(ERROR_CODE, b"\0\0\0\0")
            code = (raw[2] & 0x07) * 100 + raw[3]
            raise TurnError(code, raw[4:].decode("utf-8", "replace"), response.attributes)
        raise RuntimeError(f"unexpected STUN message type {response.kind:#06x}")


def _attribute(kind: int, value: bytes) -> bytes:
    return struct.pack("!HH", kind, len(value)) + value + b"\0" * (-len(value) % 4)


def _encode(method: int, transaction_id: bytes, attributes: dict[int, bytes], key: bytes) -> bytes:
    body = b"".join(_attribute(kind, value) for kind, value in attributes.items())
    if not key:
        return struct.pack("!HHI12s", method, len(body), MAGIC_COOKIE, transaction_id) + body
    # MESSAGE-INTEGRITY covers the header with a length that already counts the integrity attribute (24).
    header = struct.pack("!HHI12s", method, len(body) + 24, MAGIC_COOKIE, transaction_id)
    mac = hmac.new(key, header + body, hashlib.sha1).digest()
    return header + body + _attribute(MESSAGE_INTEGRITY, mac)


def _decode(data: bytes) -> _Message | None:
    if len(data) < 20:
        return None
    kind, length, cookie, transaction_id = struct.unpack("!HHI12s", data[:20])
    if cookie != MAGIC_COOKIE or len(data) < 20 + length:
        return None
    attributes: dict[int, bytes] = {}
    offset = 20
    while offset + 4 <= 20 + length:
        attr, size = struct.unpack("!HH", data[offset : offset + 4])
        attributes.setdefault(attr, data[offset + 4 : offset + 4 + size])
        offset += 4 + size + (-size % 4)
    return _Message(kind, transaction_id, attributes, data[: 20 + length])


def _integrity_ok(raw: bytes, key: bytes) -> bool:
    """Check a response's MESSAGE-INTEGRITY (RFC 5389 15.4): the server signed it with the same key."""
    offset = 20
    while offset + 4 <= len(raw):
        attr, size = struct.unpack("!HH", raw[offset : offset + 4])
        if attr == MESSAGE_INTEGRITY:
            header = raw[:2] + struct.pack("!H", offset - 20 + 24) + raw[4:20]
            expected = hmac.new(key, header + raw[20:offset], hashlib.sha1).digest()
            return hmac.compare_digest(expected, raw[offset + 4 : offset + 24])
        offset += 4 + size + (-size % 4)
    return False


def _xor_address(value: bytes, transaction_id: bytes) -> tuple[str, int]:
    family, xport = value[1], struct.unpack("!H", value[2:4])[0]
    port = xport ^ (MAGIC_COOKIE >> 16)
    mask = struct.pack("!I", MAGIC_COOKIE) + (transaction_id if family == 0x02 else b"")
    address = bytes(a ^ b for a, b in zip(value[4:], mask, strict=True))
    return str(ipaddress.ip_address(address)), port

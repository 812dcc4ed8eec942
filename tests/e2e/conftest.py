"""End-to-end fixtures: one `crossdesk serve --demo` for the session, Debian's chromium driven by Playwright's
sync API, and one fresh browser context per actor (buyer, agents).

Every test here is marked `e2e`. Screenshots and each page's console log go to test-artifacts/e2e/. Any
uncaught page error fails the test; console errors are recorded and attached to the failure report.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Frame,
    FrameLocator,
    Locator,
    Page,
    Playwright,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from crossdesk.testing import ServerProcess
from crossdesk.testing.browser import BASE_ARGS, CHROMIUM

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
SHOP = "demo"
PASSWORD = "demo-password"
ADMIN = "admin@demo.shop"

WAIT_MS = 5_000  # every expect / locator wait
NAV_MS = 10_000  # page loads

expect.set_options(timeout=WAIT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)


# --- the server ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "server.log"
    log.unlink(missing_ok=True)
    # Every visitor and sign-in here comes from 127.0.0.1; a larger burst keeps the shared per-address limits
    # (new visitors, sign-ins) out of the way. Rate limiting is not what these tests are about.
    proc = ServerProcess(
        tmp_path_factory.mktemp("crossdesk-e2e"),
        env={"CROSSDESK_VISITOR_BURST": "200"},
        log_path=log,
    )
    with proc:
        yield proc


# --- the browser -----------------------------------------------------------------------------------------
# Module scope, not session: while the sync API is alive its event loop counts as running in this thread,
# which would break the asyncio tests (tests/integration) that run later in the same pytest session.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (run `make browser`); the e2e tests never download a browser")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=BASE_ARGS)
    yield browser
    browser.close()


@dataclass
class Actor:
    """One person at one browser context: their page, screenshots and what the page complained about."""

    label: str
    test_name: str
    base_url: str
    context: BrowserContext
    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_log: list[str] = field(default_factory=list)

    def watch(self) -> None:
        self.page.set_default_timeout(WAIT_MS)
        self.page.set_default_navigation_timeout(NAV_MS)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)

    def _on_console(self, message: ConsoleMessage) -> None:
        location = message.location or {}
        line = f"[{message.type}] {message.text} ({location.get('url', '')}:{location.get('lineNumber', '')})"
        self.console_log.append(line)
        if message.type == "error":
            self.console_errors.append(line)

    def _on_page_error(self, error: Error) -> None:
        line = f"{error.name}: {error.message}\n{error.stack or ''}"
        self.console_log.append(f"[pageerror] {line}")
        self.page_errors.append(line)

    def shot(self, step: str) -> Path:
        """Screenshot of this actor's page as test-artifacts/e2e/<test>-<step>-<actor>.png."""
        path = ARTIFACTS / f"{self.test_name}-{step}-{self.label}.png"
        self.page.screenshot(path=path)
        return path

    def frame_named(self, url_part: str) -> Frame:
        for frame in self.page.frames:
            if url_part in frame.url:
                return frame
        raise AssertionError(
            f"{self.label}: no frame with {url_part!r}; frames: {[f.url for f in self.page.frames]}"
        )

    def assert_no_pwned(self) -> None:
        """No injected script ran and no injected <img src=x> exists, in any frame of this page."""
        for frame in self.page.frames:
            assert frame.evaluate("typeof window.__pwned") == "undefined", (
                f"{self.label}: script ran in {frame.url}"
            )
            assert frame.locator('img[src="x"]').count() == 0, f"{self.label}: <img src=x> in {frame.url}"
            injected = frame.evaluate(
                "[...document.scripts].filter((s) => s.textContent.includes('__pwned')).length"
            )
            assert injected == 0, f"{self.label}: a <script> with the payload exists in {frame.url}"


@dataclass
class Buyer(Actor):
    """A shopper on /demo, chatting through the widget iframe."""

    tap: SocketTap | None = None  # set when the test wants to cut the widget's socket

    @property
    def widget(self) -> FrameLocator:
        return self.page.frame_locator("#crossdesk-frame")

    @property
    def composer(self) -> Locator:
        return self.widget.get_by_test_id("widget-composer")

    @property
    def messages(self) -> Locator:
        return self.widget.get_by_test_id("message")

    def message(self, text: str) -> Locator:
        return self.messages.filter(has_text=text)

    def open_widget(self) -> None:
        """Load the shop page (if not there) and open the chat panel; returns when the buyer can write."""
        if not self.page.url.startswith(f"{self.base_url}/demo"):
            self.page.goto(f"{self.base_url}/demo")
        bubble = self.page.locator("#crossdesk-bubble")
        expect(bubble).to_be_visible()
        bubble.click()
        expect(self.page.locator("#crossdesk-frame")).to_be_visible()
        # The textarea is editable in the raw HTML before frame.js has run; the frame marks its body once
        # the session is loaded and the composer is wired.
        expect(self.widget.locator('body[data-phase="ready"]')).to_have_count(1)
        expect(self.composer).to_be_editable()

    def send(self, text: str) -> Locator:
        """Type `text` and press the send button; returns the locator of the message(s) with that text."""
        self.composer.fill(text)
        send = self.widget.get_by_test_id("widget-send")
        expect(send).to_be_enabled()
        send.click()
        expect(self.composer).to_have_value("")
        return self.message(text)

    def send_and_wait_ack(self, text: str) -> Locator:
        sent = self.send(text)
        expect(sent).to_have_count(1)
        expect(sent).to_have_attribute("data-seq", re.compile(r"^\d+$"))
        return sent

    def token(self) -> str:
        raw = self.frame_named("/widget/frame").evaluate(f"localStorage.getItem('crossdesk.visitor.{SHOP}')")
        assert raw, "the widget kept no visitor token in localStorage"
        token: str = json.loads(raw)
        return token

    def conversation_id(self) -> int:
        """The buyer's latest conversation, asked of the desk with the widget's own visitor token."""
        session = httpx.post(
            f"{self.base_url}/api/v1/widget/session", json={"shop": SHOP, "token": self.token()}, timeout=5
        )
        session.raise_for_status()
        conversations = session.json()["conversations"]
        assert conversations, "the buyer has no conversation on the desk"
        latest = max(conversations, key=lambda c: (c["updated_at"], c["id"]))
        return int(latest["id"])


@dataclass
class Agent(Actor):
    """A support agent in /console."""

    email: str = ""

    @property
    def messages(self) -> Locator:
        return self.page.get_by_test_id("message")

    def message(self, text: str) -> Locator:
        return self.messages.filter(has_text=text)

    def inbox_item(self, conversation_id: int) -> Locator:
        return self.page.locator(f'[data-testid="inbox-item"][data-conversation-id="{conversation_id}"]')

    def login(self) -> None:
        self.page.goto(f"{self.base_url}/console")
        self.page.get_by_test_id("login-email").fill(self.email)
        self.page.get_by_test_id("login-password").fill(PASSWORD)
        self.page.get_by_test_id("login-submit").click()
        expect(self.page.get_by_test_id("inbox-tab-all")).to_be_visible()

    def open_conversation(self, conversation_id: int) -> None:
        item = self.inbox_item(conversation_id)
        expect(item).to_be_visible()
        item.click()
        expect(self.page.get_by_test_id("composer")).to_be_editable()

    def send(self, text: str) -> Locator:
        composer = self.page.get_by_test_id("composer")
        composer.fill(text)
        self.page.get_by_test_id("send").click()
        expect(composer).to_have_value("")
        return self.message(text)


@dataclass
class Stage:
    """Makes the actors of one test and checks their pages when the test ends."""

    browser: Browser
    server: ServerProcess
    test_name: str
    actors: list[Actor] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def _context(self, **options: Any) -> BrowserContext:
        return self.browser.new_context(viewport={"width": 1280, "height": 800}, **options)

    def buyer(self, label: str = "buyer", *, name: str | None = None, tap: bool = False) -> Buyer:
        """A new shopper (fresh storage, so a new visitor) browsing in Portuguese from São Paulo.

        `name`: start the visitor's session through the API with that display name, and hand its token to the
        widget as if it had made it. `tap`: route the widget's socket through a SocketTap."""
        context = self._context(locale="pt-BR", timezone_id="America/Sao_Paulo")
        if name is not None:
            response = httpx.post(
                f"{self.base_url}/api/v1/widget/session",
                json={"shop": SHOP, "name": name, "language": "pt", "timezone": "America/Sao_Paulo"},
                timeout=5,
            )
            response.raise_for_status()
            assert response.json()["contact"]["name"] == name
            key = json.dumps(f"crossdesk.visitor.{SHOP}")
            token = json.dumps(json.dumps(response.json()["token"]))
            context.add_init_script(
                f"if (location.pathname.startsWith('/widget/frame') && !localStorage.getItem({key}))"
                f" localStorage.setItem({key}, {token});"
            )
        socket_tap = SocketTap(context) if tap else None
        buyer = Buyer(label, self.test_name, self.base_url, context, context.new_page(), tap=socket_tap)
        buyer.watch()
        self.actors.append(buyer)
        return buyer

    def agent(self, email: str, label: str) -> Agent:
        """An agent signed in to /console in their own context."""
        context = self._context(locale="zh-CN", timezone_id="Asia/Shanghai")
        agent = Agent(label, self.test_name, self.base_url, context, context.new_page(), email=email)
        agent.watch()
        self.actors.append(agent)
        agent.login()
        return agent

    def finish(self) -> None:
        for actor in self.actors:
            (ARTIFACTS / f"{self.test_name}-{actor.label}-console.log").write_text(
                "\n".join(actor.console_log) + "\n", encoding="utf-8"
            )
        for actor in self.actors:
            actor.context.close()
        problems = [
            f"{actor.label}: uncaught page error:\n{error}"
            for actor in self.actors
            for error in actor.page_errors
        ]
        if problems:
            noise = [f"{actor.label}: {line}" for actor in self.actors for line in actor.console_errors]
            pytest.fail("\n".join([*problems, "console errors:", *noise]), pytrace=False)


@pytest.fixture
def stage(browser: Browser, server: ServerProcess, request: pytest.FixtureRequest) -> Iterator[Stage]:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for old in ARTIFACTS.glob(f"{name}-*"):
        old.unlink()
    stage = Stage(browser, server, name)
    yield stage
    stage.finish()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failing test, screenshot every actor's page and add their console errors to the report."""
    report = yield
    stage = getattr(item, "funcargs", {}).get("stage")
    if call.when == "call" and report.failed and isinstance(stage, Stage):
        for actor in stage.actors:
            try:
                actor.shot("failed")
            except Error as error:
                report.sections.append((f"screenshot of {actor.label}", str(error)))
            if actor.console_errors:
                report.sections.append((f"console errors of {actor.label}", "\n".join(actor.console_errors)))
    return report


# --- helpers for the test modules (as fixtures: test modules do not import conftest) ---------------------
@pytest.fixture
def tag() -> str:
    """A short marker that keeps one test's messages apart from another's on the shared server."""
    return f"#{uuid.uuid4().hex[:6]}"


class DeskApi:
    """An admin's REST client (cookie session): what the desk stored, independently of any page."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def bodies(self, conversation_id: int) -> list[str]:
        response = self.client.get(f"/conversations/{conversation_id}/messages", params={"after_seq": 0})
        response.raise_for_status()
        return [message["body"] for message in response.json()["items"]]

    def conversation(self, conversation_id: int) -> dict[str, Any]:
        response = self.client.get(f"/conversations/{conversation_id}")
        response.raise_for_status()
        conversation: dict[str, Any] = response.json()
        return conversation


@pytest.fixture
def desk_api(server: ServerProcess) -> Iterator[DeskApi]:
    with httpx.Client(base_url=f"{server.base_url}/api/v1", timeout=5) as client:
        client.post("/auth/login", json={"email": ADMIN, "password": PASSWORD}).raise_for_status()
        client.headers["X-Requested-With"] = "crossdesk"
        yield DeskApi(client)


class SocketTap:
    """Routes a context's WebSockets to /ws through Playwright so a test can cut them like a dropped network.

    Chromium's offline emulation (`context.set_offline`) fails new connections but leaves an established
    WebSocket open (microsoft/playwright#4910), so a real network drop also needs the live socket cut."""

    def __init__(self, context: BrowserContext) -> None:
        self.links: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        self.sent: list[dict[str, Any]] = []  # every frame the page sent, in order
        self.received: list[dict[str, Any]] = []  # every frame the page was given
        self.cut_before_reply = False  # after the page's next `send`, cut at the server's next ack/event
        self.refuse = False  # close new connections at once, as a network that is down would
        self.withheld: list[dict[str, Any]] = []  # what the cut kept from the page
        self._armed = False
        context.route_web_socket(re.compile(r"^wss?://[^/]+/ws(\?.*)?$"), self._route)

    def _route(self, page_side: WebSocketRoute) -> None:
        if self.refuse:
            page_side.close()
            return
        server_side = page_side.connect_to_server()
        link = (page_side, server_side)
        self.links.append(link)

        def from_page(message: str | bytes) -> None:
            if link not in self.links:
                return  # cut: frames still in flight are lost, as on a dead network
            if isinstance(message, str):
                frame = json.loads(message)
                self.sent.append(frame)
                if self.cut_before_reply and frame.get("type") == "send":
                    self.cut_before_reply = False
                    self._armed = True
            server_side.send(message)

        def from_server(message: str | bytes) -> None:
            if link not in self.links:
                return
            frame = json.loads(message) if isinstance(message, str) else {}
            if self._armed and frame.get("type") in {"ack", "event"}:
                self._armed = False
                self.withheld.append(frame)
                self._cut(link)
                return
            self.received.append(frame)
            page_side.send(message)

        def closed_by(other: WebSocketRoute) -> Callable[[int | None, str | None], None]:
            def forward(_code: int | None, _reason: str | None) -> None:
                if link in self.links:  # one end closed it: close the other too
                    self.links.remove(link)
                    other.close()

            return forward

        page_side.on_message(from_page)
        server_side.on_message(from_server)
        page_side.on_close(closed_by(server_side))
        server_side.on_close(closed_by(page_side))

    def _cut(self, link: tuple[WebSocketRoute, WebSocketRoute]) -> None:
        if link in self.links:
            self.links.remove(link)
        page_side, server_side = link
        server_side.close()
        page_side.close()

    def cut(self) -> int:
        """Cut every open routed socket; returns how many there were."""
        count = len(self.links)
        for link in list(self.links):
            self._cut(link)
        return count

    def wait_until(
        self, page: Page, condition: Callable[[], object], what: str, timeout_ms: int = WAIT_MS
    ) -> None:
        """Let Playwright deliver socket events (they reach the handlers above only while it is called) until
        `condition()` holds; bounded like every other wait here."""
        step_ms = 20
        for _ in range(timeout_ms // step_ms):
            if condition():
                return
            page.wait_for_timeout(step_ms)
        raise AssertionError(f"timed out after {timeout_ms} ms waiting for {what}")

    def welcomes(self) -> int:
        return sum(1 for f in self.received if f.get("type") == "welcome")

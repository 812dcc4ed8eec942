"""Typed settings: the only reader of the environment. Secrets are never printed."""

from __future__ import annotations

import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROSSDESK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("var"), description="SQLite file, generated secret key")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite under data_dir")
    redis_url: str = Field("", description="Redis URL for fan-out across server processes; empty: in-process")
    redis_channel: str = Field("crossdesk:events", description="pub/sub channel shared by the processes")
    secret_key: SecretStr = Field(SecretStr(""), description="Signs visitor tokens; generated if empty")
    public_origin: str = Field("", description="The desk's public origin, e.g. https://desk.example.com")
    heartbeat_s: float = 20.0
    max_body_chars: int = 5000
    max_attachment_bytes: int = 5 * 1024 * 1024
    max_recording_bytes: int = 50 * 1024 * 1024  # a call recorded in the agent's browser (WebM)
    max_frame_bytes: int = 64 * 1024
    visitor_burst: int = 10
    visitor_rate_per_s: float = 1.0
    # Frames one socket may send (every frame costs a lookup or a write).
    socket_frame_burst: int = 100
    socket_frames_per_s: float = 20.0
    # New visitors and sign-in attempts per client address.
    address_burst: int = 30
    address_rate_per_s: float = 2.0
    session_days: int = 14
    webhook_max_attempts: int = 8

    # Translation engines in fallback order: embedded (offline, the default), openai (any OpenAI-compatible
    # endpoint), libretranslate; "none" turns translation off (detection stays on).
    translators: str = Field("embedded", description="e.g. 'openai,embedded'")
    openai_base_url: str = Field("", description="e.g. http://127.0.0.1:11434/v1 for Ollama")
    openai_model: str = ""
    openai_api_key: SecretStr = SecretStr("")
    libretranslate_url: str = ""
    libretranslate_api_key: SecretStr = SecretStr("")
    translation_timeout_s: float = 120.0
    translation_retries: int = 1
    # Shared by every data dir on the machine: the embedded model is assembled here once (1.1 GB).
    models_dir: Path = Field(Path.home() / ".cache" / "crossdesk" / "models")
    llm_threads: int = 2
    # Calls: STUN and TURN servers browsers use (comma-separated URLs), and the secret shared with coturn
    # (`static-auth-secret`) from which short-lived TURN credentials are minted. See docs/deploy-video.md.
    rtc_stun_urls: str = Field("", description="e.g. stun:turn.example.com:3478")
    rtc_turn_urls: str = Field(
        "", description="e.g. turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349"
    )
    rtc_turn_secret: SecretStr = SecretStr("")
    rtc_turn_ttl_s: int = Field(3600, ge=60, le=86400)
    # "relay" sends every call through TURN (hides both parties' addresses from each other; costs latency).
    rtc_ice_transport_policy: str = Field("all", pattern="^(all|relay)$")
    # An unanswered call ends after this; a call no buyer page rang for ends after the presence timeout.
    rtc_ring_timeout_s: float = Field(60.0, gt=0)
    rtc_presence_timeout_s: float = Field(5.0, gt=0)
    # Shopify (optional): orders sync from the Admin GraphQL API every `shopify_sync_s` and by webhook.
    shopify_shop: str = Field("", description="name.myshopify.com")
    shopify_access_token: SecretStr = SecretStr("")
    shopify_webhook_secret: SecretStr = SecretStr("")
    shopify_desk_shop: str = Field("", description="the crossdesk shop (widget key) the orders belong to")
    shopify_sync_s: float = 900.0
    # The reply coach: "embedded" (multilingual embeddings over the playbook, offline) or "none".
    coach: str = Field("embedded", pattern="^(embedded|none)$")
    # Its playbook (intents, checks, reply structures); the packaged one when unset.
    playbook_dir: Path | None = None

    @property
    def translator_names(self) -> list[str]:
        names = [n.strip() for n in self.translators.split(",") if n.strip()]
        return [] if names == ["none"] else names

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'crossdesk.db').resolve()}"

    @cached_property
    def resolved_secret_key(self) -> bytes:
        """The configured key, else one generated once and kept in data_dir (so tokens survive restarts)."""
        if self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip().encode()

"""One settings object for every Vitrina process, read from the environment and `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# LABEL_MODEL values that turn product labels off.
LABELS_OFF = frozenset({"", "none", "off"})


class Settings(BaseSettings):
    # env_ignore_empty: `VAR=` in .env means "not set", as .env.example lists them.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    # Telegram
    bot_token: SecretStr | None = None
    telegram_api_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8081
    # Telegram user ids of the admins, as JSON: the admin commands (/stats, /ban, /unban,
    # /quota), the panel's Telegram login, the scheduler's alerts and daily report.
    admin_ids: list[int] = Field(default_factory=list)

    # Services; empty means "start an embedded one" under `vitrina run`
    redis_url: str | None = None
    mongo_url: str | None = None
    mongo_db: str = "vitrina"
    var_dir: Path = Path("var")

    # Jobs
    stream_prefix: str = "vitrina"
    max_images_per_job: int = Field(default=4, ge=1, le=10)
    image_counts: list[int] = Field(default_factory=lambda: [1, 2, 4])
    queue_limit: int = Field(default=200, ge=1)
    daily_quota: int = Field(default=50, ge=0)
    max_upload_mb: int = Field(default=20, ge=1)
    max_attempts: int = Field(default=3, ge=1)
    retry_backoff_s: float = Field(default=2.0, ge=0)
    job_claim_idle_s: float = Field(default=300.0, gt=0)
    worker_heartbeat_s: float = Field(default=10.0, gt=0)
    worker_batch_size: int = Field(default=4, ge=1)
    # After SIGTERM a worker finishes what it holds within this many seconds; docker-compose.yml
    # gives its workers a stop_grace_period longer than this before Docker kills them.
    worker_stop_timeout_s: float = Field(default=120.0, gt=0)
    # A worker whose loop and engine made no progress for this long is stuck: reported
    # unhealthy (and restarted by `vitrina run`), its jobs taken over by others.
    worker_stall_s: float = Field(default=600.0, gt=0)
    # Jobs a chat may have queued or running at once; more wait for one to finish.
    chat_active_jobs: int = Field(default=2, ge=1)
    # How long an unfinished conversation (the photo and choices so far) is kept.
    fsm_ttl_s: int = Field(default=3 * 24 * 3600, ge=60)

    # Abuse: updates one user (and, apart, one chat) may send per window before the bot
    # says "slow down" once and ignores the rest of the window.
    throttle_limit: int = Field(default=30, ge=1)
    throttle_window_s: int = Field(default=10, ge=1)

    # Inference
    engine: str = "studio"
    models_dir: Path = Path("var/models")
    segmentation_model: str = "auto"
    # Input side (px, a multiple of 32) for U²-Net segmentation models; rembg's fixed 320 is
    # ~1.5x slower on a CPU core and the full-size matting of the edge hides the difference.
    segmentation_side: int = Field(default=256, ge=128, le=1024, multiple_of=32)
    # Share of a --canvas frame's limiting side the product fills (marketplaces ask 0.8-0.9).
    canvas_fill: float = Field(default=0.85, gt=0.1, le=1.0)
    diffusion_model: str = "stable-diffusion-v1-5/stable-diffusion-inpainting"
    diffusion_steps: int = Field(default=25, ge=1)
    diffusion_guidance: float = 7.5
    # Images per diffusion pipeline call (jobs sharing a size are batched up to this): the
    # GPU's throughput grows with it up to its memory; 8 at 512 px fits a 16 GB card in fp16.
    diffusion_batch_images: int = Field(default=8, ge=1, le=64)
    # A variation whose re-segmented product grew by more than this share of its area
    # (object expansion) is painted again with another seed, at most diffusion_rerolls times.
    diffusion_max_expansion: float = Field(default=0.02, ge=0.0)
    diffusion_rerolls: int = Field(default=1, ge=0, le=3)
    # torch.compile the UNet on CUDA: ~30 % faster steps at 16 images per call, after
    # 20–60 s of compiling per batch shape (docs/BENCHMARKS.md).
    diffusion_compile: bool = False
    # "none" (or "off") turns labels off. An empty LABEL_MODEL= means "not set", like every
    # empty value here, and keeps this default.
    label_model: str = "openai/clip-vit-base-patch32"
    # Below this CLIP probability the product gets no label (the suggestions use the style only).
    label_min_confidence: float = Field(default=0.2, ge=0.0, le=1.0)
    local_files_only: bool = True
    device: str = "auto"

    # Suggestions (Yandex Cloud)
    yandex_api_key: SecretStr | None = None
    yandex_iam_token: SecretStr | None = None
    yandex_folder_id: str | None = None
    yandex_gpt_url: str = "https://llm.api.cloud.yandex.net"
    yandex_gpt_model: str = "yandexgpt-lite"
    yandex_translate_url: str = "https://translate.api.cloud.yandex.net"
    yandex_timeout_s: float = Field(default=8.0, gt=0)
    # YandexGPT runs 10 synchronous generations per folder at once; leave room for others
    yandex_gpt_concurrency: int = Field(default=4, ge=1, le=10)
    # repeats of a failed call that is safe to repeat, within yandex_timeout_s
    yandex_retries: int = Field(default=2, ge=0, le=5)
    # consecutive failures that open the circuit: then no Yandex call for the reset time
    yandex_breaker_failures: int = Field(default=3, ge=1)
    yandex_breaker_reset_s: float = Field(default=30.0, gt=0)
    # how long the same style + category + language get the same ideas, and texts a translation
    suggest_cache_ttl_s: int = Field(default=6 * 3600, ge=1)
    # how long a suggestion button shown in a chat still works
    suggestion_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)

    # Logs: readable text (a terminal, `make run`) or one JSON object a line (production).
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"

    # Admin panel
    panel_host: str = "127.0.0.1"
    panel_port: int = 8080
    # The account name and scrypt hash (`vitrina panel hash-password`) of the password login.
    panel_admin_user: str = "admin"
    panel_password_hash: SecretStr | None = None
    # Fernet key (32 url-safe base64 bytes) encrypting the session cookies; unset: one is
    # generated once and kept in var_dir.
    panel_secret_key: SecretStr | None = None
    # The bot's @username for the Telegram Login Widget; unset: password login only.
    panel_login_bot: str | None = None
    # Users reach the panel over HTTPS (directly or through a TLS proxy): Secure cookies.
    panel_https: bool = False
    panel_session_hours: int = Field(default=12, ge=1)
    # Failed logins allowed per client address and per account within the window.
    panel_login_attempts: int = Field(default=5, ge=1)
    panel_login_window_s: int = Field(default=900, ge=1)
    # Prometheus may scrape the panel's /metrics with this bearer token (admins need none).
    metrics_token: SecretStr | None = None

    # Metrics of the worker, bot and scheduler: each serves its own on this address
    # (private by default) and port; port 0 turns it off.
    metrics_host: str = "127.0.0.1"
    worker_metrics_port: int = Field(default=9101, ge=0, le=65535)
    bot_metrics_port: int = Field(default=9102, ge=0, le=65535)
    scheduler_metrics_port: int = Field(default=9103, ge=0, le=65535)

    # Scheduler
    # Originals and results older than this many days leave GridFS (0: kept forever).
    retention_days: int = Field(default=30, ge=0)
    # The daily report to the admins, at this hour (UTC).
    report_hour_utc: int = Field(default=8, ge=0, le=23)
    alert_check_s: float = Field(default=60.0, gt=0)
    # Alert when jobs wait and none has been taken for this long.
    alert_queue_stuck_s: float = Field(default=300.0, gt=0)
    # Alert when this share of the jobs made within the window failed (counted once at
    # least alert_min_jobs of them finished).
    alert_failure_rate: float = Field(default=0.3, gt=0, le=1)
    alert_window_s: float = Field(default=900.0, gt=0)
    alert_min_jobs: int = Field(default=5, ge=1)
    # The scheduler's lock: only its holder runs the scheduled work; another replica takes
    # over when the holder stops renewing it.
    scheduler_lock_ttl_s: float = Field(default=30.0, gt=0)

    @field_validator("label_model")
    @classmethod
    def _label_model_off(cls, value: str) -> str:
        """The words that turn labels off become "", which the worker reads as "no labeler"."""
        return "" if value.strip().lower() in LABELS_OFF else value

"""Redis key and stream names of the job protocol, all under one prefix."""

from __future__ import annotations

from dataclasses import dataclass

WORKERS_GROUP = "workers"
NOTIFIERS_GROUP = "notifiers"


@dataclass(frozen=True)
class Keys:
    prefix: str = "vitrina"

    @property
    def jobs(self) -> str:
        return f"{self.prefix}:jobs"

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"

    @property
    def dead(self) -> str:
        return f"{self.prefix}:dead"

    @property
    def delayed(self) -> str:
        """Sorted set of retries waiting for their back-off (score: due time)."""
        return f"{self.prefix}:delayed"

    @property
    def label_requests(self) -> str:
        """Stream of uploaded photos whose product category a worker should predict."""
        return f"{self.prefix}:label-requests"

    def label(self, image_id: str) -> str:
        return f"{self.prefix}:label:{image_id}"

    @property
    def preview_requests(self) -> str:
        """Stream of cut-out previews the bot asks a worker for (a photo, a choice)."""
        return f"{self.prefix}:preview-requests"

    def preview(self, image_id: str, choice: str) -> str:
        return f"{self.prefix}:preview:{image_id}:{choice}"

    def cancel(self, job_id: str) -> str:
        return f"{self.prefix}:cancel:{job_id}"

    def heartbeat(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    @property
    def workers(self) -> str:
        """Sorted set of worker names by their last heartbeat (score: unix time)."""
        return f"{self.prefix}:workers"

    @property
    def notices(self) -> str:
        """Stream of messages the panel asks the bot to send to a chat (ban, re-send)."""
        return f"{self.prefix}:notices"

    def bot_heartbeat(self, name: str) -> str:
        return f"{self.prefix}:bot:{name}"

    def throttle(self, chat_id: int, window: int) -> str:
        return f"{self.prefix}:throttle:{chat_id}:{window}"

    def quota_user(self, user_id: int, day: str) -> str:
        """Hash of the images a Telegram user's jobs took on a UTC day (field: job id)."""
        return f"{self.prefix}:quota:user:{user_id}:{day}"

    def quota_chat(self, chat_id: int, day: str) -> str:
        """Hash of the images a chat's jobs took on a UTC day (field: job id)."""
        return f"{self.prefix}:quota:chat:{chat_id}:{day}"

    def active(self, chat_id: int) -> str:
        """Sorted set of a chat's jobs not yet finished (score: when submitted)."""
        return f"{self.prefix}:active:{chat_id}"

    def lock(self, name: str) -> str:
        return f"{self.prefix}:lock:{name}"

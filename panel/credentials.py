"""The panel's cookie key and password hash: from the settings, or made once and kept
under var/ so `make run` gives a usable panel with nothing configured."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from panel.auth import hash_password
from settings import Settings

log = logging.getLogger(__name__)
SECRET_KEY_FILE = "panel-secret.key"
PASSWORD_HASH_FILE = "panel-password.hash"


def secret_key(settings: Settings) -> bytes:
    """The Fernet key of the session cookies (32 url-safe base64 bytes)."""
    if settings.panel_secret_key is not None:
        key = settings.panel_secret_key.get_secret_value().encode()
        Fernet(key)  # a bad key stops the panel at start with the reason, not at login
        return key
    path = settings.var_dir / SECRET_KEY_FILE
    if not path.exists():
        _write_private(path, Fernet.generate_key().decode())
        log.info("panel: new cookie key kept in %s", path)
    return path.read_text().strip().encode()


def password_hash(settings: Settings) -> str:
    """PANEL_PASSWORD_HASH, or the hash of a password made at first start; that password
    is logged once, and only its hash is kept."""
    if settings.panel_password_hash is not None:
        return settings.panel_password_hash.get_secret_value()
    path = settings.var_dir / PASSWORD_HASH_FILE
    if not path.exists():
        password = base64.urlsafe_b64encode(secrets.token_bytes(12)).decode()
        _write_private(path, hash_password(password))
        log.warning(
            "panel: no PANEL_PASSWORD_HASH; log in as %r with the password %s "
            "(shown once; its hash is in %s; `vitrina panel hash-password` makes your own)",
            settings.panel_admin_user,
            password,
            path,
        )
    return path.read_text().strip()


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text + "\n")

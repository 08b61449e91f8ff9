"""The panel's checks that need no services: password hashes, Telegram logins, charts,
percentiles, and `vitrina panel hash-password`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from panel.auth import (
    TelegramLoginError,
    hash_password,
    sign_telegram_login,
    verify_password,
    verify_telegram_login,
)
from panel.charts import line, stacked_bars
from panel.stats import Bar, percentile
from tests.support.panel import PASSWORD, PASSWORD_HASH
from tests.support.services import REPO_ROOT

TOKEN = "42:SECRET"
NOW = 1_800_000_000


def test_a_password_hash_holds_no_password_and_checks_any_alphabet():
    assert PASSWORD not in PASSWORD_HASH and PASSWORD_HASH.startswith("scrypt$")
    assert verify_password(PASSWORD, PASSWORD_HASH)
    for wrong in ("", "пароль", PASSWORD + " ", "\udcff lone surrogate"):
        assert not verify_password(wrong, PASSWORD_HASH)
    assert hash_password(PASSWORD) != PASSWORD_HASH  # salted


@pytest.mark.parametrize(
    "stored", ["", "plain-text", "scrypt$1$2", "md5$a$b$c$d$e", "scrypt$x$8$1$a$b"]
)
def test_a_malformed_hash_matches_nothing(stored):
    assert not verify_password("anything", stored)


def signed(**fields: str) -> dict[str, str]:
    return sign_telegram_login(
        {"id": "7", "first_name": "Ann", "auth_date": str(NOW), **fields}, TOKEN
    )


def test_a_signed_telegram_login_of_an_admin_passes():
    user = verify_telegram_login(signed(username="ann"), TOKEN, [7], now=NOW + 60)
    assert (user.id, user.name) == (7, "ann")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({**signed(), "hash": "f" * 64}, "panel-login-telegram-forged"),
        ({**signed(), "first_name": "Eve"}, "panel-login-telegram-forged"),
        ({k: v for k, v in signed().items() if k != "hash"}, "panel-login-telegram-forged"),
        ({**signed(), "hash": "é" * 64}, "panel-login-telegram-forged"),
        (
            sign_telegram_login({"id": "x", "auth_date": str(NOW)}, TOKEN),
            "panel-login-telegram-forged",
        ),
        (signed(auth_date=str(NOW - 2 * 86400)), "panel-login-telegram-expired"),
        (signed(auth_date=str(NOW + 3600)), "panel-login-telegram-expired"),
        (signed(id="8"), "panel-login-not-admin"),
        (
            sign_telegram_login({"id": "7", "auth_date": str(NOW)}, "other:TOKEN"),
            "panel-login-telegram-forged",
        ),
    ],
)
def test_forged_expired_and_foreign_telegram_logins_are_refused(data, reason):
    with pytest.raises(TelegramLoginError) as refused:
        verify_telegram_login(data, TOKEN, [7], now=NOW)
    assert refused.value.reason == reason


def test_percentiles_are_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.0


def test_charts_are_plain_svg_with_escaped_labels():
    chart = stacked_bars(
        [Bar("<b>", done=3, failed=1)], "jobs", {"done": "d", "failed": "f", "other": "o"}
    )
    assert chart.startswith("<svg") and "&lt;b&gt;" in chart and "<b>" not in chart
    assert 'class="done"' in chart and 'class="failed"' in chart
    assert "<polyline" in line([(0.0, 1.0), (10.0, 4.0)], 0.0, 10.0, "queue")
    assert "<polyline" not in line([], 0.0, 10.0, "queue")


def test_hash_password_reads_stdin_and_prints_a_hash_that_checks():
    result = subprocess.run(
        [sys.executable, "-m", "cli", "panel", "hash-password"],
        input="correct horse ✓\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert verify_password("correct horse ✓", result.stdout.strip())
    short = subprocess.run(
        [sys.executable, "-m", "cli", "panel", "hash-password"],
        input="short\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert short.returncode == 2 and "at least 8" in short.stderr

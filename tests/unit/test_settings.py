""".env.example lists and explains every setting, and parses into the settings object."""

from __future__ import annotations

import re

from settings import Settings
from tests.support.services import REPO_ROOT

EXAMPLE = REPO_ROOT / ".env.example"


def test_env_example_lists_every_setting_and_nothing_else():
    names = set(re.findall(r"^([A-Z0-9_]+)=", EXAMPLE.read_text(), re.MULTILINE))
    assert names == {field.upper() for field in Settings.model_fields}


def test_every_variable_is_explained_by_a_comment_above_it():
    lines = EXAMPLE.read_text().splitlines()
    unexplained = []
    for i, line in enumerate(lines):
        if re.match(r"^[A-Z0-9_]+=", line):
            above = next(
                lines[j] for j in range(i - 1, -1, -1) if not re.match(r"^[A-Z0-9_]+=", lines[j])
            )
            if not above.startswith("#"):
                unexplained.append(line)
    assert unexplained == []


def test_env_example_parses_with_empty_values_meaning_unset():
    settings = Settings(_env_file=EXAMPLE)
    assert settings.bot_token is None and settings.redis_url is None
    assert settings.image_counts == [1, 2, 4]


def test_a_local_env_file_is_never_committed():
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)

    if git("rev-parse", "--git-dir").returncode != 0:
        return  # not a git checkout (an unpacked release): nothing to commit to
    assert git("check-ignore", "-q", ".env").returncode == 0, ".gitignore must ignore .env"
    assert ".env" not in git("ls-files").stdout.splitlines()

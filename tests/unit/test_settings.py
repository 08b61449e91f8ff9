""".env.example lists and explains every setting, and parses into the settings object."""

from __future__ import annotations

import re

from settings import Settings
from tests.support.services import REPO_ROOT

EXAMPLE = REPO_ROOT / ".env.example"


# The section of .env.example that docker-compose.yml reads and Vitrina does not.
COMPOSE_SECTION = "# --- Docker Compose only"


def variables(text: str) -> set[str]:
    return set(re.findall(r"^([A-Z0-9_]+)=", text, re.MULTILINE))


def test_env_example_lists_every_setting_and_nothing_else():
    settings_part, _, _ = EXAMPLE.read_text().partition(COMPOSE_SECTION)
    assert variables(settings_part) == {field.upper() for field in Settings.model_fields}


def test_the_compose_only_variables_are_used_by_the_compose_files_and_are_no_settings():
    _, header, compose_part = EXAMPLE.read_text().partition(COMPOSE_SECTION)
    assert header
    compose_text = "".join(
        path.read_text()
        for path in [REPO_ROOT / "docker-compose.yml", *(REPO_ROOT / "docker").glob("*.yml")]
    )
    for name in variables(compose_part):
        # COMPOSE_* are docker compose's own (profiles, files).
        assert name.startswith("COMPOSE_") or "${" + name in compose_text, name
        assert name.lower() not in Settings.model_fields, name


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


def test_label_model_none_turns_labels_off_and_empty_keeps_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("LABEL_MODEL", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("LABEL_MODEL=none\n")
    assert Settings(_env_file=env_file).label_model == ""
    monkeypatch.setenv("LABEL_MODEL", "Off")
    assert Settings(_env_file=None).label_model == ""
    # An empty value means "not set", as for every variable: the default CLIP model stays.
    monkeypatch.setenv("LABEL_MODEL", "")
    default = Settings.model_fields["label_model"].default
    assert Settings(_env_file=None).label_model == default != ""
    monkeypatch.setenv("LABEL_MODEL", "openai/clip-vit-large-patch14")
    assert Settings(_env_file=None).label_model == "openai/clip-vit-large-patch14"


def test_the_worker_loads_no_labeler_when_labels_are_off():
    from inference.engine_set import _load_labeler

    assert _load_labeler(Settings(_env_file=None, label_model="none"), "cpu") is None


def test_the_default_diffusion_model_is_the_maintained_copy():
    # runwayml/stable-diffusion-inpainting was removed from the Hugging Face hub.
    assert Settings(_env_file=None).diffusion_model == (
        "stable-diffusion-v1-5/stable-diffusion-inpainting"
    )
    assert "DIFFUSION_MODEL=stable-diffusion-v1-5/stable-diffusion-inpainting" in (
        EXAMPLE.read_text()
    )


def test_a_local_env_file_is_never_committed():
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)

    if git("rev-parse", "--git-dir").returncode != 0:
        return  # not a git checkout (an unpacked release): nothing to commit to
    assert git("check-ignore", "-q", ".env").returncode == 0, ".gitignore must ignore .env"
    assert ".env" not in git("ls-files").stdout.splitlines()

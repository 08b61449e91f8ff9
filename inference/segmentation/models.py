"""Which segmentation model cuts the product out, and where its file is.

SEGMENTATION_MODEL is a rembg model name, a path to a local `.onnx` file, or
`auto`: the strongest model whose file is on the machine where it pays — BiRefNet,
then ISNet, on a GPU (they open holes and keep thin parts that U²-Net misses, at
1024 px, which costs 3–5 s a photo on a CPU core) — and the small u2netp otherwise.
Only models that run here are accepted: rembg also has sessions that send the photo
to a remote service, which a user's photo must never reach.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from inference.engine import EngineUnavailable
from settings import Settings

AUTO = "auto"
CPU_DEFAULT = "u2netp"
# The order `auto` tries on a GPU.
GPU_PREFERENCE = ("birefnet-general", "isnet-general-use")
# rembg sessions that cut out general products on this machine.
SUPPORTED = frozenset(
    {
        "u2netp",
        "u2net",
        "silueta",
        "isnet-general-use",
        "birefnet-general",
        "birefnet-general-lite",
        "birefnet-massive",
    }
)
# A local .onnx whose name is none of the above is run with the pre-processing of its
# family, told by its name; U²-Net's when the name says nothing.
CUSTOM_SESSIONS = (("isnet", "dis_custom"), ("", "u2net_custom"))


@dataclass(frozen=True)
class ModelChoice:
    name: str  # what the logs and the results call it
    file: Path
    session: str  # the rembg session that reads the file

    @property
    def custom(self) -> bool:
        return self.session.endswith("_custom")


def choose_model(settings: Settings, device: str) -> ModelChoice:
    """The model for SEGMENTATION_MODEL on `device`; EngineUnavailable says what to do when
    its file is not here and may not be downloaded, ValueError when the name is unknown."""
    setting = settings.segmentation_model
    if setting.endswith(".onnx"):
        return _local_file(Path(setting).expanduser())
    name = _auto_name(settings.models_dir, device) if setting == AUTO else setting
    if name not in SUPPORTED:
        raise ValueError(
            f"SEGMENTATION_MODEL={setting!r} is none of {AUTO}, {', '.join(sorted(SUPPORTED))} "
            "nor a path to an .onnx file"
        )
    candidates = _candidates(settings.models_dir, name)
    present = [path for path in candidates if path.is_file()]
    if not present and settings.local_files_only:
        raise EngineUnavailable(
            f"segmentation model {candidates[0]} is missing; run `python -m "
            f"inference.segmentation.fetch_u2netp {settings.models_dir}` (u2netp), put the "
            ".onnx file there, or set SEGMENTATION_MODEL / LOCAL_FILES_ONLY=false"
        )
    return ModelChoice(name, (present or candidates)[0], name)


def rembg_session(choice: ModelChoice, providers: list[str]) -> object:
    """The rembg session reading the chosen file with `providers` (CUDA first on a GPU)."""
    from rembg import new_session

    extra = {"model_path": str(choice.file.resolve())} if choice.custom else {}
    with _rembg_home(choice.file.resolve().parent):
        return new_session(choice.session, providers=providers, **extra)


def _auto_name(models_dir: Path, device: str) -> str:
    if device == "cuda":
        for name in GPU_PREFERENCE:
            if any(path.is_file() for path in _candidates(models_dir, name)):
                return name
    return CPU_DEFAULT


def _candidates(folder: Path, name: str) -> list[Path]:
    # The flat layout fetch_u2netp writes, and the one rembg downloads into.
    return [folder / f"{name}.onnx", folder / "models" / name / f"{name}.onnx"]


def _local_file(path: Path) -> ModelChoice:
    if not path.is_file():
        raise EngineUnavailable(f"segmentation model {path} is missing; check SEGMENTATION_MODEL")
    if path.stem in SUPPORTED:
        return ModelChoice(path.stem, path, path.stem)
    session = next(session for hint, session in CUSTOM_SESSIONS if hint in path.stem.lower())
    return ModelChoice(path.stem, path, session)


@contextlib.contextmanager
def _rembg_home(folder: Path) -> Iterator[None]:
    """Point rembg at `folder` while the session is made.

    rembg reads its model folder only from the U2NET_HOME environment variable,
    looks for `<home>/<name>.onnx` there, and downloads into `<home>/models/` when
    it is absent (reached only with local_files_only off).
    """
    previous = os.environ.get("U2NET_HOME")
    os.environ["U2NET_HOME"] = str(folder)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["U2NET_HOME"]
        else:
            os.environ["U2NET_HOME"] = previous

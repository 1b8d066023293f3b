"""The backup archive: a tar of the database file, the media files and a manifest with checksums."""

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

FORMAT = "citypocket-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK_SIZE = 1024 * 1024

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def silent(message: str) -> None:
    pass


# --- Writing --------------------------------------------------------------------------------


class HashingReader:
    """Reads a stream for tarfile (or a copy) while hashing exactly the bytes read."""

    def __init__(self, stream):
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


def add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    """Adds a file as `name`; returns its manifest entry (size and SHA-256 of the bytes archived)."""
    with path.open("rb") as stream:
        status = os.fstat(stream.fileno())
        info = tarfile.TarInfo(name)
        info.size = status.st_size
        info.mtime = int(status.st_mtime)
        info.mode = 0o600
        reader = HashingReader(stream)
        try:
            tar.addfile(info, reader)
        except OSError as exc:  # the file shrank while it was read
            raise BackupError(f"{path} changed while it was backed up ({exc}): run the backup again.") from exc
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def add_manifest(tar: tarfile.TarFile, manifest: dict) -> None:
    data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def list_media_files(root: Path, say: Say) -> Iterator[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT, sorted, as (relative POSIX path, path)."""
    if not root.is_dir():
        return
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                say(f"skipped {relative}: not a regular file")
                continue
            yield relative, path


# --- Reading --------------------------------------------------------------------------------


def open_archive(archive: Path) -> tarfile.TarFile:
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file.")
    try:
        return tarfile.open(archive, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} is not a CityPocket backup (not a tar archive: {exc}).") from exc


def read_manifest(tar: tarfile.TarFile) -> dict:
    """The archive's manifest, checked for shape, known format and safe member paths."""
    name = Path(tar.name or "archive").name
    try:
        manifest = json.loads(tar.extractfile(tar.getmember(MANIFEST)).read())
    except KeyError:
        raise BackupError(f"{name} has no {MANIFEST}: it is incomplete or not a CityPocket backup.") from None
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise BackupError(f"{name} cannot be read ({exc}): it is damaged or incomplete.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{name} is not a CityPocket backup.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{name} has backup format {version!r}, made by a newer CityPocket "
            f"({manifest.get('citypocket_version')}): upgrade CityPocket to restore it."
        )
    try:
        database = manifest["database"]
        if database["member"] != DATABASE_MEMBERS[database["engine"]]:
            raise ValueError("unexpected database member")
        for entry in [database, *manifest["media"]["files"]]:
            if not isinstance(entry["size"], int) or not re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]):
                raise ValueError("bad size or checksum")
        for entry in manifest["media"]["files"]:
            check_relative_path(entry["path"])
        if not isinstance(manifest["migrations"], dict):
            raise ValueError("bad migrations")
    except (KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{name}: malformed {MANIFEST} ({exc}).") from exc
    return manifest


def check_relative_path(path: str) -> None:
    """Refuses a media path that could land outside MEDIA_ROOT."""
    if not isinstance(path, str):
        raise ValueError(f"bad media path {path!r}")
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or "\0" in path or any(part in {"", ".", ".."} for part in parts):
        raise ValueError(f"unsafe media path {path!r}")


def expected_members(manifest: dict) -> dict[str, dict]:
    expected = {manifest["database"]["member"]: manifest["database"]}
    for entry in manifest["media"]["files"]:
        expected[MEDIA_PREFIX + entry["path"]] = entry
    return expected


def verify_members(tar: tarfile.TarFile, manifest: dict, say: Say) -> None:
    """Reads every member and compares it with the manifest: nothing missing, extra or altered."""
    name = Path(tar.name or "archive").name
    expected = expected_members(manifest)
    seen: set[str] = set()
    try:
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or member.name in seen or not member.isfile():
                raise BackupError(f"{name}: unexpected member {member.name!r}. Nothing was restored.")
            size, sha256 = _hash_stream(tar.extractfile(member))
            if size != entry["size"] or sha256 != entry["sha256"]:
                raise BackupError(
                    f"{name}: {member.name} does not match its checksum in the manifest; the archive is damaged. "
                    "Nothing was restored."
                )
            seen.add(member.name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{name} cannot be read to the end ({exc}): it is damaged. Nothing was restored.") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{name} lacks {', '.join(missing)}: it is incomplete. Nothing was restored.")
    say(f"{len(seen)} members match their checksums")


def _hash_stream(stream) -> tuple[int, str]:
    sha256 = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        sha256.update(chunk)
        size += len(chunk)
    return size, sha256.hexdigest()


def extract(tar: tarfile.TarFile, name: str, target: Path, *, expected: dict, mode: int | None = None) -> None:
    """Writes one member to `target` through a temporary file, checking its checksum on the way."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed or removed)
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
    )
    try:
        source = HashingReader(tar.extractfile(name))
        shutil.copyfileobj(source, partial, CHUNK_SIZE)
        partial.close()
        if source.sha256.hexdigest() != expected["sha256"]:
            raise BackupError(f"{name} changed while it was restored: its checksum no longer matches.")
        if mode is not None:
            os.chmod(partial.name, mode)
        os.replace(partial.name, target)
    except BaseException:
        partial.close()
        Path(partial.name).unlink(missing_ok=True)
        raise


def media_target(media_root: Path, relative: str) -> Path:
    return media_root.joinpath(*PurePosixPath(relative).parts)

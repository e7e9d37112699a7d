"""Where the local backend keeps its bytes: one folder per upload, one per video.

`uploads/<ref>/data` grows as tus PATCHes arrive (its size is the tus offset) beside
`info.json`; a confirmed upload moves to `videos/<ref>/` unchanged. Each tenant has its
own folder, `tenants/<id>/`: its refs read `t<id>-<hex>`. Bare `<hex>` refs (made before
tenants had folders) stay at the root.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.utils.translation import gettext as _

from storage_backends.errors import ProviderError

_REF_PATTERN = re.compile(r"^(?:t([0-9]{1,12})-)?([a-f0-9]{32})$")


def make_ref(tenant_id: int | None, token: str) -> str:
    return f"t{tenant_id}-{token}" if tenant_id is not None else token


@dataclass
class StoredInfo:
    length: int
    filename: str
    mime: str
    upload_metadata: str = ""


class LocalFiles:
    def __init__(self, root: Path) -> None:
        self._root = root
        # (tenant, kind) -> its folder: a task or request finds a folder with one join, not
        # four (pathlib builds a Path per join, ~5 us each).
        self._bases: dict[tuple[str | None, str], Path] = {}

    @property
    def root(self) -> Path:
        return self._root

    def upload_dir(self, ref: str) -> Path:
        return self._folder(ref, "uploads")

    def video_dir(self, video_id: str) -> Path:
        return self._folder(video_id, "videos")

    def _folder(self, ref: str, kind: str) -> Path:
        # Refs come from URLs: never let one name a path outside our folders.
        match = _REF_PATTERN.match(ref)
        if not match:
            raise FileNotFoundError(ref)
        tenant, token = match.groups()
        base = self._bases.get((tenant, kind))
        if base is None:
            base = (self._root / "tenants" / tenant if tenant else self._root) / kind
            self._bases[(tenant, kind)] = base
        return base / token

    def write_info(self, folder: Path, info: StoredInfo) -> None:
        """Atomically: a full disk or a crash leaves the old file or none, never a torn one."""
        with disk_errors():
            folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".info-", suffix=".tmp")
            try:
                with os.fdopen(handle, "w") as out:
                    out.write(json.dumps(asdict(info)))
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, folder / "info.json")
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    def read_info(self, folder: Path) -> StoredInfo | None:
        try:
            return StoredInfo(**json.loads((folder / "info.json").read_text()))
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # Torn by an older version on a full disk: as if never created (the client
            # creates the upload again).
            return None

    def check_writable(self, size: int) -> None:
        """Refuse a ticket for bytes this folder cannot take: unwritable, or not enough space."""
        with disk_errors():
            if not os.access(self.root, os.W_OK | os.X_OK):  # made once, not per ticket
                self.root.mkdir(parents=True, exist_ok=True)
                if not os.access(self.root, os.W_OK | os.X_OK):
                    raise OSError(errno.EACCES, "not writable", str(self.root))
            if shutil.disk_usage(self.root).free < size:
                raise OSError(errno.ENOSPC, "not enough free space", str(self.root))

    def offset(self, ref: str) -> int:
        data = self.upload_dir(ref) / "data"
        return data.stat().st_size if data.exists() else 0

    @contextlib.contextmanager
    def locked(self, ref: str) -> Iterator[None]:
        """Serialise writers of one upload (two PATCHes for one offset must not interleave)."""
        folder = self.upload_dir(ref)
        with disk_errors():
            folder.mkdir(parents=True, exist_ok=True)
            lock_file = (folder / ".lock").open("a")
        with lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def promote(self, ref: str) -> Path:
        """Move a complete upload to its video folder; return the video file's path."""
        source, target = self.upload_dir(ref), self.video_dir(ref)
        target.parent.mkdir(parents=True, exist_ok=True)
        (source / ".lock").unlink(missing_ok=True)
        source.rename(target)
        return target / "data"

    def remove_upload(self, ref: str) -> None:
        shutil.rmtree(self.upload_dir(ref), ignore_errors=True)

    def remove_video(self, video_id: str) -> None:
        shutil.rmtree(self.video_dir(video_id), ignore_errors=True)

    def iter_refs(self, tenant_id: int | None = None) -> Iterator[tuple[str, int | None, datetime]]:
        """(ref, size of `data`, last change) of every upload and video folder, walked
        lazily (os.scandir): the whole listing is never held in memory."""
        if tenant_id is not None:
            yield from self._iter_base(self.root / "tenants" / str(tenant_id), tenant_id)
            return
        yield from self._iter_base(self.root, None)
        with contextlib.suppress(FileNotFoundError), os.scandir(self.root / "tenants") as it:
            for entry in it:
                if entry.is_dir() and entry.name.isdigit():
                    yield from self._iter_base(Path(entry.path), int(entry.name))

    def _iter_base(
        self, base: Path, tenant_id: int | None
    ) -> Iterator[tuple[str, int | None, datetime]]:
        for kind in ("uploads", "videos"):
            with contextlib.suppress(FileNotFoundError), os.scandir(base / kind) as it:
                for entry in it:
                    ref = make_ref(tenant_id, entry.name)
                    if entry.is_dir() and _REF_PATTERN.match(ref):
                        yield ref, *_size_and_mtime(Path(entry.path))


def _size_and_mtime(folder: Path) -> tuple[int | None, datetime]:
    data = folder / "data"
    try:
        stat = data.stat()
    except FileNotFoundError:
        stat = folder.stat()
        return None, datetime.fromtimestamp(stat.st_mtime, tz=UTC)
    return stat.st_size, datetime.fromtimestamp(stat.st_mtime, tz=UTC)


_FULL = (errno.ENOSPC, errno.EDQUOT)


@contextlib.contextmanager
def disk_errors() -> Iterator[None]:
    """A full or unwritable disk is an outage of this storage (507 and a sentence), not a
    crash: retried later, the upload resumes from what was written."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        if exc.errno in _FULL:
            message, code = _("The video storage is full. Please try again later."), "storage_full"
        else:
            message = _("The video storage cannot be written to right now. Please try again later.")
            code = "storage_unwritable"
        raise ProviderError(message, permanent=False, code=code, status=507) from exc

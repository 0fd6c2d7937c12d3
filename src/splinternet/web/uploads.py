"""Uploads of the web API: each spooled to a private temporary file, bounded, and removed exactly once."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from pathlib import Path
from typing import TypeGuard

from fastapi import UploadFile

from ..errors import ParameterError
from .state import AppState

__all__ = ["MAX_CLOUD_FILES", "MAX_PFX2AS_FILES", "Spooled", "UploadTooLarge", "Uploads", "spool_upload",
           "spool_uploads"]


class UploadTooLarge(ParameterError):
    code = "upload_too_large"


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

Spooled = tuple[Path, str, str]  # (path, name to show, sha256)


class Uploads:
    """The files one request spooled, and who removes them: the request, or the job it started.

    Every way out removes them exactly once: a refused, failed, cached or joined request at
    its end (:meth:`release`), a job that took them when it ends or is dropped (``on_end``).
    Attribution files (prefix-to-AS, AS organizations, cloud ranges) replace the catalog's
    and the server's own for that request; cloud range files share one folder (read as one
    directory of provider files, or of AWS history tarballs).
    """

    def __init__(self, register: Spooled | None = None, resolutions: Spooled | None = None) -> None:
        self.register = register
        self.resolutions = resolutions
        self.pfx2as: list[Spooled] = []
        self.asorg: Spooled | None = None
        self.cloud: list[Spooled] = []
        self.key: str | None = None

    @property
    def attribution(self) -> list[Spooled]:
        return [*self.pfx2as, *([self.asorg] if self.asorg else []), *self.cloud]

    @property
    def folders(self) -> list[Path]:
        found = [u[0].parent for u in (self.register, self.resolutions, *self.attribution) if u is not None]
        return list(dict.fromkeys(found))

    def remove(self) -> None:
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)

    def release(self, state: AppState) -> None:
        """Remove the files unless a queued or running job owns them."""
        active = state.runner.get_active(self.key) if self.key else None
        if active is None or active.on_end != self.remove:
            self.remove()


async def spool_upload(upload: UploadFile, limit: int, directory: Path, what: str = "register") -> Spooled:
    """Copy an upload to a private temporary file, refusing more than ``limit`` bytes.

    Returns (path, name to show, sha256); the file name is reduced to safe characters and
    never used as a path of its own.
    """
    fallback = what.replace(" ", "-")
    name = _SAFE_NAME.sub("_", Path(upload.filename or fallback).name)[:80].strip("._") or fallback
    directory.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=directory))
    target = folder / name
    digest = hashlib.sha256()
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"upload {name!r} is larger than this server's limit of {limit:,} bytes")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ParameterError(f"upload {name!r} is empty; expected a {what}")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return target, f"upload:{name}", digest.hexdigest()


def _given(upload: UploadFile | None) -> TypeGuard[UploadFile]:
    return upload is not None and bool(upload.filename or upload.size)


# How many attribution files one request may bring (each within the upload limit, all together too).
MAX_PFX2AS_FILES = 4     # IPv4 and IPv6 tables, perhaps from two sources
MAX_CLOUD_FILES = 64     # one file per provider, or AWS history tarballs


async def spool_uploads(state: AppState, register: UploadFile | None, resolutions: UploadFile | None, *,
                        pfx2as: list[UploadFile] | None = None, asorg: UploadFile | None = None,
                        cloud: list[UploadFile] | None = None) -> Uploads:
    """Spool the register, resolutions and attribution uploads (any may be absent); nothing is left behind on error."""
    limit, folder = state.settings.max_upload_bytes, state.settings.upload_dir
    uploads = Uploads()
    pfx2as_given = [u for u in pfx2as or () if _given(u)]
    cloud_given = [u for u in cloud or () if _given(u)]
    if len(pfx2as_given) > MAX_PFX2AS_FILES:
        raise ParameterError(f"{len(pfx2as_given)} prefix-to-AS uploads; expected at most {MAX_PFX2AS_FILES}")
    if len(cloud_given) > MAX_CLOUD_FILES:
        raise ParameterError(f"{len(cloud_given)} cloud range uploads; expected at most {MAX_CLOUD_FILES}")
    try:
        if _given(register):
            uploads.register = await spool_upload(register, limit, folder)
        if _given(resolutions):
            uploads.resolutions = await spool_upload(resolutions, limit, folder,
                                                     what="resolutions file")
        for upload in pfx2as_given:
            uploads.pfx2as.append(await spool_upload(upload, limit, folder, what="prefix-to-AS file"))
        if _given(asorg):
            uploads.asorg = await spool_upload(asorg, limit, folder, what="AS organizations file")
        for upload in cloud_given:
            uploads.cloud.append(await spool_upload(upload, limit, folder, what="cloud range file"))
        if len(uploads.cloud) > 1:
            uploads.cloud = _one_folder(uploads.cloud, folder)
    except BaseException:
        uploads.remove()
        raise
    return uploads


_AWS_HISTORY = re.compile(r"^\d{4}\.tar(\.gz|\.bz2|\.xz)?$")  # how the library finds AWS history in a directory


def _one_folder(spooled: list[Spooled], directory: Path) -> list[Spooled]:
    """Move several cloud range uploads into one folder, read as one directory.

    A directory holds provider files or AWS history tarballs (``YYYY.tar.gz``), not both:
    the library reads only the tarballs of a directory that has them, so a mix is refused
    rather than half ignored. The folders they were spooled into are removed.
    """
    names = [path.name for path, _, _ in spooled]
    tars = [n for n in names if ".tar" in n]
    if tars and (len(tars) < len(names) or not all(_AWS_HISTORY.match(n) for n in tars)):
        raise ParameterError("cloud range uploads: several files are either provider files (JSON, CSV or text "
                             "lists) or AWS history tarballs named YYYY.tar.gz, not a mix; got "
                             + ", ".join(repr(n) for n in names))
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate is not None:
        raise ParameterError(f"two cloud range uploads are named {duplicate!r}; expected one file per name")
    target = Path(tempfile.mkdtemp(prefix="upload-", dir=directory))
    moved: list[Spooled] = []
    try:
        for path, shown, sha in spooled:
            moved.append((path.rename(target / path.name), shown, sha))
            shutil.rmtree(path.parent, ignore_errors=True)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return moved

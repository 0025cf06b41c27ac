"""Files a command writes (``--out``): whole or not at all, never through a link.

A file is written beside its target under a temporary name and renamed over it, so a
failed write leaves the older file as it was. A link at the target's name is replaced,
never followed: in a shared folder, a link someone else planted must not make Waypoint
overwrite the file it names. A stream (``/dev/stdout``, ``/dev/stdin``, ``/dev/fd/3``,
a pipe, a terminal) gets the finished bytes appended, never truncated; a descriptor the
process holds is written at its own offset (one opened only for reading refuses it).
Nothing is ever written into a file listed in ``keep_off`` (the database and its
write-ahead log), however it is reached.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from tracker.errors import BadInput, WaypointError, is_disk_full

T = TypeVar("T")

# The names of descriptors this process already holds open: written through the
# descriptor itself, so what the shell writes after the export follows it.
# /dev/stdin too: replaced by a rename, the machine's /dev/stdin link became a file.
_HELD = re.compile(r"/dev/(?:std(in|out|err)|fd/(\d+))|/proc/self/fd/(\d+)")


def is_stream(out: str | Path) -> bool:
    """Whether ``out`` is a stream to write into rather than a file to replace: the name
    of a descriptor the process holds (``/dev/stdout``, ``/dev/fd/3``: even when the shell
    redirected it into a file, a rename would replace ``/dev/stdout`` itself), or a name
    that is itself a pipe, socket or terminal. Any other name, a link to a device among
    them, is a file name like any other, replaced by the write."""
    if _HELD.fullmatch(os.path.abspath(out)):
        return True
    try:
        mode = Path(out).lstat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


def write_atomically(
    out: str | Path,
    write: Callable[[Path], T],
    *,
    make_folders: bool = False,
    keep_off: Sequence[Path] = (),
    label: str = "--out",
) -> T:
    """Call ``write(part)`` to write a file at ``part``, then put it at ``out`` (see the
    module's docstring); returns what ``write`` returned. ``make_folders``: create the
    folders ``out`` needs (the export does; a missing folder is otherwise bad input).
    A name that reaches a file of ``keep_off`` by any path, and any failure of the file
    system the name is at fault for, is bad input naming ``label`` (``--out``; exit 2)."""
    if str(out).endswith(("/", os.sep)) and not Path(out).is_dir():
        # Path() drops the slash: "--out reports/" wrote a file named "reports"
        raise BadInput(f"{label} {out}: ends in '/', the name of a folder; give a file name")
    out = Path(out)
    if _names(out) & set().union(*(_names(Path(p)) for p in keep_off)):
        raise BadInput(
            f"{label} {out}: that is the database itself (or its log or lock); choose another file"
        )
    try:
        if out.is_dir():
            raise BadInput(f"{label} {out}: is a folder; give a file name")
        return _write(out, write, make_folders, keep_off)
    except Exception as exc:
        if is_disk_full(exc):  # DuckDB's COPY and the XLSX writer raise their own types
            raise WaypointError(
                f"{label} {out}: the disk is full; nothing was written there (the file is"
                " as it was). Free some space and try again."
            ) from exc
        if not isinstance(exc, OSError) or exc.errno not in _NAME_ERRORS:
            raise  # a failing device is no fault of the name (exit 1)
        raise BadInput(f"{label} {out}: cannot be written ({exc.strerror or exc})") from exc


def _names(path: Path) -> set[Path]:
    """A file by the name as given, its folders resolved (a write replaces a link at the
    name, so a link the database was opened through is the database too), and by the
    file that name resolves to."""
    return {Path(os.path.realpath(path.parent)) / path.name, Path(os.path.realpath(path))}


# What a name can be at fault for: bad input naming --out (exit 2).
_NAME_ERRORS = {
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EEXIST,
    errno.ENAMETOOLONG,
    errno.ELOOP,
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.EBADF,
    errno.ENXIO,
}


def _write(
    out: Path, write: Callable[[Path], T], make_folders: bool, keep_off: Sequence[Path]
) -> T:
    special = is_stream(out)
    folder: Path | None = None
    # A short temporary name that ends like the target's (DuckDB compresses by the ending,
    # x.csv.gz): a long target name plus a prefix must not exceed the system's limit.
    ending = "".join(out.suffixes[-2:])[-32:]
    if special:  # the finished file is copied into it from a folder of its own
        folder = Path(tempfile.mkdtemp(prefix="waypoint-out-"))
        part = folder / f"out{ending}"
    else:  # beside the target, so the final rename stays on one file system
        if make_folders:
            out.parent.mkdir(parents=True, exist_ok=True)
        elif not out.parent.is_dir():
            raise FileNotFoundError(2, "no such folder")
        part = out.with_name(f".waypoint-{secrets.token_hex(4)}{ending}")
    try:
        result = write(part)
        if special:
            _copy_into_stream(part, out, keep_off)
        else:
            # a regular file keeps who may read it; a link is replaced, never followed
            if out.is_file() and not out.is_symlink():
                shutil.copymode(out, part)
            os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    return result


def _copy_into_stream(part: Path, out: Path, keep_off: Sequence[Path]) -> None:
    """Append the finished file to a stream, never truncating it: ``3>>log.csv`` keeps
    what the log held, and a descriptor the process holds is written at its offset."""
    held = _HELD.fullmatch(os.path.abspath(out))
    if held:
        number = {"in": 0, "out": 1, "err": 2}.get(held.group(1) or "")
        if number is None:
            number = int(held.group(2) or held.group(3))
        try:
            fd = os.dup(number)
        except OSError as exc:
            raise BadInput(f"--out {out}: descriptor {number} is not open") from exc
    else:
        fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW)
    with os.fdopen(fd, "wb") as dst:
        # the shell may have pointed the descriptor at the database itself
        mine = os.fstat(dst.fileno())
        for path in keep_off:
            try:
                theirs = os.stat(path)
            except OSError:
                continue
            if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
                raise BadInput(
                    f"--out {out}: that is the database itself (or its log or lock); choose another file"
                )
        with part.open("rb") as src:
            shutil.copyfileobj(src, dst)

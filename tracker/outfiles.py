"""Files a command writes (``--out``): whole or not at all, never through a link.

A file is written beside its target under a temporary name and renamed over it, so a
failed write leaves the older file as it was. A link at the target's name is replaced,
never followed: in a shared folder, a link someone else planted must not make Waypoint
overwrite the file it names. A stream (``/dev/stdout``, a pipe) gets the finished bytes
appended, never truncated.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tracker.errors import BadInput

T = TypeVar("T")

# The names of descriptors this process already holds open: written through the
# descriptor itself, so what the shell writes after the export follows it.
_HELD = re.compile(r"/dev/(?:std(out|err)|fd/(\d+))|/proc/self/fd/(\d+)")


def is_stream(out: str | Path) -> bool:
    """Whether ``out`` is a stream to write into rather than a file to replace: a name
    under ``/dev`` or ``/proc`` as typed (``/dev/stdout`` even when the shell redirected
    it into a file: a rename would replace ``/dev/stdout`` itself), or a pipe, socket or
    terminal itself. A link elsewhere is never followed to a device: it is a file name
    like any other, replaced by the write."""
    path = Path(os.path.abspath(out))
    if path.parts[1:2] in (("dev",), ("proc",)):
        return True
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


def write_atomically(
    out: str | Path, write: Callable[[Path], T], *, make_folders: bool = False
) -> T:
    """Call ``write(part)`` to write a file at ``part``, then put it at ``out`` (see the
    module's docstring); returns what ``write`` returned. ``make_folders``: create the
    folders ``out`` needs (the export does; a missing folder is otherwise bad input)."""
    out = Path(out)
    special = is_stream(out)
    folder: Path | None = None
    if special:  # the finished file is copied into it from a folder of its own
        folder = Path(tempfile.mkdtemp(prefix="waypoint-out-"))
        part = folder / (out.name or "out")
    else:  # beside the target, so the final rename stays on one file system
        try:
            if make_folders:
                out.parent.mkdir(parents=True, exist_ok=True)
            elif not out.parent.is_dir():
                raise FileNotFoundError(2, "no such folder")
        except OSError as exc:
            raise BadInput(f"--out {out}: cannot be written ({exc.strerror or exc})") from exc
        # (its name ends like the target's: DuckDB compresses by the ending, x.csv.gz)
        part = out.with_name(f".{secrets.token_hex(4)}-{out.name}")
    try:
        try:
            result = write(part)
        except PermissionError as exc:
            raise BadInput(f"--out {out}: cannot be written ({exc.strerror})") from exc
        if special:
            _copy_into_stream(part, out)
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


def _copy_into_stream(part: Path, out: Path) -> None:
    """Append the finished file to a stream, never truncating it: ``3>>log.csv`` keeps
    what the log held, and a descriptor the process holds is written at its offset."""
    held = _HELD.fullmatch(os.path.abspath(out))
    if held:
        number = {"out": 1, "err": 2}.get(held.group(1) or "") or int(
            held.group(2) or held.group(3)
        )
        try:
            fd = os.dup(number)
        except OSError as exc:
            raise BadInput(f"--out {out}: descriptor {number} is not open") from exc
    else:
        try:
            fd = os.open(out, os.O_WRONLY | os.O_APPEND)  # never created, never truncated
        except OSError as exc:
            raise BadInput(f"--out {out}: cannot be written ({exc.strerror})") from exc
    with part.open("rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst)

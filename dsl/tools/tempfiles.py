"""Temporary files written beside their target and renamed over it: the target's mode kept, stale ones of dead runs removed."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path


def real_target(path: str | os.PathLike[str]) -> Path:
    """The file a path names once symlinks are followed, so a rename replaces that file and leaves the link alone."""
    return Path(os.path.realpath(path))


def _mode_for(target: Path) -> int:
    """An existing file keeps its mode; a new one gets what the user's umask gives any new file."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0)  # read the umask: there is no call that reads it without setting it
        os.umask(mask)
        return 0o666 & ~mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive, and not ours to judge
        return True
    return True


def remove_stale(target: Path, suffix: str) -> None:
    """Remove temporaries of `target` left by runs that were killed (their process is gone); never another live run's."""
    pattern = re.compile(r"\." + re.escape(target.name) + r"\.(\d+)\.[^/]*" + re.escape(suffix))
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found and int(found.group(1)) != os.getpid() and not _alive(int(found.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def create_beside(target: Path, suffix: str) -> tuple[int, Path, int]:
    """A new temporary file in the target's folder, named after the target and this process: (fd, path, mode for the target).

    Raises OSError when the folder is not writable.
    """
    remove_stale(target, suffix)
    mode = _mode_for(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent)
    return fd, Path(name), mode


def commit(temporary: Path, target: Path, mode: int) -> None:
    """Give the temporary the target's mode and rename it over the target."""
    os.chmod(temporary, mode)
    os.replace(temporary, target)

"""The plugins' entry points, kept in the cache folder with a stamp of the installed distributions, so that a start in an
unchanged environment imports the plugin modules without reading every distribution's metadata (importlib.metadata).

What is kept: for each entry point of the group, in the order importlib.metadata finds them (sys.path order), its name,
its `module:attribute`, the `Name==Version` of the distribution that brought it and that distribution's dist-info folder,
whose entry_points.txt is read again before anything is imported (the cache never chooses a module on its own). The stamp: the racepolicy version,
sys.path, and the name and modification time of every `*.dist-info` / `*.egg-info` folder on it (and of its
`entry_points.txt`); installing, upgrading or removing any distribution changes a folder's name or time, so the entry
points are read again. A missing, damaged or foreign file is read again the usual way and written again; a cache folder
that cannot be written only means the usual way every time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

FORMAT = 2  # 2: each entry point with the dist-info folder that declares it
KEEP_STAMPS = 8  # the entry points of this many environments (or sys.path) are kept
_INFO_SUFFIXES = (".dist-info", ".egg-info")


def _path() -> Path:
    from racepolicy.query.cache import cache_dir

    return cache_dir().parent / "plugins.json"


def distributions_stamp() -> str:
    """The installed distributions as the folders on sys.path show them: a new, upgraded or removed one changes it."""
    from racepolicy import __version__

    parts = [__version__, str(FORMAT)]
    for entry in sys.path:
        parts.append(f"path:{entry}")
        try:
            listing = sorted(os.scandir(entry or "."), key=lambda e: e.name)
        except OSError:  # not a folder (a zip file: its own time), or gone
            try:
                parts.append(str(os.stat(entry).st_mtime_ns))
            except OSError:
                pass
            continue
        for found in listing:
            if found.name.endswith(_INFO_SUFFIXES):
                try:
                    points = os.stat(os.path.join(found.path, "entry_points.txt")).st_mtime_ns
                except OSError:
                    points = 0
                parts.append(f"{found.name}:{found.stat().st_mtime_ns}:{points}")
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def scan(group: str) -> list[list[str]]:
    """[name, module:attribute, Name==Version, its dist-info folder] of every entry point of the group, as pluggy's
    load_setuptools_entrypoints walks them (importlib.metadata.distributions(), then each one's entry points)."""
    import importlib.metadata

    found = []
    for dist in list(importlib.metadata.distributions()):
        for point in dist.entry_points:
            if point.group == group:
                folder = getattr(dist, "_path", None)  # where a distribution on disk declares it (checked again at each read)
                found.append([point.name, point.value, f"{dist.metadata['Name']}=={dist.metadata['Version']}", os.path.abspath(folder) if folder else ""])
    return found


def _declared(folder: str, group: str) -> set[tuple[str, str]]:
    """(name, value) of the group's entry points as a dist-info folder on sys.path declares them in its entry_points.txt."""
    if not folder.endswith(_INFO_SUFFIXES) or os.path.dirname(folder) not in {os.path.abspath(entry or ".") for entry in sys.path}:
        return set()
    try:
        with open(os.path.join(folder, "entry_points.txt"), encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, ValueError):
        return set()
    found, section = set(), None
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
        elif section == group and "=" in line:
            name, _, value = line.partition("=")
            found.add((name.strip(), value.strip()))
    return found


def _kept() -> dict[str, Any]:
    try:
        kept = json.loads(_path().read_text(encoding="utf-8"))
        return kept if isinstance(kept, dict) and kept.get("format") == FORMAT and isinstance(kept.get("found"), dict) else {}
    except (OSError, ValueError):
        return {}


def read(group: str, stamp: str) -> list[list[str]] | None:
    """The entry points kept for this stamp, or None. Each must still be declared by the installed distribution it came
    from (its entry_points.txt is read again): the cache file names modules to import, and only an installed package's own
    declaration may choose them, as when importlib.metadata reads them."""
    points = _kept().get("found", {}).get(f"{group}\0{stamp}")
    if not isinstance(points, list) or not all(isinstance(p, list) and len(p) == 4 and all(isinstance(s, str) for s in p) for p in points):
        return None
    declared: dict[str, set[tuple[str, str]]] = {}
    for name, value, _, folder in points:
        if folder not in declared:
            declared[folder] = _declared(folder, group)
        if (name, value) not in declared[folder]:
            return None
    return points


def write(group: str, stamp: str, points: list[list[str]]) -> None:
    """Keep the entry points just read, beside those of a few other stamps (`python -m racepolicy` and the `racepolicy`
    script see different sys.path); never fails."""
    path = _path()
    found = {key: value for key, value in _kept().get("found", {}).items() if key != f"{group}\0{stamp}"}
    found = dict(list(found.items())[-(KEEP_STAMPS - 1):])
    found[f"{group}\0{stamp}"] = points
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # cold start: only a write needs it

        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, prefix=".", suffix=".tmp") as handle:
            json.dump({"format": FORMAT, "found": found}, handle)
        try:
            os.replace(handle.name, path)
        except OSError:
            os.unlink(handle.name)
            raise
    except OSError:
        pass


def entry_points(group: str, use_cache: bool) -> list[list[str]]:
    """The group's entry points: from the cache when the installed distributions are those it was written for."""
    from racepolicy.query.cache import enabled

    if not (use_cache and enabled()):
        return scan(group)
    stamp = distributions_stamp()
    points = read(group, stamp)
    if points is None:
        points = scan(group)
        write(group, stamp, points)
    return points


def load(declared: str) -> Any:
    """What an entry point's `module:attribute.more [extras]` names (importlib.metadata.EntryPoint.load); `declared` is
    as an installed distribution declares it (`scan`, or `read` after checking it)."""
    import importlib

    module, _, attribute = declared.partition("[")[0].strip().partition(":")
    return functools.reduce(getattr, [a for a in attribute.strip().split(".") if a], importlib.import_module(module.strip()))

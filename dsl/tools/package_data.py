"""The folder of a package's data files on disk, found without importing importlib.resources (a cold start's import)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any


def package_folder(package: str) -> Path | None:
    """The folder of a regular package that lives in files on disk, as importlib.resources.files gives it for such a package;
    None for any other (a zip, a namespace package): then the caller asks importlib.resources, as before."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or type(spec.loader).__name__ not in ("SourceFileLoader", "SourcelessFileLoader"):
        return None
    if os.path.basename(spec.origin).split(".")[0] != "__init__" or not os.path.isfile(spec.origin):
        return None
    return Path(spec.origin).parent


def files(package: str) -> Any:
    """importlib.resources.files(package), without importing it for a package on disk."""
    folder = package_folder(package)
    if folder is not None:
        return folder
    from importlib import resources

    return resources.files(package)

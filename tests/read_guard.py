"""The repository is self-contained: an audit hook notes every file a test run opens outside it.

Its own module, not conftest's, so a test can look at what it noted (`import read_guard`).
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path

from bot.paths import ROOT

# Where a test run may read besides the repository: the interpreter and its libraries,
# the temporary folders tests make, and the system's own files. Never ../shared or $HOME.
_SYSTEM = tuple(str(Path(p).resolve()) for p in {
    sys.prefix, sys.base_prefix, sys.exec_prefix,
    *sysconfig.get_paths().values(), "/dev", "/proc", "/sys", "/etc", "/usr", "/lib", "/lib64",
})
_TEMP = str(Path(tempfile.gettempdir()).resolve())
# The repository's neighbours (../shared, a HOME beside it) are out of bounds even inside an
# allowed folder, as when CI copies the repository into a temporary one; pytest's own temporary
# folders are not neighbours. (Unless the repository sits right in / or the temporary folder.)
BESIDE = (None if ROOT.parent in {Path("/"), Path(tempfile.gettempdir()).resolve()} else str(ROOT.parent))
test_temp: list[str] = []
outside: list[str] = []


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _watch_opens(event: str, args: tuple) -> None:
    """Audit hook: remember every file opened outside the allowed places."""
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if (_within(path, str(ROOT)) or any(_within(path, temp) for temp in test_temp)
            or any(_within(path, root) for root in _SYSTEM)):
        return
    if (BESIDE is not None and _within(path, BESIDE)) or not _within(path, _TEMP):
        outside.append(path)


sys.addaudithook(_watch_opens)

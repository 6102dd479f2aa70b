"""The layout says what talks to Discord: the engine never imports it."""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path

import pytest

from bot.paths import ROOT

ENGINE = sorted((ROOT / "bot" / "engine").glob("*.py"))


@pytest.mark.parametrize("module", ENGINE, ids=lambda p: p.name)
def test_engine_module_does_not_import_discord(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 0}
    relative = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level > 1}
    assert "discord" not in imported and "aiohttp" not in imported
    assert not any(name.startswith("discord_bot") for name in relative)


def test_outside_reads_are_caught() -> None:
    """The guard in conftest is live: reading a file beside the repository (or, where the
    repository sits in / or the temporary folder, at the filesystem's root) is noticed."""
    import read_guard

    outside = ROOT.parent if read_guard.BESIDE is not None else Path("/")
    before = len(read_guard.outside)
    with contextlib.suppress(OSError):
        (outside / "surely-not-here.txt").read_text()
    assert len(read_guard.outside) == before + 1
    read_guard.outside.clear()

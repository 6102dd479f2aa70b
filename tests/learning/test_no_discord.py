"""The learning package is shared by the bot and the terminal: it never loads discord.py."""

from __future__ import annotations

import subprocess
import sys

from bot.paths import ROOT


def test_learning_never_imports_discord():
    code = ("import sys; import bot.learning.question_log, bot.learning.report, bot.learning.learn, "
            "bot.learning.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in ('discord', 'aiohttp')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

"""Slash-command sync only when the command set changed: Discord rate-limits syncing.

The fingerprint is a hash of the JSON payloads discord.py would send, so any change a
user could see (names, descriptions, options, permissions, contexts) triggers a sync and
a restart with the same code does not. It is remembered per application and scope
(global, or one guild) in a small JSON file in the data directory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.abc import Snowflake

log = logging.getLogger(__name__)

STATE_FILE = "command-sync.json"


def scope_label(guild: Snowflake | None) -> str:
    return f"guild {guild.id}" if guild is not None else "global"


async def command_payloads(tree: app_commands.CommandTree, guild: Snowflake | None) -> list[dict[str, Any]]:
    """What `tree.sync` would send for this scope, in a stable order."""
    commands = tree.get_commands(guild=guild)
    if tree.translator is not None:
        payloads = [await command.get_translated_payload(tree, tree.translator) for command in commands]
    else:
        payloads = [command.to_dict(tree) for command in commands]
    return sorted(payloads, key=lambda payload: (payload.get("type", 1), payload["name"]))


def fingerprint(payloads: list[dict[str, Any]]) -> str:
    text = json.dumps(payloads, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class SyncRecord:
    """The fingerprint last synced for each application and scope.

    An unreadable or damaged file only costs one extra sync, so it is reported and
    treated as empty rather than stopping the bot.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring the command-sync record %s (%s): commands will be synced", self.path, exc)
            return {}
        return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}

    def get(self, key: str) -> str | None:
        return self._read().get(key)

    def put(self, key: str, value: str) -> None:
        """Write the whole record to a temporary file and rename it: a kill never leaves half a file."""
        data = self._read()
        data[key] = value
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".command-sync-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file, indent=2, sort_keys=True)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class SyncResult:
    scope: str
    fingerprint: str
    synced: list[app_commands.AppCommand] | None  # None: unchanged, nothing sent

    def describe(self) -> str:
        if self.synced is None:
            return (f"commands unchanged since the last sync ({self.scope}, {self.fingerprint[:12]}): "
                    "nothing sent")
        names = ", ".join(_shown_name(command) for command in sorted(self.synced, key=lambda c: c.name))
        return f"synced {len(self.synced)} commands ({self.scope}, {self.fingerprint[:12]}): {names or '-'}"


def _shown_name(command: app_commands.AppCommand) -> str:
    if command.type is discord.AppCommandType.chat_input:
        return f"/{command.name}"
    return f"{command.name} ({command.type.name} menu)"


async def sync_commands(tree: app_commands.CommandTree, application_id: int, record: SyncRecord,
                        guild: Snowflake | None = None, *, force: bool = False) -> SyncResult:
    """Sync the tree's commands for one scope unless they are what was last synced there.

    A guild scope gets the global commands copied in, so they appear there at once
    (the development setup). The fingerprint is recorded only after Discord accepted it.
    """
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = scope_label(guild)
    key = f"{application_id}/{scope}"
    current = fingerprint(await command_payloads(tree, guild))
    if not force and record.get(key) == current:
        result = SyncResult(scope, current, None)
        log.info("%s", result.describe())
        return result
    synced = await tree.sync(guild=guild)
    record.put(key, current)
    result = SyncResult(scope, current, synced)
    log.info("%s%s", result.describe(), "" if guild is not None else " (may take a while to appear)")
    return result

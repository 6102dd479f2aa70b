"""Admin commands: /reload swaps in the knowledge file from disk, or keeps the last good one."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.loader import KnowledgeError
from ...engine.text import shorten
from .. import limits
from ..client import ArticleBot
from ..replies import NO_PINGS, Refused

MAX_SHOWN = 15


def is_bot_admin(interaction: discord.Interaction[ArticleBot]) -> bool:
    """Checked at run time too: a server can show /reload to anyone in its integration settings."""
    user = interaction.user
    if isinstance(user, discord.Member) and (
        interaction.permissions.administrator  # resolved by Discord, cached guild or not
        or any(role.id in interaction.client.settings.admin_role_ids for role in user.roles)
    ):
        return True
    raise Refused("Only the server's admins (or members with a bot-admin role) can do that.")


def _listed(label: str, ids: tuple[str, ...]) -> str:
    shown = ", ".join(f"`{i}`" for i in ids[:MAX_SHOWN])
    more = f" and {len(ids) - MAX_SHOWN} more" if len(ids) > MAX_SHOWN else ""
    return f"**{label}:** {shown}{more}" if ids else ""


class Admin(commands.Cog):
    def __init__(self, bot: ArticleBot) -> None:
        self.bot = bot

    @app_commands.command(name="reload", description="Reload the knowledge file from disk (admins)")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    @app_commands.check(is_bot_admin)
    async def reload(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        current = self.bot.matcher.knowledge
        try:
            _, new, diff = await self.bot.reload_knowledge()
        except KnowledgeError as exc:
            problems = "\n".join(str(p) for p in exc.problems[:MAX_SHOWN]).replace("`", "\u02cb")
            more = f"\n\u2026 and {len(exc.problems) - MAX_SHOWN} more" if len(exc.problems) > MAX_SHOWN else ""
            text = (
                f"**Reload refused:** {len(exc.problems)} problem(s) in the knowledge file. "
                f"Still answering from the last good one ({current.summary()}, loaded "
                f"{discord.utils.format_dt(current.loaded_at, 'R')}).\n"
                f"```\n{problems[:1500]}{more}\n```"
            )
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        lines = [f"**Reloaded** `{new.knowledge.path.name}`: {new.knowledge.summary()} \u2014 {diff.summary()}."]
        lines += [part for part in (_listed("Added", diff.added), _listed("Removed", diff.removed),
                                    _listed("Changed", diff.changed)) if part]
        await interaction.followup.send(shorten("\n".join(lines), limits.MESSAGE), ephemeral=True,
                                        allowed_mentions=NO_PINGS)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Admin(bot))

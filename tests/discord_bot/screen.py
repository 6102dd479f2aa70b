"""What a Discord user sees of a message, for the simcord tests beside it.

Not a conftest: `import conftest` must find the root one.
"""

from __future__ import annotations


def text_of(message) -> str:
    """Everything a reader sees in a message: content and embed text."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or "", embed.footer.text or ""]
        parts += [f"{field.name}\n{field.value}" for field in embed.fields]
    return "\n".join(parts)


def button_labels(message) -> list[str]:
    message = getattr(message, "message", message)  # an interaction's response: its discord.Message
    return [child.label for row in message.components for child in row.children]

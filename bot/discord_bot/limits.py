"""Discord's size limits, named once: every reply, button and custom id is measured against these.

Figures from Discord's API reference (Message, Embed limits, Button, Select Menu).
"""

from __future__ import annotations

MESSAGE = 2000  # characters of a message's content
EMBED_TOTAL = 6000  # title + description + fields + footer + author of all embeds in a message
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
BUTTON_LABEL = 80
CUSTOM_ID = 100  # a component's custom id
BUTTONS_PER_ROW = 5
ROWS = 5
SELECT_OPTIONS = 25
SELECT_OPTION_LABEL = 100
CHOICES = 25  # autocomplete choices
CHOICE_NAME = 100

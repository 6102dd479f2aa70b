"""Text folding shared by the checker, the builder and the matcher.

Quotes are compared after *folding* only typography (curly quotes, dashes,
non-breaking spaces, runs of white space), so a curator may type straight
quotes but can never change a word. Matching uses the heavier `normalize`.
"""

from __future__ import annotations

import re
import unicodedata

_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    }
)
_SPACES = re.compile(r"\s+")


def fold_typography(text: str) -> str:
    """Fold quotes, dashes and spaces to ASCII and collapse white space."""
    return _SPACES.sub(" ", text.translate(_TYPOGRAPHY)).strip()


def fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold_typography(text)` and, for each of its characters, where it came from in `text`.

    Lets a quote typed with straight quotes be shown as the article's exact words.
    """
    folded: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text.translate(_TYPOGRAPHY)):
        if char.isspace():
            if not folded or folded[-1] == " ":
                continue
            char = " "
        folded.append(char)
        positions.append(index)
    if folded and folded[-1] == " ":
        folded.pop()
        positions.pop()
    return "".join(folded), positions


# Discord markup a user may paste into a question: mentions, custom emoji,
# timestamps, links. None of it carries meaning for the article.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:|t:)\d*[^>]*>|https?://\S+")
_WORD = re.compile(r"[^\W_]+")
_DIGIT_GROUP = re.compile(r"(?<=\d),(?=\d{3}\b)")
_APOSTROPHE_S = re.compile(r"'s\b|'")
# a zero-width space separates words ("who\u200bcontrols"); joiners and byte-order marks are nothing
_ZERO_WIDTH = {**dict.fromkeys(map(ord, "\u200c\u200d\u2060\ufeff"), None), ord("\u200b"): " "}


def normalize(text: str) -> str:
    """Lower-case words only: what the matcher compares.

    NFKC folds full-width and compatibility forms, possessive 's is dropped
    ("Syria's" -> "syria"), punctuation and markdown become spaces, and digit
    groups keep their value ("4,000" -> "4000"). Each step runs only when its
    character is there: indexing 100,000 entries normalizes millions of strings.
    """
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_TYPOGRAPHY)
    if "<" in text or "http" in text:
        text = _DISCORD_MARKUP.sub(" ", text)
    text = text.casefold()
    if "," in text:
        text = _DIGIT_GROUP.sub("", text)
    if "'" in text:
        text = _APOSTROPHE_S.sub("", text)
    return " ".join(_WORD.findall(text))


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d\u2019]?\s+(?=[\"\u201c\u2018(]?[A-Z])")


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences, keeping closing quotes with their sentence."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(paragraph):
        end = match.start() + len(match.group(0).rstrip())
        parts.append(paragraph[start:end].strip())
        start = match.end()
    parts.append(paragraph[start:].strip())
    return [p for p in parts if p]


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut: the one truncator
    for every budget (Discord's limits, echoes, previews)."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# Discord markup that is not words of a question: mentions of users (<@1>, <@!1>), roles
# (<@&1>), channels (<#1>) and slash commands (</name sub:1>), custom emoji (<:name:1>,
# <a:name:1>), timestamps (<t:1:R>), and the @everyone / @here pings.
_DISCORD_TOKENS = re.compile(
    r"<(?:@[!&]?\d+|#\d+|/[^:<>]+:\d+|a?:\w+:\d+|t:-?\d+(?::[a-zA-Z])?)>|(?<!\w)@(?:everyone|here)\b"
)


def strip_discord_markup(text: str) -> str:
    """The question a Discord message asks, without its mentions, emoji and timestamps."""
    return " ".join(_DISCORD_TOKENS.sub(" ", text).split())

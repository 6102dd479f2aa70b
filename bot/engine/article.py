"""Reading a news article as it reached us: what is the report, what is not.

Republished copies carry a title, a dateline, photo captions and a paywall
footer. The footer is not the report and is dropped; captions are kept (they
are claims too, credited to whoever supplied the photo).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import fold_typography, split_sentences

# A line that starts the republisher's paywall or page furniture; it and all
# that follows are not part of the report.
_FOOTER = re.compile(
    r"^(to read the full story|are you already a subscriber|click to log in|subscribe to|"
    r"sign in to read|.{0,40}\blogo)\b",
    re.IGNORECASE,
)
_LOGO = re.compile(r"^(?P<name>[A-Z][\w&.' -]{0,38}?)\s+logo$", re.IGNORECASE)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'\-]+?)(?:,[^()]*)?\s*\((?P<agency>[^)]+)\)\s*[\u2014\u2013\-:]*\s*(?P<rest>.*)$"
)
_CREDIT = re.compile(r"\((?P<credit>[^()]*\b(?:via|photo|AP|AFP|Reuters|getty)\b[^()]*)\)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Caption:
    text: str
    credit: str | None


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """An article split into its parts, footer removed."""

    title: str
    place: str | None
    agency: str | None
    captions: tuple[Caption, ...]
    paragraphs: tuple[str, ...]
    truncated: bool
    text: str  # the report as it reached us, up to the footer: what quotes are checked against
    republisher: str | None = None  # whose page furniture the footer is ("Hamodia Logo")

    def sentences(self) -> list[tuple[str, str | None]]:
        """Every sentence of the report with the credit of the caption it is in."""
        out: list[tuple[str, str | None]] = [(self.title, None)]
        for caption in self.captions:
            out.extend((s, caption.credit) for s in split_sentences(caption.text))
        for paragraph in self.paragraphs:
            out.extend((s, None) for s in split_sentences(paragraph))
        return out


def parse_article(raw: str) -> ParsedArticle:
    """Split a raw article into title, dateline, captions and body paragraphs.

    The first non-empty line is the title. A dateline ("AMMAN (Reuters) —")
    may stand on its own line or open the first paragraph. Lines that end in a
    photo credit are captions. Everything from a paywall line on is dropped.
    """
    lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n")]
    truncated = False
    republisher = None
    for index, line in enumerate(lines):
        if _FOOTER.match(line):
            footer = lines[index:]
            lines, truncated = lines[:index], True
            republisher = next((logo["name"] for text in footer if (logo := _LOGO.match(text))), None)
            break
    text = "\n".join(lines).strip() + "\n"
    body = [line for line in lines if line]
    if not body:
        raise ValueError("the article has no text")
    title, rest = body[0], body[1:]
    place = agency = None
    if rest and (match := _DATELINE.match(rest[0])):
        place, agency = match["place"].strip(), match["agency"].strip()
        rest = ([match["rest"]] if match["rest"] else []) + rest[1:]
    captions: list[Caption] = []
    paragraphs: list[str] = []
    for line in rest:
        if credit := _CREDIT.search(line):
            captions.append(Caption(line[: credit.start()].rstrip(), credit["credit"].strip()))
        else:
            paragraphs.append(line)
    return ParsedArticle(title, place, agency, tuple(captions), tuple(paragraphs), truncated, text, republisher)


# "X said", "X acknowledged" ...: the subject is the phrase since the last
# clause boundary before the verb.
_SAID = re.compile(r"\b(?:said|says|acknowledged|announced|claimed|reported|stated|told)\b")
_CITED = re.compile(r"\b(?:cited|quoted)\s+(?P<source>.+?)\s+as\s+saying\b")
_ACCORDING = re.compile(r"\baccording to\s+(?P<source>[^,.;]+)")
_BOUNDARY = re.compile(r'(?:^|[,;:"]\s*|\bbut\s+|\band\s+|\bwhile\s+)', re.IGNORECASE)
_LEADING = re.compile(r"^(?:but|and|so|yet|however)\s+", re.IGNORECASE)


def _subject_before(text: str, end: int) -> str:
    """The noun phrase that ends at `end`, after the last clause boundary."""
    head = text[:end]
    starts = [m.end() for m in _BOUNDARY.finditer(head)]
    subject = head[max(starts, default=0):].strip(" ,;:\"")
    return _LEADING.sub("", subject).strip()


def guess_attribution(sentence: str, previous: str | None = None) -> str | None:
    """Who a sentence attributes its claim to, or None for the reporter's own words.

    A sentence that is only a quotation continues the previous attribution.
    """
    folded = fold_typography(sentence)
    if cited := _CITED.search(folded):
        via = _subject_before(folded, cited.start())
        source = cited["source"]
        return f"{source} (via {via})" if via else source
    if according := _ACCORDING.search(folded):
        return according["source"].strip()
    if said := _SAID.search(folded):
        subject = _subject_before(folded, said.start())
        if subject and len(subject.split()) <= 12:
            return subject
    if folded.startswith('"') and previous:
        return previous
    return None

"""Turning a Match into words a person reads; shared by the console, `ask` and Discord's plain-text replies."""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING

from .knowledge import ArticleInfo, Claimant, Knowledge, Source
from .sides import other_side

if TYPE_CHECKING:  # only for annotations: the question log words outcomes without loading the matcher
    from .matcher import Match

# the reply to a message that asks nothing (an empty mention, "lol", "thanks"): what to ask instead
GREETING = "Ask me anything about the article \u2014 for example \u201cwho controls Palmyra?\u201d."
NOT_SAID = "The article doesn't say."
NOT_SURE = "I'm not sure what you mean \u2014 did you mean one of these?"
CONTESTED_NOTE = "The sources disagree: each claim is shown with who made it."
OTHER_SIDE_NOTE = "Also claimed on this point:"


def other_side_of(match: Match, knowledge: Knowledge) -> tuple[Source, ...]:
    """The competing claims to show with a contested answer (none for others): see `sides`."""
    if match.entry is None:
        return ()
    return other_side(match.entry, knowledge.by_id, knowledge.article.publisher)


WHO_SAID_IT, IS_IT_TRUE = "who-said-it", "is-it-true"  # what a question about a claim asks (`Resolved.asks`)


def _who(claimant: Claimant, publisher: str) -> str:
    """A claimant as a sentence names it, less the publisher that reports every claim:
    "the Syrian army", "a statement from Russia's monitoring center in Syria, as quoted by Interfax"."""
    label = re.sub(rf",? (as )?(and )?reported by {re.escape(publisher)}$", "", claimant.label)
    return label or claimant.name


def _listed(names: list[str]) -> str:
    """'A, B and C'; 'A, as quoted by X; and B' when a name has a comma of its own."""
    if len(names) == 1:
        return names[0]
    comma = any("," in name for name in names)
    return f"{('; ' if comma else ', ').join(names[:-1])}{';' if comma else ''} and {names[-1]}"


def claim_lead(match: Match, knowledge: Knowledge, asks: str) -> str:
    """The answer to "who said that?" or "is that true?" about an answer, first and short, in place
    of the whole answer again: who made the claim, and (for "is that true") whether anyone in the
    article disputes it. Only from the entry's sources and `contested`, never beyond the article;
    the quotes and the other side follow it as in any answer."""
    if match.entry is None or not match.sources:
        return match.answer or ""
    publisher = knowledge.article.publisher
    claimants = list({source.claimant.key: source.claimant for source in match.sources}.values())
    voices = [_who(claimant, publisher) for claimant in claimants if claimant.name != publisher]
    own = next((claimant.label for claimant in claimants if claimant.name == publisher), None)
    who = _listed(voices) if voices else ""
    contested = match.entry.contested
    if asks == WHO_SAID_IT:
        said = f"Said by {who}" + (f", beside {own}." if own else ".") if voices else f"It is {own}."
        return said + (" It is contested, and the article doesn't settle it." if contested else "")
    if not contested:
        if not voices:
            return f"It is {own}, and the article quotes no one disputing it."
        return f"No one in the article disputes it, but it is the word of {who}" + (f" and {own}." if own else ".")
    if len(voices) > 1 and not other_side_of(match, knowledge):  # the entry holds the dispute itself
        return f"Contested: its sources, {who}, disagree, and the article doesn't settle it."
    return f"Contested: it is the word of {who or publisher}; others on this point say otherwise, " \
           "and the article doesn't settle it."


def attribution(source: Source) -> str:
    """Who said it, in full: '— Russia's Defense Ministry, as reported by Reuters'."""
    return f"\u2014 {source.claimant.label[:1].upper()}{source.claimant.label[1:]}"


def article_line(article: ArticleInfo) -> str:
    return f"{article.title} ({article.publisher}, {article.dateline})"


def confidence_line(match: Match) -> str:
    return f"confidence {match.score}/100"


ANSWERED, DID_YOU_MEAN, DOESNT_SAY = "answered", "did-you-mean", "doesnt-say"
CHATTER = "chatter"  # no question at all ("hi", "lol"): greeted, never counted as unanswered


def outcome(match: Match) -> str:
    """What the asker was told, in one word for logs: an answer, "not sure, did you mean", or
    "doesn't say" (which may still list the closest topics as buttons), as `unsure_line` words it."""
    if match.answered:
        return ANSWERED
    return DID_YOU_MEAN if match.unsure else DOESNT_SAY


def unsure_line(match: Match) -> str:
    """What to say when there is no answer: 'not sure' for a near miss, else an honest 'doesn't say'."""
    if not match.question.strip():
        return "Ask me a question about the article."
    if match.unsure:
        return NOT_SURE
    if match.suggestions:
        return f"{NOT_SAID} Closest topics it does cover:"
    return f"{NOT_SAID} I found nothing in it about that."


def in_quotes(quote: str) -> str:
    """The quote in curly quotation marks, unless it opens with its own: a sentence quoting
    someone ("“…,” Interfax quoted …") reads as the article wrote it, marks not doubled."""
    return quote if quote.startswith(("\u201c", '"')) else f"\u201c{quote}\u201d"


def render_plain(match: Match, article: ArticleInfo, *, width: int = 88, other: tuple[Source, ...] = (),
                 lead: str | None = None) -> str:
    """A console-friendly answer: matched question, answer, quoted sources, the other side of a
    contested point (`other`, from `other_side_of`), confidence. A `lead` (from `claim_lead`)
    takes the answer's place, saying itself whether the point is contested."""
    lines: list[str] = []
    if match.entry is not None:  # answered
        lines.append(f"Q: {match.entry.question}")
        lines.extend(textwrap.wrap(lead or match.answer or "", width))
        if match.entry.contested and lead is None:
            lines.append(f"({CONTESTED_NOTE})")
        for number, source in enumerate((*match.sources, *other)):
            lines += ["", OTHER_SIDE_NOTE] if number == len(match.sources) else []  # the other side starts
            lines.append("")
            lines.extend(textwrap.wrap(in_quotes(source.quote), width,
                                       initial_indent="  ", subsequent_indent="  "))
            lines.append(f"    {attribution(source)}")
        lines.append("")
        lines.append(f"[{article_line(article)} \u00b7 {confidence_line(match)}]")
    else:
        lines.append(unsure_line(match))
    for number, entry in enumerate(match.suggestions, 1):
        lines.append(f"  {number}. {entry.question}")
    return "\n".join(lines)


ABOUT_CLOSING = "I only answer from this article, and I say who made each claim."


def about_text(knowledge: Knowledge, *, loaded: str, markdown: bool) -> tuple[str, str]:
    """The /about text, (title, body), shared by the console and Discord so they never differ.

    `loaded` is when the knowledge was loaded, in the front end's own words (Discord shows a
    relative timestamp); `markdown` bolds the labels for Discord.
    """
    article = knowledge.article
    copy = []
    if article.republished_by:
        copy.append(f"republished by {article.republished_by}")
    if article.truncated:
        copy.append("cut off by a paywall, so the report may go on beyond what I have")
    credits = ", ".join(sorted({caption.credit or "nobody" for caption in article.captions}))
    file_name = f"`{knowledge.path.name}`" if markdown else knowledge.path.name
    rows = [
        ("Publisher", article.publisher),
        ("Dateline", article.dateline),
        ("This copy", article.note or "; ".join(copy) or "complete"),
        ("Photo captions", f"{len(article.captions)}, credited to {credits or '-'}"),
        None,
        ("Knowledge file", f"{file_name} \u2014 {knowledge.summary()}"),
        ("Loaded", loaded),
        None,
    ]
    label = "**{}:** {}" if markdown else "{}: {}"
    lines = ["" if row is None else label.format(*row) for row in rows]
    return article.title, "\n".join([*lines, ABOUT_CLOSING])

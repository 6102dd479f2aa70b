"""Draft a knowledge file from an article: one entry per sentence, for a curator to edit.

The draft passes `check` as it stands (quotes are the article's own sentences,
claimants are guessed from "X said", "according to X", "X cited Y as saying"),
so the curator's work is writing questions, alternates and answers, never
copying quotes by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .article import ParsedArticle, guess_attribution, parse_article
from .files import read_text
from .loader import MAX_ARTICLE_BYTES
from .text import fold_typography, normalize

_OWN_REPORTING = "own-reporting"


def _slug(text: str, *, words: int = 6) -> str:
    return "-".join(normalize(text).split()[:words]) or "entry"


def _claimant_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", normalize(name)).strip("_")[:40] or "source"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _speaker(who: str) -> str:
    """"The Syrian army said" and "the Syrian army said" are one speaker: "the Syrian army"."""
    return re.sub(r"^the\s+", "the ", fold_typography(who), flags=re.IGNORECASE)


def draft(article: ParsedArticle, text_path: str) -> dict:
    """The draft knowledge file as data, ready for `yaml.safe_dump`."""
    publisher = article.agency or "the publisher"
    claimants: dict[str, dict[str, str]] = {
        _OWN_REPORTING: {"name": publisher, "label": f"{_possessive(publisher)} own reporting"}
    }
    entries: list[dict] = []
    seen_ids: set[str] = set()
    previous: str | None = None
    for sentence, credit in article.sentences():
        who: str | None
        if credit:
            who, label = credit, f"a photo caption credited to {credit}"
        else:
            who = guess_attribution(sentence, previous)
            who = _speaker(who) if who else None
            label = f"{who}, as reported by {publisher}" if who else ""
        previous = None if credit else who
        key = _claimant_key(who) if who else _OWN_REPORTING
        if who:
            claimants.setdefault(key, {"name": fold_typography(who), "label": fold_typography(label)})
        base = _slug(sentence)
        entry_id, n = base, 2
        while entry_id in seen_ids:
            entry_id, n = f"{base}-{n}", n + 1
        seen_ids.add(entry_id)
        speaker = claimants[key]["name"]
        words = fold_typography(sentence).replace('"', "").split()
        topic = " ".join(words[:10])
        question = f"What does {speaker} say about \u201c{topic}\u2026\u201d?"
        if len(question) > 100:
            question = f"What does the article say about \u201c{' '.join(words[:6])}\u2026\u201d?"
        entries.append({
            "id": entry_id,
            "question": question[:100],
            "alternates": [],
            "answer": f"According to {claimants[key]['label']}: {sentence}"[:1000],
            "sources": [{"quote": sentence, "attributed_to": key}],
            "related": [],
        })
    return {
        "version": 1,
        "article": {
            "text": text_path,
            "title": article.title,
            "publisher": publisher,
            "dateline": (article.place or "unknown").title(),
            **({"republished_by": article.republisher} if article.republisher else {}),
            "truncated": article.truncated,
            "captions": [{"text": c.text, "credit": c.credit} for c in article.captions],
        },
        "claimants": claimants,
        "aliases": {},
        "entries": entries,
    }


def build_draft(article_path: Path) -> str:
    """The YAML text of a draft for the article at `article_path`.

    `article.text` is the article's file name: the checker reads an article only from
    the knowledge file's own folder, so the draft passes `check` saved beside the article.
    """
    parsed = parse_article(read_text(article_path, MAX_ARTICLE_BYTES))
    header = (
        f"# Draft knowledge file built from {article_path.name} by `python -m bot build`.\n"
        "# Save it in the article's folder; check every attributed_to, then write questions,\n"
        "# alternates and answers.\n"
    )
    body = yaml.safe_dump(draft(parsed, article_path.name), sort_keys=False, allow_unicode=True, width=100)
    return header + body

"""The knowledge a bot answers from: immutable, so one reference swap replaces it whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType

from .article import Caption


@dataclass(frozen=True, slots=True)
class Claimant:
    """Whoever made a claim: `name` is short (JSON, lists), `label` says it in full."""

    key: str
    name: str
    label: str


@dataclass(frozen=True, slots=True)
class Source:
    quote: str
    claimant: Claimant

    def to_json(self) -> dict[str, str]:
        return {"quote": self.quote, "attributed_to": self.claimant.name}


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    sources: tuple[Source, ...]
    related: tuple[str, ...]
    contested: bool
    line: int


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    title: str
    publisher: str
    dateline: str
    republished_by: str | None
    truncated: bool
    note: str | None
    captions: tuple[Caption, ...]
    path: Path
    text: str


@dataclass(frozen=True, slots=True)
class KnowledgeDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self) -> str:
        if not self:
            return "no entries changed"
        return f"{len(self.added)} added, {len(self.removed)} removed, {len(self.changed)} changed"


@dataclass(frozen=True, slots=True)
class Knowledge:
    path: Path
    article: ArticleInfo
    claimants: Mapping[str, Claimant]
    aliases: Mapping[str, tuple[str, ...]]
    acronyms: Mapping[str, str]
    entries: tuple[Entry, ...]
    loaded_at: datetime
    by_id: Mapping[str, Entry] = field(repr=False)

    def __reduce__(self) -> tuple:
        """Pickle (for the compiled cache) with plain dicts; read-only views come back on load."""
        return _knowledge, (self.path, self.article, dict(self.claimants), dict(self.aliases),
                            dict(self.acronyms), self.entries, self.loaded_at)

    @property
    def source_count(self) -> int:
        return sum(len(entry.sources) for entry in self.entries)

    @property
    def phrasing_count(self) -> int:
        return sum(1 + len(entry.alternates) for entry in self.entries)

    def summary(self) -> str:
        return (
            f"{len(self.entries)} entries, {self.phrasing_count} questions+alternates, "
            f"{self.source_count} sources"
        )

    def diff(self, newer: Knowledge) -> KnowledgeDiff:
        """What `newer` adds, removes and changes, by entry id (line moves don't count)."""
        old, new = self.by_id, newer.by_id
        changed = [
            key for key in old.keys() & new.keys()
            if _content(old[key]) != _content(new[key])
        ]
        return KnowledgeDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(changed)),
        )


def _knowledge(path: Path, article: ArticleInfo, claimants: dict[str, Claimant],
               aliases: dict[str, tuple[str, ...]], acronyms: dict[str, str],
               entries: tuple[Entry, ...], loaded_at: datetime) -> Knowledge:
    return Knowledge(path, article, MappingProxyType(claimants), MappingProxyType(aliases),
                     MappingProxyType(acronyms), entries, loaded_at,
                     MappingProxyType({entry.id: entry for entry in entries}))


def _content(entry: Entry) -> tuple:
    return (entry.question, entry.alternates, entry.answer, entry.sources, entry.related, entry.contested)

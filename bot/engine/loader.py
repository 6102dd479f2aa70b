"""Load a knowledge file and refuse a bad one, naming file, line and entry.

The YAML is read with PyYAML's safe loader only. Anchors and aliases are
refused outright (a knowledge file never needs them, and they are how a small
file becomes a "billion laughs" bomb), as is a file over the size limit.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import yaml

from ..paths import KNOWLEDGE_DIR
from .article import Caption, parse_article
from .files import Unreadable, read_regular, shown
from .gc_pause import gc_paused
from .knowledge import ArticleInfo, Claimant, Entry, Knowledge, Source
from .sides import other_side
from .text import fold_typography, fold_with_positions, shorten

try:  # libyaml's parser is the same safe loader, an order of magnitude faster
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - pure-Python PyYAML
    from yaml import SafeLoader  # type: ignore[assignment]

DEFAULT_PATH = KNOWLEDGE_DIR / "palmyra.yaml"
MAX_BYTES = 4 * 1024 * 1024  # peak memory to check a file just under it: see benchmarks/file_limits.py
MAX_ARTICLE_BYTES = 1024 * 1024  # one news article; a long one is 50 KB
PREVIEW = 80  # characters of a quote shown in a problem
MAX_QUESTION = 100  # an autocomplete choice holds 100 characters
MAX_ANSWER = 1000
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WORDS = re.compile(r"\w+")
_MAY_ALIAS = re.compile(r"[&*][^\s,\]}]")  # could be an anchor or alias; the node walk decides

TOP_KEYS = {"version": False, "article": True, "claimants": True, "aliases": False,
            "acronyms": False, "entries": True}
ARTICLE_KEYS = {"text": True, "title": True, "publisher": True, "dateline": True,
                "republished_by": False, "truncated": False, "note": False, "captions": False}
CLAIMANT_KEYS = {"name": True, "label": True}
CAPTION_KEYS = {"text": True, "credit": True}
ENTRY_KEYS = {"id": True, "question": True, "alternates": False, "answer": True,
              "contested": False, "sources": True, "related": False}
SOURCE_KEYS = {"quote": True, "attributed_to": True}


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    line: int
    entry: str | None
    message: str

    def __str__(self) -> str:
        path = shown(self.path)
        where = f"{path}:{self.line}" if self.line else path  # line 0: the file as a whole
        return f"{where}: entry '{self.entry}': {self.message}" if self.entry else f"{where}: {self.message}"


class KnowledgeError(Exception):
    """A knowledge file that must not be used; `problems` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def load_knowledge(path: Path | str = DEFAULT_PATH, *, max_bytes: int = MAX_BYTES) -> Knowledge:
    """Read, check and build a knowledge file; raise KnowledgeError listing every problem."""
    path = Path(path)
    return knowledge_from_bytes(path, read_knowledge_bytes(path, max_bytes=max_bytes))


def read_knowledge_bytes(path: Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The file's bytes, read once: only a regular file, at most `max_bytes`."""
    try:
        return read_regular(path, max_bytes)
    except Unreadable as exc:
        raise KnowledgeError([Problem(path, 0, None, str(exc))]) from None


def knowledge_from_bytes(path: Path, data: bytes) -> Knowledge:
    """Check and build knowledge from the bytes of the file at `path` (its folder holds the article)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError([Problem(path, 0, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    with gc_paused():
        return _Checker(path).build(text)


class _Checker:
    """Walks the composed YAML nodes, so every problem knows its line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.entry_id: str | None = None
        self.folded_article: str | None = None
        self.article_text = ""
        self.positions: list[int] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 0
        self.problems.append(Problem(self.path, line, self.entry_id, message))

    def fail(self) -> KnowledgeError:
        return KnowledgeError(self.problems)

    # -- parsing -------------------------------------------------------------

    def build(self, text: str) -> Knowledge:
        root = self.compose(text)
        top = self.mapping(root, TOP_KEYS, "the file")
        if top is None:
            raise self.fail()
        if (version := top.get("version")) is not None and self.scalar(version) != "1":
            self.problem(version, "unsupported version (this bot reads version 1)")
        article = self.article(top.get("article"))
        claimants = self.claimants(top.get("claimants"))
        aliases = self.aliases(top.get("aliases"))
        acronyms = self.acronyms(top.get("acronyms"))
        entries = self.entries(top.get("entries"), article, claimants)
        if self.problems or article is None:
            raise self.fail()
        return Knowledge(
            path=self.path,
            article=article,
            claimants=MappingProxyType(claimants),
            aliases=MappingProxyType(aliases),
            acronyms=MappingProxyType(acronyms),
            entries=tuple(entries),
            loaded_at=datetime.now(UTC),
            by_id=MappingProxyType({entry.id: entry for entry in entries}),
        )

    def compose(self, text: str) -> yaml.Node:
        loader = SafeLoader(text)
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            line, message = _yaml_problem(text, exc)
            self.problems.append(Problem(self.path, line, None, f"not valid YAML: {message}"))
            raise self.fail() from None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.path, 0, None, f"not valid YAML: {exc}"))
            raise self.fail() from None
        finally:
            loader.dispose()
        if root is None:
            self.problems.append(Problem(self.path, 1, None, "the file is empty"))
            raise self.fail()
        if _MAY_ALIAS.search(text):  # the walk costs seconds on big files; most have no & or *
            self.refuse_aliases(root)
        return root

    def refuse_aliases(self, root: yaml.Node) -> None:
        """An alias makes one node appear twice in the graph; refuse the first repeat."""
        seen: set[int] = set()
        stack = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                self.problem(node, "YAML anchors and aliases (&, *) are not allowed in a knowledge file")
                raise self.fail()
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)

    # -- typed accessors -----------------------------------------------------

    def mapping(self, node: yaml.Node | None, keys: dict[str, bool], what: str) -> dict[str, yaml.Node] | None:
        """A mapping with known keys; report unknown and missing ones."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping")
            return None
        out: dict[str, yaml.Node] = {}
        for key_node, value in node.value:
            key = self.scalar(key_node)
            if key not in keys:
                self.problem(key_node, f"unknown field '{key}' in {what} (expected: {', '.join(keys)})")
            elif key in out:
                self.problem(key_node, f"field '{key}' given twice in {what}")
            else:
                out[key] = value
        for key, required in keys.items():
            if required and key not in out:
                self.problem(node, f"missing field '{key}' in {what}")
        return out

    def scalar(self, node: yaml.Node) -> str:
        return node.value if isinstance(node, yaml.ScalarNode) else ""

    def string(self, node: yaml.Node | None, what: str, *, limit: int | None = None) -> str | None:
        """A non-empty string (YAML scalars that are numbers count as text)."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.problem(node, f"{what} must be text")
            return None
        value = node.value.strip()
        if not value:
            self.problem(node, f"{what} is empty")
            return None
        if limit is not None and len(value) > limit:
            self.problem(node, f"{what} is {len(value)} characters, over the limit of {limit}")
        return value

    def boolean(self, node: yaml.Node | None, what: str) -> bool:
        if node is None:
            return False
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return node.value.lower() in {"true", "yes", "on"}
        self.problem(node, f"{what} must be true or false")
        return False

    def strings(self, node: yaml.Node | None, what: str, *, limit: int | None = None) -> list[str]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return [s for item in node.value if (s := self.string(item, f"an item of {what}", limit=limit))]

    # -- sections ------------------------------------------------------------

    def article(self, node: yaml.Node | None) -> ArticleInfo | None:
        fields = self.mapping(node, ARTICLE_KEYS, "article")
        if fields is None:
            return None
        text_path = self.string(fields.get("text"), "article.text")
        title = self.string(fields.get("title"), "article.title")
        publisher = self.string(fields.get("publisher"), "article.publisher")
        dateline = self.string(fields.get("dateline"), "article.dateline")
        republished_by = self.string(fields.get("republished_by"), "article.republished_by")
        note = self.string(fields.get("note"), "article.note")
        truncated = self.boolean(fields.get("truncated"), "article.truncated")
        if not (text_path and title and publisher and dateline):
            return None
        source = self.article_path(fields["text"], text_path)
        if source is None:
            return None
        try:
            parsed = parse_article(read_regular(source, MAX_ARTICLE_BYTES).decode("utf-8"))
        except Unreadable as exc:
            self.problem(fields["text"], f"cannot use the article text {text_path!r}: {exc}")
            return None
        except UnicodeDecodeError as exc:
            self.problem(fields["text"], f"the article text {text_path!r} is not UTF-8 "
                                         f"({exc.reason} at byte {exc.start})")
            return None
        except ValueError as exc:
            self.problem(fields["text"], f"the article text {text_path!r}: {exc}")
            return None
        self.article_text = parsed.text
        self.folded_article, self.positions = fold_with_positions(parsed.text)
        captions: list[Caption] = []
        caption_list = fields.get("captions")
        for item in caption_list.value if isinstance(caption_list, yaml.SequenceNode) else []:
            caption = self.mapping(item, CAPTION_KEYS, "a caption")
            if caption and (text := self.string(caption.get("text"), "caption text")):
                self.require_in_article(caption["text"], text, "caption text")
                captions.append(Caption(text, self.string(caption.get("credit"), "caption credit")))
        if caption_list is not None and not isinstance(caption_list, yaml.SequenceNode):
            self.problem(caption_list, "article.captions must be a list")
        self.require_in_article(fields["title"], title, "article.title")
        return ArticleInfo(title, publisher, dateline, republished_by, truncated, note,
                           tuple(captions), source, parsed.text)

    def article_path(self, node: yaml.Node, text_path: str) -> Path | None:
        """`article.text` resolved, only if it stays inside the knowledge file's folder.

        The checker's messages and the bot's replies quote the article, so a path that may
        leave the folder (`../.env`, `/etc/passwd`, a symlink out) would let a knowledge file
        show any file the bot can read.
        """
        folder = self.path.parent
        if Path(text_path).is_absolute():
            self.problem(node, f"article.text {text_path!r} must be a path relative to the knowledge file's folder")
            return None
        try:
            inside = folder.resolve(strict=True)
            source = (folder / text_path).resolve(strict=True)
        except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop, before Python 3.13
            reason = _os_reason(exc)
            self.problem(node, f"cannot use the article text {text_path!r}: {reason}")
            return None
        if not source.is_relative_to(inside):
            self.problem(node, f"article.text {text_path!r} is outside the knowledge file's folder")
            return None
        return source

    def require_in_article(self, node: yaml.Node, text: str, what: str) -> str:
        """The article's own words for `text` (its typography restored); reports text not in it."""
        if self.folded_article is None:
            return text
        folded = fold_typography(text)
        start = _find_whole(self.folded_article, folded)
        if start >= 0 and folded:
            return self.article_text[self.positions[start]:self.positions[start + len(folded) - 1] + 1]
        if folded and (cut := self.folded_article.find(folded)) >= 0:  # there, but cutting a word in two
            # named by the quote's own word: the article's would show text the knowledge file lacks
            first = _joins(self.folded_article, cut)
            word = _WORDS.findall(folded)[0 if first else -1]
            self.problem(node, f"{what} is not in the article text; its {'first' if first else 'last'} word "
                               f"{word!r} is only part of a word of the article: {shorten(text, PREVIEW)!r}")
            return text
        words = folded.split(" ")
        # the longest run of leading words that the article does contain
        good = next(n for n in range(len(words), -1, -1) if " ".join(words[:n]) in self.folded_article)
        where = f"; it departs from the article at word {good + 1}: {words[good]!r}" if good < len(words) else ""
        self.problem(node, f"{what} is not in the article text{where}: {shorten(text, PREVIEW)!r}")
        return text

    def claimants(self, node: yaml.Node | None) -> dict[str, Claimant]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "claimants must be a mapping of key to {name, label}")
            return {}
        out: dict[str, Claimant] = {}
        for key_node, value in node.value:
            key = self.scalar(key_node)
            fields = self.mapping(value, CLAIMANT_KEYS, f"claimant '{key}'")
            if fields is None:
                continue
            name = self.string(fields.get("name"), f"claimant '{key}' name")
            label = self.string(fields.get("label"), f"claimant '{key}' label")
            if key in out:
                self.problem(key_node, f"claimant '{key}' given twice")
            elif name and label:
                out[key] = Claimant(key, name, label)
        return out

    def aliases(self, node: yaml.Node | None) -> dict[str, tuple[str, ...]]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "aliases must be a mapping of phrase to a list of variants")
            return {}
        out: dict[str, tuple[str, ...]] = {}
        owner: dict[str, str] = {}
        for key_node, value in node.value:
            canonical = self.scalar(key_node).strip()
            if not canonical:
                self.problem(key_node, "an alias phrase is empty")
                continue
            variants = self.strings(value, f"aliases of '{canonical}'")
            for variant in variants:
                folded = variant.casefold()
                if folded in owner and owner[folded] != canonical:
                    self.problem(value, f"alias '{variant}' is given for both '{owner[folded]}' and '{canonical}'")
                owner[folded] = canonical
            out[canonical] = tuple(variants)
        phrases = {canonical.casefold() for canonical in out}
        for variant, canonical in owner.items():
            if variant in phrases and variant != canonical.casefold():  # it would never be rewritten
                self.problem(node, f"alias '{variant}' of '{canonical}' is itself an alias phrase")
        return out

    def acronyms(self, node: yaml.Node | None) -> dict[str, str]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "acronyms must be a mapping of short form to phrase")
            return {}
        return {
            self.scalar(key): value
            for key, node_value in node.value
            if (value := self.string(node_value, f"acronym '{self.scalar(key)}'"))
        }

    def entries(self, node: yaml.Node | None, article: ArticleInfo | None,
                claimants: dict[str, Claimant]) -> list[Entry]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, "entries must be a list")
            return []
        if not node.value:  # the bot would answer nothing, and say so to every question
            self.problem(node, "entries is empty: give at least one question and its answer")
            return []
        entries: list[Entry] = []
        related_nodes: list[tuple[Entry, yaml.Node | None]] = []
        contested_nodes: list[tuple[str, yaml.Node | None]] = []
        first_line: dict[str, int] = {}
        asked_by: dict[str, tuple[str, int]] = {}  # a phrasing, normalized -> (entry id, line)
        for item in node.value:
            self.entry_id = _peek_id(item)
            fields = self.mapping(item, ENTRY_KEYS, "an entry")
            if fields is None:
                continue
            entry_id = self.string(fields.get("id"), "id")
            if entry_id is None:
                continue
            self.entry_id = entry_id
            if not ID_PATTERN.match(entry_id):
                self.problem(fields["id"], "id must be a lowercase slug (letters, digits, single hyphens)")
            if entry_id in first_line:
                self.problem(fields["id"], f"duplicate id (first used on line {first_line[entry_id]})")
            else:
                first_line[entry_id] = item.start_mark.line + 1
            self.phrasings_unique(fields, entry_id, asked_by)
            entry = self.entry(item, fields, entry_id, claimants)
            if entry is not None:
                entries.append(entry)
                related_nodes.append((entry, fields.get("related")))
                contested_nodes.append((entry.id, fields.get("contested")))
        self.entry_id = None
        known = set(first_line)
        for entry, related_node in related_nodes:
            self.entry_id = entry.id
            for target in entry.related:
                if target not in known:
                    self.problem(related_node, f"related id '{target}' does not exist")
                elif target == entry.id:
                    self.problem(related_node, "an entry cannot be related to itself")
        self.contested_sides(entries, dict(contested_nodes), article)
        self.entry_id = None
        return entries

    def contested_sides(self, entries: list[Entry], nodes: dict[str, yaml.Node | None],
                        article: ArticleInfo | None) -> None:
        """A contested entry shows two claimants or more: its own, or the other side from related entries."""
        by_id = {entry.id: entry for entry in entries}
        publisher = article.publisher if article else ""
        for entry in entries:
            if not entry.contested:
                continue
            self.entry_id = entry.id
            sides = {s.claimant.key for s in (*entry.sources, *other_side(entry, by_id, publisher))}
            if len(sides) < 2:
                self.problem(nodes.get(entry.id), "a contested entry needs sources from at least two claimants "
                                                  "(its own, or in contested entries it names as related)")

    def phrasings_unique(self, fields: dict[str, yaml.Node], entry_id: str,
                         asked_by: dict[str, tuple[str, int]]) -> None:
        """A question or alternate of two entries: no matcher can tell which one is meant."""
        alternates = fields.get("alternates")
        nodes = [fields.get("question"), *(alternates.value if isinstance(alternates, yaml.SequenceNode) else ())]
        for item in nodes:
            if not isinstance(item, yaml.ScalarNode) or not (key := " ".join(_WORDS.findall(item.value.casefold()))):
                continue
            owner = asked_by.setdefault(key, (entry_id, item.start_mark.line + 1))
            if owner[0] != entry_id:
                self.problem(item, f"'{item.value}' is also asked by entry '{owner[0]}' (line {owner[1]})")

    def entry(self, item: yaml.Node, fields: dict[str, yaml.Node], entry_id: str,
              claimants: dict[str, Claimant]) -> Entry | None:
        question = self.string(fields.get("question"), "question", limit=MAX_QUESTION)
        answer = self.string(fields.get("answer"), "answer", limit=MAX_ANSWER)
        alternates = self.strings(fields.get("alternates"), "alternates")
        related = self.strings(fields.get("related"), "related")
        contested = self.boolean(fields.get("contested"), "contested")
        sources = self.sources(fields.get("sources"), claimants)
        if not (question and answer and sources):
            return None
        return Entry(entry_id, question, tuple(alternates), answer, tuple(sources),
                     tuple(related), contested, item.start_mark.line + 1)

    def sources(self, node: yaml.Node | None, claimants: dict[str, Claimant]) -> list[Source]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(node, "sources must be a non-empty list of {quote, attributed_to}")
            return []
        out: list[Source] = []
        for item in node.value:
            fields = self.mapping(item, SOURCE_KEYS, "a source")
            if fields is None:
                continue
            quote = self.string(fields.get("quote"), "quote")
            who = self.string(fields.get("attributed_to"), "attributed_to")
            if quote:
                quote = self.require_in_article(fields["quote"], quote, "quote")
            if who and who not in claimants:
                self.problem(fields["attributed_to"], f"attributed_to '{who}' is not a key of claimants")
            elif quote and who:
                out.append(Source(quote, claimants[who]))
        return out


def _joins(text: str, at: int) -> bool:
    """Whether position `at` continues the word before it (a cut there splits a word)."""
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _find_whole(text: str, part: str) -> int:
    """Where `part` first occurs in `text` without starting or ending inside a word, or -1.

    "more than 30" is in "more than 300 militants" as a string, but not as words.
    """
    start = text.find(part)
    while start >= 0:
        if not _joins(text, start) and not _joins(text, start + len(part)):
            return start
        start = text.find(part, start + 1)
    return -1


def _os_reason(exc: Exception) -> str:
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "a loop of symbolic links"
    return getattr(exc, "strerror", None) or type(exc).__name__


def _yaml_problem(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """The line where a YAML mistake starts, and PyYAML's own words with both of its places.

    PyYAML reports where parsing failed, which after an unclosed quote is wherever the
    next quote closed it, often dozens of lines on; a quoted text that runs on to the
    failing line names the line it opened on.
    """
    context, problem = exc.context_mark, exc.problem_mark
    parts = [f"{exc.context} (line {context.line + 1})" if exc.context and context else exc.context,
             f"{exc.problem} (line {problem.line + 1}, column {problem.column + 1})" if exc.problem and problem
             else exc.problem]
    message = ": ".join(part for part in parts if part) or str(exc)
    first = context or problem
    line = first.line + 1 if first else 0
    if context and problem and problem.line > context.line:
        runaway = _runaway_quote(text, context.line, problem.line)
        if runaway is not None:
            line = runaway
            message += f"; the quoted text opened on line {runaway} runs on to line {problem.line + 1}: " \
                       "is its closing quote missing?"
    return line, message


def _runaway_quote(text: str, first: int, last: int) -> int | None:
    """The line (1-based) of a quoted scalar that runs over lines to end on line `last` (0-based).

    Scans only the lines from the failing context's start to the failure, with the
    pure-Python scanner, which keeps each token's marks.
    """
    window = "\n".join(text.split("\n", last + 1)[first:last + 1])
    found = None
    try:
        for token in yaml.scan(window, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.ScalarToken) and token.style in {'"', "'"} \
                    and token.end_mark.line == last - first and token.start_mark.line < token.end_mark.line:
                found = first + token.start_mark.line + 1
    except yaml.YAMLError:
        pass  # the window ends inside the mistake; the tokens before it are what counts
    return found


def _peek_id(node: yaml.Node) -> str | None:
    """The entry's id, so problems found before it is checked can still name the entry."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id" and isinstance(value, yaml.ScalarNode):
                return value.value or None
    return None



"""`learn`: apply a curator's patch to the knowledge file, keeping its comments, order and layout.

The file is edited as text, not re-dumped: new alternates become new lines at the
end of the entry's `alternates:` list, indented like the lines above them, and new
entries are pasted after the last one. Where to edit comes from PyYAML's node
positions, so nothing else in the file moves. The result is checked with the
loader (in a temp file beside the original, so the article path resolves the
same) and replaces the file atomically only when it passes; otherwise nothing
changes and the problems are named.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..engine.analyzer import Analyzer
from ..engine.files import Unreadable, read_text, shown
from ..engine.knowledge import Knowledge
from ..engine.loader import MAX_BYTES, MAX_QUESTION, KnowledgeError, load_knowledge
from ..engine.text import normalize

PATCH_KEYS = ("alternates", "entries")
_TOP_LEVEL_KEY = re.compile(r"^[^\s#][^:]*:")


class PatchError(ValueError):
    """A patch that can't be applied; `problems` names each reason, and the file is unchanged."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Applied:
    """What a patch changed: alternates added per entry, ones already there, new entries."""

    added: dict[str, list[str]] = field(default_factory=dict)
    already: list[tuple[str, str]] = field(default_factory=list)
    new_entries: int = 0
    # new phrasings asking a kind of question ("who", "how far") none of the entry's others ask: its answer
    # may not give that (a "did you mean" pick is what people chose, not always what the entry answers)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        count = sum(map(len, self.added.values()))
        entries = len(self.added)
        parts = [f"{count} new alternates for {entries} {'entry' if entries == 1 else 'entries'}"]
        if self.new_entries:
            parts.append(f"{self.new_entries} new entries")
        if self.already:
            parts.append(f"{len(self.already)} already there")
        return ", ".join(parts)


def read_patch(text: str) -> tuple[dict[str, list[str]], list[str]]:
    """The patch's alternates by entry id, and its `entries:` block as raw lines (or [])."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise PatchError([f"{where}the patch is not valid YAML: {exc.problem or exc.context}"]) from None
    except yaml.YAMLError as exc:
        raise PatchError([f"the patch is not valid YAML: {exc}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PatchError(["the patch must be a mapping with `alternates:` (and optionally `entries:`)"])
    problems = [f"unknown key {key!r} in the patch (expected {' or '.join(PATCH_KEYS)})"
                for key in data if key not in PATCH_KEYS]
    alternates: dict[str, list[str]] = {}
    given = data.get("alternates") or {}
    if not isinstance(given, dict):
        problems.append("`alternates` must map entry ids to lists of phrasings")
        given = {}
    for entry_id, phrasings in given.items():
        if phrasings is None:
            continue  # every proposal under an id deleted: nothing to add
        if not isinstance(phrasings, list) or not all(isinstance(p, str) and p.strip() for p in phrasings):
            problems.append(f"alternates of {entry_id!r} must be a list of non-empty strings")
            continue
        too_long = [p for p in phrasings if len(p) > MAX_QUESTION]
        problems += [f"alternate {p[:40]!r}… of {entry_id!r} is over {MAX_QUESTION} characters" for p in too_long]
        alternates[str(entry_id)] = [" ".join(p.split()) for p in phrasings]
    entries = data.get("entries")
    if entries is not None and not isinstance(entries, list):
        problems.append("`entries` must be a list of entries")
    if problems:
        raise PatchError(problems)
    return alternates, _block(text, "entries") if entries else []


def _block(text: str, key: str) -> list[str]:
    """The raw lines under a top-level key, up to the next top-level key."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next((i for i in range(start + 1, len(lines)) if _TOP_LEVEL_KEY.match(lines[i])), len(lines))
    block = [line for line in lines[start + 1:end] if line.strip() and not line.lstrip().startswith("#")]
    indent = min(len(line) - len(line.lstrip()) for line in block)
    return [line[indent:] if not line[:indent].strip() else line.lstrip()
            for line in lines[start + 1:end] if line.strip()]


def _scalar(text: str) -> str:
    """A list item's text in the file's own style: plain when YAML reads it back unchanged, else quoted."""
    try:
        if yaml.safe_load(f"- {text}") == [text]:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def _after(node: yaml.Node) -> int:
    """The index of the line after a node ends."""
    end = node.end_mark
    return end.line if end.column == 0 else end.line + 1


def _key_value(mapping: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)


def patch_text(text: str, alternates: dict[str, list[str]], entries: list[str]) -> tuple[str, Applied]:
    """The knowledge text with the patch applied as line edits; PatchError for unknown ids."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise PatchError([f"the knowledge file is not valid YAML: {exc}"]) from None
    found = _key_value(root, "entries") if isinstance(root, yaml.MappingNode) else None
    if found is None or not isinstance(found[1], yaml.SequenceNode) or not found[1].value:
        raise PatchError(["the knowledge file has no `entries:` list"])
    items = found[1].value
    by_id = {}
    for item in items:
        if isinstance(item, yaml.MappingNode) and (pair := _key_value(item, "id")):
            by_id[pair[1].value] = item
    unknown = [entry_id for entry_id in alternates if entry_id not in by_id]
    if unknown:
        raise PatchError([f"unknown entry id {entry_id!r}: no entry of the knowledge file has it"
                          for entry_id in unknown])
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    edits: list[tuple[int, int, list[str]]] = []  # (start, end, replacement lines), applied bottom-up
    applied = Applied()
    for entry_id, phrasings in alternates.items():
        item = by_id[entry_id]
        pair = _key_value(item, "alternates")
        have = {normalize(value.value) for value in (pair[1].value if pair and isinstance(pair[1], yaml.SequenceNode)
                                                     else ())}
        question = _key_value(item, "question")
        if question:
            have.add(normalize(question[1].value))
        new = []
        for phrasing in phrasings:
            if normalize(phrasing) in have:
                applied.already.append((entry_id, phrasing))
            else:
                have.add(normalize(phrasing))
                new.append(phrasing)
        if not new:
            continue
        applied.added[entry_id] = new
        edits.append(_alternates_edit(lines, item, pair, new))
    if entries:
        last = items[-1]
        indent = " " * last.start_mark.column
        dash = lines[last.start_mark.line][:last.start_mark.column]
        prefix = dash[:-2] if dash.endswith("- ") else indent[:-2] if len(indent) >= 2 else ""
        at = _after(last)
        edits.append((at, at, [""] + [prefix + line for line in entries]))
        applied.new_entries = sum(1 for line in entries if line.startswith("- "))
    for start, end, replacement in sorted(edits, key=lambda edit: edit[0], reverse=True):
        lines[start:end] = replacement
    return newline.join(lines) + (newline if text.endswith(("\n", "\r")) else ""), applied


def _alternates_edit(lines: list[str], item: yaml.MappingNode, pair: tuple[yaml.Node, yaml.Node] | None,
                     new: list[str]) -> tuple[int, int, list[str]]:
    if pair is None:  # no alternates yet: a block after the question, at the entry's key indent
        question_key, question = _key_value(item, "question") or next(iter(item.value))
        indent = " " * question_key.start_mark.column
        at = _after(question)
        return at, at, [f"{indent}alternates:"] + [f"{indent}  - {_scalar(text)}" for text in new]
    key, value = pair
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        last = value.value[-1]
        line = lines[last.start_mark.line]
        prefix = line[:last.start_mark.column]
        if not prefix.rstrip().endswith("-"):
            prefix = " " * max(last.start_mark.column - 2, 0) + "- "
        at = _after(last)
        return at, at, [f"{prefix}{_scalar(text)}" for text in new]
    # flow style ([a, b] or []), or an empty value: rewrite it as a block list
    indent = " " * key.start_mark.column
    old = [v.value for v in value.value] if isinstance(value, yaml.SequenceNode) else []
    start, end = key.start_mark.line, _after(value)
    return start, end, [f"{indent}alternates:"] + [f"{indent}  - {_scalar(text)}" for text in (*old, *new)]


def learn(patch: str, knowledge_path: Path) -> Applied:
    """Apply a patch to the knowledge file if the result passes the checker; PatchError otherwise."""
    alternates, entries = read_patch(patch)
    try:
        original = read_text(knowledge_path, MAX_BYTES)
    except Unreadable as exc:
        raise PatchError([f"can't read the knowledge file {shown(knowledge_path)}: {exc}"]) from None
    patched, applied = patch_text(original, alternates, entries)
    if patched == original:
        return applied
    temp: Path | None = None  # set once the temporary file exists, so it is removed whatever happens next
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=knowledge_path.parent, prefix=".learn-",
                                         suffix=knowledge_path.suffix, delete=False, newline="") as handle:
            temp = Path(handle.name)
            handle.write(patched)
        try:
            knowledge = load_knowledge(temp)
        except KnowledgeError as exc:
            raise PatchError([str(problem).replace(temp.name, f"{knowledge_path.name} (patched)")
                              for problem in exc.problems]) from None
        os.chmod(temp, knowledge_path.stat().st_mode & 0o7777)
        os.replace(temp, knowledge_path)
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
    applied.warnings = _new_kinds(knowledge, applied.added)
    return applied


def _new_kinds(knowledge: Knowledge, added: dict[str, list[str]]) -> list[str]:
    """A line for each new phrasing that asks a kind of question no other phrasing of its entry asks."""
    analyzer = Analyzer(knowledge.acronyms, knowledge.aliases)

    def kinds(text: str) -> frozenset[str]:
        return analyzer.analyse(analyzer.words(text)).kinds

    found = []
    for entry_id, phrasings in added.items():
        entry = knowledge.by_id[entry_id]
        new = {normalize(text) for text in phrasings}
        asked = frozenset().union(*(kinds(text) for text in (entry.question, *entry.alternates)
                                    if normalize(text) not in new))
        for text in phrasings:
            if not (other := kinds(text) - asked):
                continue
            named = ", ".join(sorted(other))
            if asked:
                found.append(f"{entry_id}: {text!r} asks {named}, which no other phrasing of it asks: check that "
                             f"its answer gives that")
            else:  # its first kind: the entry answers only questions of the kinds its phrasings ask
                found.append(f"{entry_id}: {text!r} asks {named}, the first kind of question any phrasing of it "
                             f"asks: from now on it answers only {named} questions")
    return found

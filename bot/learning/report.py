"""The curator's report: what went unanswered, what people picked, which answers they doubted.

Questions that ask the same thing are grouped by what the engine itself reads in
them (the matcher's spelling correction and analyzer terms: stems, aliases, no
stop words), compared with rapidfuzz, so "who holds palmyra rn" and "whos
holding palmyra now" land together. Feedback never changes an answer: the
report proposes, a curator decides, and `learn` applies what they kept.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rapidfuzz import fuzz, process

from ..engine.formatting import ANSWERED, DID_YOU_MEAN, DOESNT_SAY
from ..engine.loader import MAX_QUESTION
from ..engine.matcher import Matcher
from ..engine.text import normalize
from .question_log import LogUnavailable, check_schema, connect

GROUP_AT = 80  # token-sort similarity of two questions' terms that makes them one group
_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SINCE = 100 * 365 * 86400  # a century: older is "everything", and far older has no date to show


def parse_since(text: str) -> float:
    """Seconds in "7d", "12h", "30m", "2w"; ValueError naming the form otherwise."""
    found = _DURATION.match(text.lower())
    if not found or int(found[1]) <= 0:
        raise ValueError(f"--since takes a duration like 7d, 12h, 30m or 2w, got {text!r}")
    seconds = int(found[1]) * _UNITS[found[2]]
    if seconds > MAX_SINCE:
        raise ValueError(f"--since goes back at most {MAX_SINCE // _UNITS['d']:,} days, got {text!r}")
    return seconds


@dataclass(frozen=True, slots=True)
class Asked:
    id: int
    asked_at: float
    user_hash: str
    question: str
    outcome: str


@dataclass
class Group:
    """Unanswered questions that ask the same thing, and the entries their askers picked."""

    key: str
    questions: list[Asked] = field(default_factory=list)
    pickers: dict[str, set[str]] = field(default_factory=dict)  # entry id -> who picked it

    @property
    def people(self) -> int:
        return len({q.user_hash for q in self.questions})

    @property
    def phrasings(self) -> list[str]:
        """Distinct wordings, the most asked first."""
        counts = Counter(" ".join(q.question.split()) for q in self.questions)
        return [text for text, _ in counts.most_common()]

    @property
    def picked(self) -> tuple[str, int] | None:
        """The entry most people picked for this group, and how many did."""
        if not self.pickers:
            return None
        entry_id, users = max(self.pickers.items(), key=lambda item: (len(item[1]), item[0]))
        return entry_id, len(users)


@dataclass(frozen=True, slots=True)
class Disputed:
    """An answer some people voted Not right, with the questions it answered then."""

    entry_id: str
    not_right: int
    helpful: int
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    since: float | None
    guild: str | None
    outcomes: Counter
    groups: list[Group]
    disputed: list[Disputed]


def open_log(path: Path) -> sqlite3.Connection:
    """A read-only connection to the question log; LogUnavailable says why it can't be read."""
    if not path.exists():
        raise LogUnavailable(f"no question log at {path} yet (the Discord bot writes one as people ask, "
                             "unless DATA_PATH=off; so do `chat --log` and `ask --log`)")
    try:
        conn = connect(path, readonly=True)
        check_schema(conn)
        empty = conn.execute("PRAGMA user_version").fetchone()[0] == 0
    except sqlite3.Error as exc:
        raise LogUnavailable(f"can't read the question log {path}: {exc}") from None
    if empty:
        conn.close()
        raise LogUnavailable(f"the question log {path} is empty: nothing has been logged in it yet")
    return conn


def build_report(conn: sqlite3.Connection, matcher: Matcher, *, since: float | None = None,
                 guild: str | None = None) -> Report:
    """Read the log and group it; `since` is a Unix time, `guild` a guild id or "DM"."""
    where, args = _filter("q.asked_at", since, guild)
    outcomes = Counter(dict(conn.execute(f"SELECT outcome, count(*) FROM questions q {where} GROUP BY outcome", args)))
    unanswered = [Asked(*row) for row in conn.execute(
        f"SELECT id, asked_at, user_hash, question, outcome FROM questions q {where} "
        f"{'AND' if where else 'WHERE'} outcome != ? AND source != 'suggestion' ORDER BY asked_at", (*args, ANSWERED))]
    groups = group_questions(unanswered, matcher)
    by_question = {q.id: group for group in groups for q in group.questions}
    for question_id, user_hash, entry_id in conn.execute("SELECT question_id, user_hash, entry_id FROM picks"):
        if (group := by_question.get(question_id)) is not None:
            group.pickers.setdefault(entry_id, set()).add(user_hash)
    groups.sort(key=lambda g: (-len(g.questions), -sum(map(len, g.pickers.values())), g.questions[0].asked_at))
    return Report(since, guild, outcomes, groups, _disputed(conn, since, guild))


def _filter(column: str, since: float | None, guild: str | None) -> tuple[str, tuple]:
    clauses: list[str] = []
    args: list[float | str] = []
    if since is not None:
        clauses.append(f"{column} >= ?")
        args.append(since)
    if guild is not None:
        clauses.append("q.guild = ?")
        args.append(guild)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(args)


def _disputed(conn: sqlite3.Connection, since: float | None, guild: str | None) -> list[Disputed]:
    where, args = _filter("v.voted_at", since, guild)
    found: dict[str, dict] = {}
    for entry_id, vote, question in conn.execute(
            f"SELECT v.entry_id, v.vote, q.question FROM votes v LEFT JOIN questions q ON q.id = v.question_id "
            f"{where}", args):
        if entry_id is None:
            continue
        tally = found.setdefault(entry_id, {"not-right": 0, "helpful": 0, "questions": Counter()})
        tally[vote] += 1
        if vote == "not-right" and question:
            tally["questions"][" ".join(question.split())] += 1
    disputed = [Disputed(entry_id, t["not-right"], t["helpful"], tuple(q for q, _ in t["questions"].most_common()))
                for entry_id, t in found.items() if t["not-right"]]
    return sorted(disputed, key=lambda d: (-d.not_right, d.entry_id))


def terms_key(matcher: Matcher, text: str) -> str:
    """What the engine reads in a question, as one sortable string of terms."""
    typed = [matcher.speller.correct(word) for word in matcher.analyzer.words(text)]
    terms = matcher.analyzer.analyse(typed).terms
    return " ".join(sorted(set(terms))) or normalize(text)


def group_questions(questions: list[Asked], matcher: Matcher) -> list[Group]:
    """Greedy grouping: each question joins the closest group by its terms, or starts one.

    A wording seen before, or terms a group already has, skip the analysis and the comparison.
    """
    groups: list[Group] = []
    keys: list[str] = []
    group_of_key: dict[str, int] = {}
    key_of_text: dict[str, str] = {}
    for question in questions:
        text = " ".join(question.question.lower().split())
        key = key_of_text.get(text)
        if key is None:
            key = key_of_text[text] = terms_key(matcher, question.question)
        index = group_of_key.get(key)
        if index is None:
            best = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=GROUP_AT) if keys else None
            if best is None:
                groups.append(Group(key))
                keys.append(key)
                index = len(groups) - 1
            else:
                index = best[2]
            group_of_key[key] = index
        groups[index].questions.append(question)
    return groups


# -- rendering --------------------------------------------------------------------------------------


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _scope(report: Report) -> str:
    since = f"since {_when(report.since)}" if report.since is not None else "all kept"
    where = {None: "all servers and DMs", "DM": "DMs"}.get(report.guild, f"server {report.guild}")
    return f"{since}, {where}"


def render_text(report: Report, matcher: Matcher) -> str:
    """The report for a terminal."""
    by_id = matcher.knowledge.by_id
    total = sum(report.outcomes.values())
    lines = [f"{total} questions ({_scope(report)}): {report.outcomes[ANSWERED]} answered, "
             f"{report.outcomes[DID_YOU_MEAN]} did-you-mean, {report.outcomes[DOESNT_SAY]} doesn't-say.", ""]
    lines.append(f"Unanswered questions, grouped ({len(report.groups)} groups):")
    for group in report.groups:
        phrasings = group.phrasings
        lines.append(f"  {len(group.questions)}x by {_people(group.people)}: "
                     f"{json.dumps(phrasings[0], ensure_ascii=False)}")
        for other in phrasings[1:4]:
            lines.append(f"      also {json.dumps(other, ensure_ascii=False)}")
        if len(phrasings) > 4:
            lines.append(f"      and {len(phrasings) - 4} more wordings")
        if group.picked:
            entry_id, people = group.picked
            question = by_id[entry_id].question if entry_id in by_id else "(no longer in the file)"
            lines.append(f"      picked: {entry_id} \u2014 {question} ({_people(people)})")
    if not report.groups:
        lines.append("  none")
    lines += ["", f"Answers voted Not right ({len(report.disputed)}):"]
    for item in report.disputed:
        lines.append(f"  {item.entry_id}: {item.not_right} not right, {item.helpful} helpful")
        lines += [f"      after {json.dumps(q, ensure_ascii=False)}" for q in item.questions[:5]]
    if not report.disputed:
        lines.append("  none")
    return "\n".join(lines)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def render_patch(report: Report, matcher: Matcher) -> str:
    """A patch for `learn`: alternates people's picks propose, and commented-out drafts of new entries."""
    knowledge = matcher.knowledge
    known = {normalize(text): entry.id for entry in knowledge.entries for text in (entry.question, *entry.alternates)}
    proposals: dict[str, list[str]] = {}
    drafts: list[Group] = []
    for group in report.groups:
        if group.picked is None or group.picked[0] not in knowledge.by_id:
            drafts.append(group)
            continue
        entry_id, people = group.picked
        lines = proposals.setdefault(entry_id, [])
        others = sorted(e for e in group.pickers if e != entry_id)
        note = f"; others picked {', '.join(others)}" if others else ""
        lines.append(f"    # {_people(people)} picked this entry after asking this "
                     f"({len(group.questions)}x by {_people(group.people)}){note}")
        for text in group.phrasings[:3]:
            owner = known.get(normalize(text))
            if owner is not None:
                lines.append(f"    # already a phrasing of {owner}: {_quoted(text)}")
            elif len(text) > MAX_QUESTION:
                lines.append(f"    # too long for a phrasing ({len(text)} characters): {_quoted(text[:MAX_QUESTION])}…")
            else:
                lines.append(f"    - {_quoted(text)}")
                known[normalize(text)] = entry_id
    out = [
        f"# Knowledge patch from `python -m bot report --yaml`, {_when(time.time())}: questions {_scope(report)}.",
        "# Delete what you reject, then apply it: python -m bot learn THIS_FILE (it runs the checker first).",
        "",
    ]
    if proposals:
        out.append("alternates:")
        for entry_id, lines in proposals.items():
            out.append(f"  {entry_id}:  # {knowledge.by_id[entry_id].question}")
            out += lines
    else:
        out.append("alternates: {}  # no \"did you mean\" picks to learn from")
    if drafts:
        out += ["", "# Unanswered questions nobody picked an entry for: drafts of new entries. To add one,",
                "# uncomment it, write the answer and verbatim quotes of the article, and keep it under `entries:`.",
                "# entries:"]
        for number, group in enumerate(drafts, 1):
            phrasings = group.phrasings
            out += [f"#   - id: new-question-{number}  # asked {len(group.questions)}x by {_people(group.people)}",
                    f"#     question: {_quoted(phrasings[0][:MAX_QUESTION])}"]
            if len(phrasings) > 1:
                out.append("#     alternates:")
                out += [f"#       - {_quoted(text[:MAX_QUESTION])}" for text in phrasings[1:6]]
            out += ["#     answer: \"\"", "#     sources:", "#       - quote: \"\"", "#         attributed_to: \"\""]
    return "\n".join(out) + "\n"

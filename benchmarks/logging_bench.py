"""The cost of question logging, printed as figures (no assertions).

    python benchmarks/logging_bench.py                 # 10,000-question burst
    python benchmarks/logging_bench.py --burst 2000

1. Event-loop overhead per question: what the bot does on the loop for logging,
   timed call by call at 1,000 questions a second while the writer thread
   commits in the background: `QuestionLog.asked` (queue one tuple) and, for an
   answer, building the Helpful/Not right buttons' view; the same view built with
   no writer at all is the machine's baseline. Target: at most 0.1 ms.
2. A burst through simcord (discord.py's real machinery on an in-memory Discord):
   N /ask questions from 100 members with logging on, then the bot's clean
   close(); every question must be in the database exactly once. The same burst
   with logging off gives the end-to-end difference. The burst's questions are
   answered or "doesn't say" ones with no suggestion buttons (see `main`).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.discord_bot import create_bot  # noqa: E402
from bot.discord_bot.feedback import FeedbackView  # noqa: E402
from bot.engine.loader import DEFAULT_PATH, load_knowledge  # noqa: E402
from bot.engine.matcher import Matcher  # noqa: E402
from bot.learning.question_log import QuestionLog, Where  # noqa: E402
from bot.settings import Settings  # noqa: E402

TARGET_MS = 0.1
PACE = 0.001  # 1,000 questions a second: far more than Discord lets one bot send answers
MEMBERS = 100


def questions(matcher: Matcher) -> list[str]:
    """Phrasings from the file, and the same with a letter dropped: answers, near misses, and misses."""
    out = []
    for entry in matcher.knowledge.entries:
        for text in (entry.question, *entry.alternates[:3]):
            out += [text, text[:len(text) // 2] + text[len(text) // 2 + 1:]]
    return [*out, "what is the capital of france", "who won the world cup", "how tall is everest"]


def has_suggestions(match) -> bool:
    return not match.answered and bool(match.suggestions)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def timed_calls(matches: list, knowledge, calls: int, qlog: QuestionLog | None) -> tuple[list, list]:
    """Time what logging adds on the loop for each question, paced at PACE (as questions arrive)."""
    where = Where.of(1, 2)
    asked: list[float] = []
    view: list[float] = []
    clock = time.perf_counter_ns
    for n in range(calls):
        match = matches[n % len(matches)]
        start = clock()
        question_id = qlog.asked(match, knowledge, where=where, user_id=n, source="slash") if qlog else n + 1
        middle = clock()
        FeedbackView(question_id)
        end = clock()
        asked.append((middle - start) / 1e6)
        view.append((end - middle) / 1e6)
        await asyncio.sleep(PACE)
    return asked, view


async def loop_overhead(matcher: Matcher, folder: Path, calls: int) -> None:
    matches = [matcher.match(q) for q in questions(matcher)[:200]]
    knowledge = matcher.knowledge
    _, baseline = await timed_calls(matches, knowledge, calls, None)
    qlog = QuestionLog(folder / "overhead.sqlite3")
    qlog.start()
    qlog.flush(30)
    asked, view = await timed_calls(matches, knowledge, calls, qlog)
    qlog.close()
    both = [a + b for a, b in zip(asked, view, strict=False)]
    print(f"event-loop overhead per question, {calls:,} questions at {1 / PACE:,.0f} a second, "
          "the writer committing meanwhile:")
    for label, values in (("queue the question (QuestionLog.asked)", asked),
                          ("build the Helpful/Not right view", view), ("both (an answered question)", both),
                          ("the view with no writer thread (baseline)", baseline)):
        print(f"  {label:<42} median {statistics.median(values):.4f} ms, p99 {_percentile(values, 0.99):.4f} ms, "
              f"mean {statistics.fmean(values):.4f} ms")
    for label, value in (("median", statistics.median(both)), ("p99", _percentile(both, 0.99))):
        print(f"  {label} {value:.4f} ms: {'meets' if value <= TARGET_MS else 'MISSES'} the {TARGET_MS} ms target")
    print(f"  {qlog.written:,} rows written; the machine's load average was {os.getloadavg()[0]:.1f}")


async def burst(settings: Settings, texts: list[str], count: int, logging_on: bool) -> tuple[float, tuple | None]:
    from simcord import Env

    bot = create_bot(settings if logging_on else dataclasses.replace(settings, data_path=None), sync_commands=True)
    env = Env(bot)
    await env.start()
    guild = env.create_guild()
    channel = guild.create_text_channel("general")
    members = [guild.add_member(env.create_user(f"user{n}")) for n in range(MEMBERS)]
    start = time.perf_counter()
    for n in range(count):
        await members[n % MEMBERS].slash(channel, "ask", question=texts[n % len(texts)])
    elapsed = time.perf_counter() - start
    question_log = bot.question_log
    await env.shutdown()
    await bot.close()  # the bot's clean shutdown: the writer flushes everything accepted
    if question_log is None:
        return elapsed, None
    with sqlite3.connect(settings.data_path) as conn:
        counted = conn.execute("SELECT count(*), count(DISTINCT id), sum(source = 'slash') FROM questions").fetchone()
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return elapsed, (*counted, check)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=10_000, help="questions through simcord (0: skip)")
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    matcher = Matcher(load_knowledge(DEFAULT_PATH))
    folder = Path(tempfile.mkdtemp(prefix="logging-bench-"))
    try:
        await loop_overhead(matcher, folder, args.calls)
        if not args.burst:
            return
        settings = Settings(knowledge_path=DEFAULT_PATH, cache_dir=None, cooldown_rate=10**9,
                            data_path=folder / "burst.sqlite3")
        # no "did you mean" questions in the burst: simcord's settlement scans every live view's
        # timer on each step, so thousands of 10-minute suggestion views would make it quadratic
        texts = [text for text in questions(matcher) if not has_suggestions(matcher.match(text))]
        off, _ = await burst(settings, texts, args.burst, logging_on=False)
        on, (rows, distinct, via_slash, check) = await burst(settings, texts, args.burst, logging_on=True)
        print(f"burst of {args.burst:,} /ask questions through simcord ({MEMBERS} members):")
        print(f"  logging off: {off:.1f} s ({off / args.burst * 1000:.2f} ms a question)")
        print(f"  logging on:  {on:.1f} s ({on / args.burst * 1000:.2f} ms a question)")
        verdict = "every question logged once" if rows == distinct == via_slash == args.burst else "MISMATCH"
        print(f"  rows {rows:,}, distinct ids {distinct:,}, via /ask {via_slash:,}: {verdict}; integrity_check {check}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())

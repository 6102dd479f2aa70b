"""Load: many users asking at once through simcord's in-memory Discord, with a /reload midway.

    python benchmarks/load.py                                  # 10,000 questions, 500 users
    python benchmarks/load.py --questions 500 --users 50 --reload-size 1000

Questions arrive as mentions in server channels, /ask, DMs and clicks on "did you mean"
buttons of the user's earlier answers, in bursts of --batch: each event is delivered
without simcord's settle (which re-checks every live view against every pending task, so
settling per question grows with the square of the answers that carry buttons), and the
next burst starts when every question of this one has its reply. Halfway, an
administrator's /reload swaps in a generated knowledge file of --reload-size entries while
the bursts go on; the last tenth of the questions waits for it.

Checked: every question gets exactly one reply, and each reply is what the whole old or
the whole new knowledge gives (never something else: no half-loaded file), with one
switch from old to new. Printed: reply latency (from the event reaching the bot to its
reply reaching the simulator) and service time (from the bot starting on the question),
p50 and p99; the event loop's longest stall, measured by a ticker task that records the
largest gap between its wake-ups (with the garbage collection and the simulator's work
inside it), and the longest single step the loop ran, whole and less the simulator's work
and garbage collection in it, on the wall and CPU clocks, overall and during the reload;
and where the time went, separating the simulator's own work from the bot's. The target:
the bot's own longest step at most 50 ms on the wall clock. A follow-up read through the
asker's context may answer with another entry of a file, or offer a file's questions
("did you mean"): it counts as that file's. --profile adds a CPU profile split by package. The per-user question
budget is raised so that no question meets the rate limit.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import cProfile
import gc
import itertools
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import discord

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.discord_bot import create_bot  # noqa: E402  (before simcord, which makes a Client on import)

# isort: split
import simcord  # noqa: E402
import simcord.http.router as simcord_router  # noqa: E402
from bench import percentile, reload_pair  # noqa: E402
from simcord.results import to_discord_message  # noqa: E402

from bot.discord_bot.context import ContextStore  # noqa: E402
from bot.discord_bot.replies import DISCORD_GREETING  # noqa: E402
from bot.discord_bot.views import answer_message  # noqa: E402
from bot.engine.compiled import load_matcher  # noqa: E402
from bot.engine.conversation import is_chatter  # noqa: E402
from bot.engine.evaluation import BLIND_DIR, DEFAULT_SET, load_cases  # noqa: E402
from bot.engine.formatting import IS_IT_TRUE, NOT_SAID, NOT_SURE, WHO_SAID_IT  # noqa: E402
from bot.engine.matcher import Matcher  # noqa: E402
from bot.settings import Settings  # noqa: E402

KINDS = {"mention": 0.40, "ask": 0.30, "dm": 0.20, "click": 0.10}
STALL_TARGET_MS = 50.0
TICK_S = 0.001


@dataclass
class Question:
    number: int
    kind: str
    text: str
    asker: int
    sent_at: float = 0.0
    key: tuple[str, int] | None = None  # ("message", id) or ("interaction", id): how its reply is found


@dataclass
class Reply:
    at: float
    signature: tuple[str, str]
    matched_at: float | None  # when the bot started matching it (None: a button's answer)


@dataclass
class Figures:
    engine_s: float = 0.0  # in Matcher.match
    simulator_http_s: float = 0.0  # simcord answering the bot's REST calls
    simulator_inject_s: float = 0.0  # simcord building and delivering user events (minus discord.py's parsing)
    gateway_parse_s: float = 0.0  # discord.py parsing those events, as it would off a websocket
    settle_s: float = 0.0  # in env.settle() once a burst is answered: simcord's checks only
    settles: int = 0
    settling_since: float | None = None  # a settle in progress: all of it is the simulator's
    longest_gc: tuple[float, int] = (0.0, 0)  # seconds, generation
    gc_s: float = 0.0
    gc_cpu_s: float = 0.0  # the same on this thread's CPU clock (time.thread_time)
    simulator_cpu_s: float = 0.0  # use simulator_cpu, which counts a settle in progress
    settling_cpu_since: float = 0.0
    gateway_parse_cpu_s: float = 0.0
    gateway_parse_own_s: float = 0.0  # the same less garbage collections that ran inside it
    gateway_parse_own_cpu_s: float = 0.0
    # (when, took, took less the simulator's work and GC in it, the same in this thread's CPU time)
    steps: list[tuple[float, float, float, float]] = field(default_factory=list)
    tracked: int = 0  # objects the garbage collector scans at the end, and those frozen out of it
    frozen: int = 0
    # (when, gap, the simulator's part, garbage collection's part)
    stalls: list[tuple[float, float, float, float]] = field(default_factory=list)
    followups: list[tuple[float, str]] = field(default_factory=list)  # (when, text) of deferred replies
    driver: asyncio.Task | None = None  # the simulated users: none of its steps is the bot's own work
    asking: tuple[float, float] = (float("-inf"), float("inf"))  # from the first question to the last reply

    @property
    def simulator_s(self) -> float:
        settling = time.perf_counter() - self.settling_since if self.settling_since is not None else 0.0
        return self.simulator_http_s + self.simulator_inject_s + self.settle_s + settling

    @property
    def simulator_cpu(self) -> float:
        settling = time.thread_time() - self.settling_cpu_since if self.settling_since is not None else 0.0
        return self.simulator_cpu_s + settling

    def mark(self) -> tuple[float, ...]:
        """Where the clocks and counters stand as a stretch of simulator work starts."""
        return (time.perf_counter(), time.thread_time(), self.gc_s, self.gc_cpu_s, self.gateway_parse_own_s,
                self.gateway_parse_own_cpu_s)

    def simulated(self, mark: tuple[float, ...]) -> float:
        """Count a stretch of simulator work started at `mark`; its wall time less discord.py's
        parsing and the garbage collections inside it (each counted once, as its own)."""
        wall, cpu, collected, collected_cpu, parsed, parsed_cpu = mark
        self.simulator_cpu_s += (time.thread_time() - cpu - (self.gc_cpu_s - collected_cpu)
                                 - (self.gateway_parse_own_cpu_s - parsed_cpu))
        return time.perf_counter() - wall - (self.gc_s - collected) - (self.gateway_parse_own_s - parsed)


def signature(payload: dict) -> tuple[str, str]:
    """What distinguishes one knowledge file's answer from another's: the embed's title and text."""
    embeds = payload.get("embeds") or []
    if embeds:
        return embeds[0].get("title") or "", embeds[0].get("description") or ""
    return "", payload.get("content") or ""


def expected(matcher: Matcher, question: str) -> tuple[str, str]:
    kwargs = answer_message(matcher.match(question), matcher.knowledge.article, 0, True)
    if "embed" in kwargs:
        return signature({"embeds": [kwargs["embed"].to_dict()]})
    return signature(kwargs)


def entry_signatures(matcher: Matcher) -> set[tuple[str, str]]:
    """The signature of every entry's answer in one file: what any answer from it looks like."""
    found = set()
    for entry in matcher.knowledge.entries:
        answers = [answer_message(matcher.answer_entry(entry), matcher.knowledge.article, 0, True)]
        answers += [answer_message(matcher.answer_entry(entry), matcher.knowledge.article, 0, True,  # "who said
                                   knowledge=matcher.knowledge, asks=asks)  # that?": the claimant in the answer's place
                    for asks in (WHO_SAID_IT, IS_IT_TRUE)]
        for kwargs in answers:
            found.add(signature({"embeds": [kwargs["embed"].to_dict()]}) if "embed" in kwargs else signature(kwargs))
    return found


def listed(signature: tuple[str, str]) -> set[str]:
    """The questions a "did you mean" or "doesn't say" reply offers ("1. Who said ...?")."""
    return set(re.findall(r"^\d+\. (.+)$", signature[1], re.MULTILINE))


def question_pool(new: Matcher, rng: random.Random) -> tuple[list[str], list[str]]:
    """Questions about the article (the evaluation and blind sets), and questions the generated
    file answers, typed with one letter missing."""
    article = [case.question for path in (DEFAULT_SET, *sorted(BLIND_DIR.glob("*.yaml"))) for case in load_cases(path)]
    generated = []
    for entry in rng.sample(new.knowledge.entries, min(2000, len(new.knowledge.entries))):
        cut = rng.randrange(1, len(entry.question) - 1)
        generated.append(entry.question[:cut] + entry.question[cut + 1:])
    return article, generated


@contextlib.contextmanager
def settle_deferred(env: simcord.Env):
    """Let simcord's actor verbs deliver an event without settling after each one
    (simcord has no public switch for this: its private settle is swapped for a no-op)."""
    real = env._settle_internal

    async def deferred(**_: object) -> None:
        return None

    env._settle_internal = deferred
    try:
        yield
    finally:
        env._settle_internal = real


async def ticker(figures: Figures, stop: asyncio.Event) -> None:
    """Wake every millisecond; a late wake-up is a stall of the event loop. The simulator's
    own work done on the loop and the garbage collections since the last wake-up are noted
    beside each gap."""
    last, simulated, collected = time.perf_counter(), figures.simulator_s, figures.gc_s
    while not stop.is_set():
        await asyncio.sleep(TICK_S)
        now, now_simulated, now_collected = time.perf_counter(), figures.simulator_s, figures.gc_s
        gap = now - last - TICK_S
        figures.stalls.append((now, gap, min(gap, now_simulated - simulated), min(gap, now_collected - collected)))
        last, simulated, collected = now, now_simulated, now_collected


@contextlib.contextmanager
def gc_watch(figures: Figures):
    """Note the garbage collections: they stall the loop like any other work."""
    started = [0.0, 0.0]

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            started[:] = time.perf_counter(), time.thread_time()
            return
        took = time.perf_counter() - started[0]
        figures.gc_s += took
        figures.gc_cpu_s += time.thread_time() - started[1]
        if took > figures.longest_gc[0]:
            figures.longest_gc = (took, info["generation"])

    gc.callbacks.append(watch)
    try:
        yield
    finally:
        gc.callbacks.remove(watch)


@contextlib.contextmanager
def step_watch(figures: Figures):
    """Time every callback and task step the loop runs (each blocks the loop until it yields),
    whole and less the simulator's work and the garbage collections inside it; of the steps
    of the task that plays the users (building the world, writing the new file, asking), only
    discord.py's parsing of the events they send is the bot's."""
    run = asyncio.events.Handle._run

    def timed(handle: asyncio.Handle) -> None:
        start, simulated, collected = time.perf_counter(), figures.simulator_s, figures.gc_s
        cpu, simulated_cpu, collected_cpu = time.thread_time(), figures.simulator_cpu, figures.gc_cpu_s
        parsed, parsed_cpu = figures.gateway_parse_own_s, figures.gateway_parse_own_cpu_s
        try:
            run(handle)
        finally:
            if (took := time.perf_counter() - start) > 0.001:
                own = took - (figures.simulator_s - simulated) - (figures.gc_s - collected)
                own_cpu = (time.thread_time() - cpu - (figures.simulator_cpu - simulated_cpu)
                           - (figures.gc_cpu_s - collected_cpu))
                if getattr(handle._callback, "__self__", None) is figures.driver:
                    # a step of the users: the bot's part is discord.py parsing the events they sent
                    own = figures.gateway_parse_own_s - parsed
                    own_cpu = figures.gateway_parse_own_cpu_s - parsed_cpu
                figures.steps.append((start, took, own, own_cpu))

    asyncio.events.Handle._run = timed
    try:
        yield
    finally:
        asyncio.events.Handle._run = run


class Run:
    """One load run: the bot under simcord, instrumented to see each reply and where time goes."""

    def __init__(self, args: argparse.Namespace, rng: random.Random, folder: Path) -> None:
        self.args, self.rng = args, rng
        self.knowledge_path, self.big_text = reload_pair(folder, args.reload_size)
        (folder / "big.yaml").write_text(self.big_text, encoding="utf-8")
        self.old = load_matcher(self.knowledge_path, cache_dir=None)  # to check replies against
        self.new = load_matcher(folder / "big.yaml", cache_dir=None)
        self.article_questions, self.generated_questions = question_pool(self.new, rng)
        settings = Settings(knowledge_path=self.knowledge_path, cache_dir=folder / "cache",
                            data_dir=folder / "data", cooldown_rate=10**9, cooldown_per=1.0)
        self.bot = create_bot(settings)
        self.figures = Figures()
        self.replies: dict[tuple[str, int], list[Reply]] = collections.defaultdict(list)
        self.matched_at: dict[asyncio.Task, float] = {}
        self.with_buttons: dict[int, list[tuple[int, int, list[str]]]] = collections.defaultdict(list)
        self.asked_by: dict[int, int] = {}
        self.interactions: list[int] = []
        self.awaited: set[tuple[str, int]] = set()
        self.answered = asyncio.Event()
        self.reloaded = asyncio.Event()

    # -- instruments ------------------------------------------------------------

    def timed_match(self, match):
        """Matcher.match: its time is the engine's."""
        figures = self.figures

        def timed(matcher: Matcher, question: str, *args, **kwargs):
            start = time.perf_counter()
            try:
                return match(matcher, question, *args, **kwargs)
            finally:
                figures.engine_s += time.perf_counter() - start

        return timed

    def timed_conversation(self, conversation):
        """ContextStore.conversation, which `resolve` calls as the bot starts on a question: when that was."""
        matched_at = self.matched_at

        def timed(store: ContextStore, matcher: Matcher):
            if (task := asyncio.current_task()) is not None:
                matched_at.setdefault(task, time.perf_counter())
            return conversation(store, matcher)

        return timed

    def timed_dispatch(self, dispatch):
        """simcord's REST router: its time is the simulator's (less discord.py parsing the events
        it sends back); a POST that answers a question is that question's reply."""
        figures = self.figures

        def timed(backend, method, path, *args, json=None, **kwargs):
            mark = figures.mark()
            start = mark[0]
            try:
                return dispatch(backend, method, path, *args, json=json, **kwargs)
            finally:
                figures.simulator_http_s += figures.simulated(mark)
                if method == "POST":
                    self.note_reply(start, path, json or {})

        return timed

    def note_reply(self, at: float, path: str, body: dict) -> None:
        if path.startswith("/webhooks/"):
            self.figures.followups.append((at, str(body.get("content", ""))))
            self.reloaded.set()
            return
        if path.startswith("/interactions/") and path.endswith("/callback"):
            key, body = ("interaction", int(path.split("/")[2])), body.get("data") or {}
        elif path.endswith("/messages") and body.get("message_reference"):
            key = ("message", int(body["message_reference"]["message_id"]))
        else:
            return
        self.replies[key].append(Reply(at, signature(body), self.matched_at.pop(asyncio.current_task(), None)))
        self.awaited.discard(key)
        if not self.awaited:
            self.answered.set()

    def timed_feed(self, feed):
        figures = self.figures

        def timed(event: str, payload: dict) -> None:
            start, cpu = time.perf_counter(), time.thread_time()
            collected, collected_cpu = figures.gc_s, figures.gc_cpu_s
            try:
                feed(event, payload)
            finally:
                took, took_cpu = time.perf_counter() - start, time.thread_time() - cpu
                figures.gateway_parse_s += took
                figures.gateway_parse_cpu_s += took_cpu
                figures.gateway_parse_own_s += took - (figures.gc_s - collected)
                figures.gateway_parse_own_cpu_s += took_cpu - (figures.gc_cpu_s - collected_cpu)

        return timed

    def observe(self, event: str, payload: dict) -> None:
        """Interaction ids as they are created; the bot's answers that carry buttons, by asker."""
        if event == "INTERACTION_CREATE":
            self.interactions.append(int(payload["id"]))
        elif event == "MESSAGE_CREATE" and payload.get("guild_id") and payload["author"]["id"] == str(self.bot.user.id):
            labels = [c["label"] for row in payload.get("components") or [] for c in row.get("components", [])
                      if c.get("type") == 2 and c.get("label")]
            reference = payload.get("message_reference") or {}
            asker = (((payload.get("interaction_metadata") or {}).get("user") or {}).get("id")
                     or self.asked_by.get(int(reference.get("message_id", 0))))
            if labels and asker:
                self.with_buttons[int(asker)].append((int(payload["channel_id"]), int(payload["id"]), labels))

    # -- the run ------------------------------------------------------------------

    async def ask(self, env: simcord.Env, question: Question, member, channels) -> None:
        """Deliver one question as its user would; simcord's own time for it is the simulator's."""
        figures, rng, bot = self.figures, self.rng, self.bot
        mark = figures.mark()
        question.sent_at = mark[0]
        if question.kind == "click" and self.with_buttons[member.id]:
            channel_id, message_id, labels = self.with_buttons[member.id].pop()
            message = to_discord_message(env, env.backend.get_message(channel_id, message_id))
            await member.click(message, label=rng.choice(labels))
            question.key = ("interaction", self.interactions[-1])
        elif question.kind == "ask":
            await member.slash(rng.choice(channels), "ask", question=question.text)
            question.key = ("interaction", self.interactions[-1])
        elif question.kind == "dm":
            question.key = ("message", (await member.send_dm(question.text)).id)
        else:
            question.kind = "mention"
            sent = await member.send(rng.choice(channels), f"<@{bot.user.id}> {question.text}")
            question.key = ("message", sent.id)
            self.asked_by[sent.id] = member.id
        if question.key not in self.replies:  # not answered already, within the same step
            self.awaited.add(question.key)
            self.answered.clear()
        figures.simulator_inject_s += figures.simulated(mark)

    def questions(self) -> list[Question]:
        out = []
        members = list(range(self.args.users))
        for number in range(self.args.questions):
            kind = self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            pool = self.generated_questions if self.rng.random() < 0.3 else self.article_questions
            out.append(Question(number, kind, self.rng.choice(pool), self.rng.choice(members)))
        return out

    async def run(self) -> tuple[list[Question], float, list, list[float]]:
        args, figures, bot = self.args, self.figures, self.bot
        questions = self.questions()
        reload_window: list[float] = []
        figures.driver = asyncio.current_task()  # building the world, writing the new file, asking
        async with simcord.run(bot, settle_timeout=600.0) as env:
            guild = env.create_guild()
            channels = [guild.create_text_channel(f"general-{n}") for n in range(10)]
            admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
            boss = guild.add_member(env.create_user("boss"), roles=[admins])
            members = [guild.add_member(env.create_user(f"user{n}")) for n in range(args.users)]
            env.backend.subscribers[-1] = self.timed_feed(env.backend.subscribers[-1])  # the bot's gateway
            env.backend.subscribers.append(self.observe)
            gc.collect()
            gc.freeze()  # the checking copies and the simulator's world: not the bot's garbage
            stop = asyncio.Event()
            ticking = asyncio.create_task(ticker(figures, stop))
            started = time.perf_counter()
            bursts = range(0, len(questions), args.batch)
            last_tenth = len(questions) - len(questions) // 10
            for number, first in enumerate(bursts, 1):
                if number % 20 == 0:
                    print(f"{first:,} questions asked, {time.perf_counter() - started:.0f} s", file=sys.stderr)
                if reload_window and first + args.batch > last_tenth and not self.reloaded.is_set():
                    await self.reloaded.wait()  # the last tenth is asked of the new file
                with settle_deferred(env):
                    for question in questions[first:first + args.batch]:
                        if question.number == args.questions // 2:
                            self.knowledge_path.write_text(self.big_text, encoding="utf-8")
                            reload_window.append(time.perf_counter())
                            await boss.slash(channels[0], "reload")
                        await self.ask(env, question, members[question.asker], channels)
                        await asyncio.sleep(0)  # one event at a time, as a gateway delivers them
                try:
                    await asyncio.wait_for(self.answered.wait(), timeout=60)
                except TimeoutError:
                    print(f"burst {number}: {len(self.awaited)} questions unanswered after 60 s", file=sys.stderr)
                    self.awaited.clear()
                reloading = bool(reload_window) and not self.reloaded.is_set()
                if args.settle_every and number % args.settle_every == 0 and not reloading:
                    figures.settling_since, figures.settling_cpu_since = time.perf_counter(), time.thread_time()
                    await env.settle(timeout=600.0)  # everything is answered: this is simcord's checking
                    figures.settle_s += time.perf_counter() - figures.settling_since
                    figures.simulator_cpu_s += time.thread_time() - figures.settling_cpu_since
                    figures.settling_since = None
                    figures.settles += 1
                mark = figures.mark()
                env.backend.transcript.clear()  # the simulator's record of everything, kept for failing tests
                env.backend.http_requests.clear()
                figures.simulator_inject_s += figures.simulated(mark)
            if reload_window:  # a small run can end before the reload it started
                await asyncio.wait_for(self.reloaded.wait(), timeout=600)
            elapsed = time.perf_counter() - started
            figures.asking = (started, started + elapsed)  # not building the world or tearing it down
            stop.set()
            await ticking
            errors = list(env.errors)
        figures.tracked, figures.frozen = len(gc.get_objects()), gc.get_freeze_count()
        gc.unfreeze()
        reload_window += [at for at, text in figures.followups if "eload" in text][:1]
        return questions, elapsed, errors, reload_window


async def drive(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="palmyra-load-"))
    match, dispatch, conversation = Matcher.match, simcord_router.dispatch, ContextStore.conversation
    profile = cProfile.Profile() if args.profile else None
    try:
        run = Run(args, rng, folder)
        Matcher.match = run.timed_match(match)
        simcord_router.dispatch = run.timed_dispatch(dispatch)
        ContextStore.conversation = run.timed_conversation(conversation)  # type: ignore[method-assign]
        with gc_watch(run.figures), step_watch(run.figures):
            if profile:
                profile.enable()
            questions, elapsed, errors, reload_window = await run.run()
            if profile:
                profile.disable()
    finally:
        Matcher.match, simcord_router.dispatch = match, dispatch
        ContextStore.conversation = conversation  # type: ignore[method-assign]
        shutil.rmtree(folder, ignore_errors=True)
    reload_text = next((text for _, text in run.figures.followups if "eload" in text), "")
    return report(args, questions, run.replies, run.old, run.new, run.figures, elapsed, errors, reload_window,
                  reload_text, profile)


def report(args, questions, replies, old, new, figures, elapsed, errors, reload_window, reload_text,
           profile) -> int:
    counts = collections.Counter(len(replies.get(q.key, [])) for q in questions)
    latencies, service, labelled = [], [], []
    cache_old: dict[str, tuple] = {}
    cache_new: dict[str, tuple] = {}
    neither = context_abstentions = greetings = 0
    # a follow-up answered through the asker's context is one of a file's entries, not its plain match
    entries_old, entries_new = entry_signatures(old), entry_signatures(new)
    questions_old = {entry.question for entry in old.knowledge.entries}
    questions_new = {entry.question for entry in new.knowledge.entries}
    for question in questions:
        got = replies.get(question.key, [])
        if len(got) != 1:
            continue
        reply = got[0]
        latencies.append((reply.at - question.sent_at) * 1000)
        if reply.matched_at is not None:
            service.append((reply.at - reply.matched_at) * 1000)
        if question.kind == "click":
            continue
        if is_chatter(question.text):
            greetings += reply.signature == ("", DISCORD_GREETING)  # chatter said to the bot or /ask: no file's answer
            continue
        was_old = reply.signature == cache_old.setdefault(question.text, expected(old, question.text))
        was_new = reply.signature == cache_new.setdefault(question.text, expected(new, question.text))
        if not (was_old or was_new):
            was_old, was_new = reply.signature in entries_old, reply.signature in entries_new
        if not (was_old or was_new) and reply.signature[0] in (NOT_SAID, NOT_SURE):
            # a follow-up read through the asker's context that found no answer: its file is the one
            # whose questions it offers; offering none, it claims nothing from either file
            offered = listed(reply.signature)
            if not offered:
                context_abstentions += 1
                continue
            was_old, was_new = offered <= questions_old, offered <= questions_new
        if not (was_old or was_new):
            neither += 1
            if neither <= 3:
                print(f"neither file's answer: {question.kind} {question.text!r} -> {reply.signature[0]!r}")
        elif was_old != was_new:
            labelled.append((reply.matched_at or reply.at, "new" if was_new else "old"))
    labelled.sort()
    switches = collections.Counter(f"{a}->{b}" for (_, a), (_, b) in itertools.pairwise(labelled) if a != b)

    def longest(start: float = float("-inf"), end: float = float("inf")) -> tuple[float, ...]:
        """In this window (ms): the longest gap between ticks; the longest step; the longest step
        less the simulator's work and garbage collection in it (the bot's own), on the wall clock
        and on this thread's CPU clock (which leaves out time the OS gave to other processes);
        the garbage collection and the simulator's work inside that longest gap."""
        gap = max((stall[1:] for stall in figures.stalls if start <= stall[0] <= end), default=(0.0, 0.0, 0.0))
        steps = [step[1:] for step in figures.steps if start <= step[0] <= end]
        return (gap[0] * 1000, *(max((s[i] for s in steps), default=0.0) * 1000 for i in range(3)),
                gap[2] * 1000, gap[1] * 1000)

    overall = longest(*figures.asking)
    reload_s = reload_window[1] - reload_window[0] if len(reload_window) == 2 else float("nan")
    during = longest(*reload_window) if len(reload_window) == 2 else (float("nan"),) * 6
    outside = overall if len(reload_window) != 2 else tuple(  # before it and after it, the larger of each
        max(a, b) for a, b in zip(longest(figures.asking[0], reload_window[0]),
                                  longest(reload_window[1], figures.asking[1]), strict=True))
    kinds = collections.Counter(q.kind for q in questions)

    print(f"{len(questions):,} questions from {args.users} users in bursts of {args.batch} "
          f"({', '.join(f'{kinds[k]:,} {k}' for k in KINDS if kinds[k])}); "
          f"/reload of {len(new.knowledge.entries):,} entries at question {args.questions // 2:,}")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; wall {elapsed:.1f} s "
          f"({len(questions) / elapsed:,.0f} questions/s through the simulator)")
    one = counts.get(1, 0)
    print(f"replies: exactly one for {one:,}/{len(questions):,}"
          + "".join(f"; {n} replies for {c:,}" for n, c in sorted(counts.items()) if n != 1))
    print(f"knowledge: {sum(1 for _, k in labelled if k == 'old'):,} replies from the old file, "
          f"{sum(1 for _, k in labelled if k == 'new'):,} from the new, {neither} from neither "
          f"(half-loaded); switches in matching order: {dict(switches) or 'none'}; "
          f"{context_abstentions} follow-ups answered \"{NOT_SAID}\" through their context, offering nothing; "
          f"{greetings} chatter messages to the bot greeted")
    print(f"reload reply: {reload_text.splitlines()[0][:100] if reload_text else 'MISSING'}")
    print(f"reply latency ms: p50 {statistics.median(latencies):.2f}, p99 {percentile(latencies, 0.99):.2f}, "
          f"max {max(latencies):.2f}  (from the event reaching the bot; includes waiting behind "
          f"the rest of its burst of {args.batch})")
    print(f"service time ms:  p50 {statistics.median(service):.2f}, p99 {percentile(service, 0.99):.2f}  "
          "(from the bot starting on the question to its reply)")
    verdict = "met" if max(overall[2], during[2]) <= STALL_TARGET_MS else "MISSED"
    windows = (("from the first question to the last reply", overall), (f"during the {reload_s:.1f} s /reload", during),
               ("outside the /reload", outside))
    for label, figures_ in windows:
        print(f"event loop, {label}: longest gap between ticks {figures_[0]:.1f} ms ({figures_[4]:.1f} ms "
              f"of it garbage collection, {figures_[5]:.1f} ms the simulator); longest step "
              f"{figures_[1]:.1f} ms, the bot's own {figures_[2]:.1f} ms wall, {figures_[3]:.1f} ms CPU")
    if len(reload_window) == 2:
        before_after = ((figures.asking[0], reload_window[0]), (reload_window[1], figures.asking[1]))
        for label, windows_ in (("during the /reload", (tuple(reload_window),)), ("outside it", before_after)):
            print(f"the longest gap {label}, step by step: {gap_steps(figures, windows_)}")
    print(f"target: the bot's own step <= {STALL_TARGET_MS:.0f} ms of wall clock: {verdict}")
    print(f"garbage collection: longest {figures.longest_gc[0] * 1000:.1f} ms (generation {figures.longest_gc[1]}), "
          f"{figures.gc_s:.2f} s in all, over {figures.tracked:,} objects besides {figures.frozen:,} frozen "
          "(most of them the simulator's world)")
    print("where the time went (s): "
          f"engine (matching) {figures.engine_s:.2f}; discord.py parsing gateway events {figures.gateway_parse_s:.2f}; "
          f"simulator {figures.simulator_s:.2f} ({figures.simulator_cpu_s:.2f} CPU) = "
          f"delivering events {figures.simulator_inject_s:.2f} + "
          f"answering REST calls {figures.simulator_http_s:.2f} + {figures.settles} settles {figures.settle_s:.2f}")
    if errors:
        print(f"errors in the bot: {len(errors)}; first: {errors[0]!r}")
    if profile:
        print_profile(profile)
    ok = (one == len(questions) and neither == 0 and not errors and switches.get("new->old", 0) == 0
          and reload_text.startswith("**Reloaded**"))
    print("checks: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def gap_steps(figures: Figures, windows: Iterable[tuple[float, float]]) -> str:
    """What the loop ran inside the longest gap between ticks of these windows: a gap is every step
    ready at once run back to back (a burst's questions), not necessarily one long step."""
    stalls = [stall for start, end in windows for stall in figures.stalls if start <= stall[0] <= end]
    at, gap, _, _ = max(stalls, key=lambda stall: stall[1], default=(0.0, 0.0, 0.0, 0.0))
    inside = [step for step in figures.steps if at - gap - TICK_S <= step[0] <= at]
    if not inside:
        return "no step over 1 ms in it"
    own = [step[2] * 1000 for step in inside]
    took = sum(step[1] for step in inside) * 1000
    return (f"{len(inside)} steps over 1 ms in its {gap * 1000:.1f} ms, {took:.1f} ms in all; "
            f"the bot's own work in them {sum(own):.1f} ms, the longest {max(own):.1f} ms")


def print_profile(profile: cProfile.Profile) -> None:
    """CPU time of the bursts by package (own time of each function, profiler overhead included)."""
    groups = collections.Counter()
    for (filename, _, _), (_, _, own, _, _) in pstats.Stats(profile).stats.items():
        path = filename.replace(os.sep, "/")
        for name, marker in (("simcord (simulator)", "/simcord/"), ("discord.py", "/discord/"),
                             ("bot engine", "/bot/engine/"), ("bot Discord layer", "/bot/discord_bot/"),
                             ("asyncio", "/asyncio/"), ("rapidfuzz", "rapidfuzz"), ("this benchmark", "/benchmarks/")):
            if marker in path:
                groups[name] += own
                break
        else:
            groups["other (stdlib, builtins)"] += own
    total = sum(groups.values()) or 1.0
    print("CPU profile of the bursts: " + ", ".join(f"{name} {100 * t / total:.0f}%"
                                                  for name, t in groups.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--reload-size", type=int, default=10_000, help="entries in the file /reload loads")
    parser.add_argument("--batch", type=int, default=50, help="questions per burst; the next waits for their replies")
    parser.add_argument("--settle-every", type=int, default=0,
                        help="bursts between simcord settles (default 0: none; each costs live views x tasks)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also print a CPU profile split by package")
    args = parser.parse_args()
    sys.exit(asyncio.run(drive(args)))


if __name__ == "__main__":
    main()

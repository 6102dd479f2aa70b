"""Speed and memory of the engine, printed as figures (no assertions).

    python benchmarks/bench.py            # article file, 10,000 and 100,000 entries
    python benchmarks/bench.py --sizes 0  # the article file only

Each knowledge file is measured in a child process pinned to one core:
load time (read and check), index time, the same through the compiled cache
cold (writing it) and warm (reading it), peak and kept memory, and per-question
latency (median and p99) over the evaluation questions (curated and blind),
repeated; generated
files also get 200 of their own questions with one letter dropped. The same
questions also go through two baselines over the same questions+alternates:
`difflib.get_close_matches` and `rapidfuzz.process.extractOne` with its
defaults; their latency is printed as a ratio to ours. Generated files reuse
the article's real sentences as quotes (so they pass the checker) and draw
question words from a fixed synthetic vocabulary (seeded, so runs compare).
"""

from __future__ import annotations

import argparse
import difflib
import gc
import itertools
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.compiled import load_matcher  # noqa: E402
from bot.engine.evaluation import BLIND_DIR, DEFAULT_SET, load_cases  # noqa: E402
from bot.engine.loader import DEFAULT_PATH, load_knowledge  # noqa: E402
from bot.engine.matcher import Matcher  # noqa: E402
from bot.engine.text import split_sentences  # noqa: E402

GENERATED = Path(__file__).resolve().parent / "generated"
TARGETS = {"article": 0.5, 100_000: 20.0}  # p99 ms
LOAD_TARGET_S = 5.0


def _syllables(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(n))


def generate(size: int, *, alternates: int = 5, quote_words: int | None = None) -> Path:
    """A knowledge file of `size` entries over the real article, every phrasing distinct (as the checker wants).

    `alternates` per entry, and quotes of the first `quote_words` words of an article sentence
    (whole sentences by default): fewer and shorter make a lean file of the same entries."""
    GENERATED.mkdir(exist_ok=True)
    path = GENERATED / (f"knowledge-{size}.yaml" if (alternates, quote_words) == (5, None)
                        else f"knowledge-{size}-{alternates}-{quote_words}.yaml")
    rng = random.Random(size)
    shipped = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    article_text = (DEFAULT_PATH.parent / shipped["article"]["text"]).resolve()
    sentences = [" ".join(s.split(" ")[:quote_words]) for p in article_text.read_text(encoding="utf-8").split("\n")
                 if p.strip() for s in split_sentences(p)]
    vocabulary = sorted({_syllables(rng, rng.randint(2, 4)) for _ in range(30_000)})
    cum_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocabulary))))  # Zipf-like
    lines = ["version: 1", "article:"]
    lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in shipped["article"].items()
              if k not in {"captions", "text"}]
    shutil.copy(article_text, GENERATED / article_text.name)  # the checker reads an article only beside its file
    lines.append("  text: " + json.dumps(article_text.name))
    lines.append("claimants:")
    lines += [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in shipped["claimants"].items()]
    lines.append("aliases: " + json.dumps(shipped.get("aliases", {}), ensure_ascii=False))
    lines.append("entries:")
    claimants = list(shipped["claimants"])
    used: set[str] = set()

    def phrase(k: int) -> str:
        while (text := " ".join(rng.choices(vocabulary, cum_weights=cum_weights, k=k))) in used:
            k += 1  # a repeat: one word longer
        used.add(text)
        return text

    for n in range(size):
        entry = {
            "id": f"e{n}",
            "question": f"what about {phrase(4)}?",
            "alternates": [phrase(rng.randint(2, 5)) for _ in range(alternates)],
            "answer": f"The article says {phrase(8)}.",
            "sources": [{"quote": rng.choice(sentences), "attributed_to": rng.choice(claimants)}],
        }
        lines.append("  - " + json.dumps(entry, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path



def reload_pair(folder: Path, size: int) -> tuple[Path, str]:
    """The shipped knowledge to start from, and the text of a generated one (beside the same article)."""
    shutil.copy(DEFAULT_PATH, folder / "palmyra.yaml")
    shutil.copy(DEFAULT_PATH.parent / "palmyra.txt", folder / "palmyra.txt")
    # lean entries (3 alternates, 8-word quotes), so 10,000 of them fit the loader's 4 MiB limit
    lines = generate(size, alternates=3, quote_words=8).read_text(encoding="utf-8").splitlines()
    big = "\n".join('  text: "palmyra.txt"' if line.startswith("  text: ") else line for line in lines) + "\n"
    return folder / "palmyra.yaml", big


def _memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak) of this process in MB. Unlike ru_maxrss, VmHWM
    starts afresh in a child process: it is not inherited from the parent that started it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere: peak, inherited


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(path: Path, repeats: int, baseline_questions: int) -> dict:
    """Runs in the child: load, then time questions through ours and the baselines."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    rss_before = _memory_mb("VmRSS")
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        knowledge = load_knowledge(path, max_bytes=1 << 30)
        loaded = time.perf_counter()
        Matcher(knowledge)
        indexed = time.perf_counter()
        del knowledge
        load_matcher(path, cache_dir=Path(cache), max_bytes=1 << 30)  # checks, indexes, writes the cache
        written = time.perf_counter()
        matcher = load_matcher(path, cache_dir=Path(cache), max_bytes=1 << 30)
        warm = time.perf_counter()
    knowledge = matcher.knowledge
    gc.collect()
    peak_mb, resident_mb = _memory_mb("VmHWM") - rss_before, _memory_mb("VmRSS") - rss_before

    questions = [case.question
                 for path in (DEFAULT_SET, *sorted(BLIND_DIR.glob("*.yaml"))) for case in load_cases(path)]
    if len(knowledge.entries) > 1000:  # also questions this file can answer, typed with a typo
        rng = random.Random(7)
        for entry in rng.sample(knowledge.entries, 200):
            text = rng.choice((entry.question, *entry.alternates))
            cut = rng.randrange(1, len(text) - 1)
            questions.append(text[:cut] + text[cut + 1:])
    matcher.match(questions[0])  # warm caches
    ours: list[float] = []
    for _ in range(repeats):
        for question in questions:
            t = time.perf_counter()
            matcher.match(question)
            ours.append((time.perf_counter() - t) * 1000)

    phrasings = [p for e in knowledge.entries for p in (e.question, *e.alternates)]
    half = baseline_questions // 2  # evaluation questions and, for generated files, their own
    sample = questions[:half] + questions[-(baseline_questions - half):]

    def timed(fn) -> list[float]:
        out = []
        for question in sample:
            t = time.perf_counter()
            fn(question)
            out.append((time.perf_counter() - t) * 1000)
        return out

    from rapidfuzz import process

    difflib_ms = timed(lambda q: difflib.get_close_matches(q, phrasings, n=1))
    extract_ms = timed(lambda q: process.extractOne(q, phrasings))
    ours_sample = timed(matcher.match)
    return {
        "entries": len(knowledge.entries),
        "phrasings": len(phrasings),
        "file_mb": path.stat().st_size / 1e6,
        "load_s": loaded - start,
        "index_s": indexed - loaded,
        "cold_s": written - indexed,
        "warm_s": warm - written,
        "peak_mb": peak_mb,
        "resident_mb": resident_mb,
        "median_ms": statistics.median(ours),
        "p99_ms": percentile(ours, 0.99),
        "questions": len(ours),
        "baseline_questions": len(sample),
        "ours_sample_ms": statistics.mean(ours_sample),
        "difflib_ms": statistics.mean(difflib_ms),
        "extractone_ms": statistics.mean(extract_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="generated file sizes (0 or none: the article file only)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=60, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        # difflib takes seconds a question on 100,000 entries: a smaller sample there
        print(json.dumps(measure(args.child, args.repeats, args.baseline)))
        return

    runs = [("article", DEFAULT_PATH, 20, 60)] + [(f"{n:,}", generate(n), 3, 10 if n > 10_000 else 30)
                                                  for n in args.sizes if n]
    print(f"one core of {os.cpu_count()}; Python {sys.version.split()[0]}")
    print(f"{'file':>8} {'entries':>8} {'MB':>6} {'load s':>7} {'index s':>8} {'cold s':>7} {'warm s':>7} "
          f"{'peak MB':>8} {'kept MB':>8} {'median ms':>9} {'p99 ms':>7} {'difflib x':>9} {'extractOne x':>12}"
          "  targets")
    for name, path, repeats, baseline in runs:
        out = subprocess.run([sys.executable, __file__, "--child", str(path), "--repeats", str(repeats),
                              "--baseline", str(baseline)],
                             check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        key = "article" if name == "article" else int(name.replace(",", ""))
        verdicts = []
        if (target := TARGETS.get(key)) is not None:
            verdicts.append(f"p99 <= {target} ms: {'met' if r['p99_ms'] <= target else 'MISSED'}")
        if key == 100_000:
            for kind in ("cold", "warm"):
                met = r[f"{kind}_s"] <= LOAD_TARGET_S
                verdicts.append(f"{kind} load <= {LOAD_TARGET_S:.0f} s: {'met' if met else 'MISSED'}")
        print(f"{name:>8} {r['entries']:>8,} {r['file_mb']:>6.1f} {r['load_s']:>7.2f} {r['index_s']:>8.2f} "
              f"{r['cold_s']:>7.2f} {r['warm_s']:>7.2f} {r['peak_mb']:>8.0f} {r['resident_mb']:>8.0f} "
              f"{r['median_ms']:>9.3f} {r['p99_ms']:>7.3f} "
              f"{r['difflib_ms'] / r['ours_sample_ms']:>9.1f} {r['extractone_ms'] / r['ours_sample_ms']:>12.1f}  "
              + "; ".join(verdicts))
    print("load s / index s: check and index without a cache; cold s: the same plus writing the compiled "
          "cache; warm s: loading an unchanged file from that cache (what a restart or /reload costs).")
    print("peak MB: the most memory in use while loading; kept MB: what the loaded matcher keeps.")
    print("difflib x / extractOne x: the baseline's mean time per question divided by ours "
          "(above 1: ours is faster), over a sample of the same questions.")


if __name__ == "__main__":
    main()

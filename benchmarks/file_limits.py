"""Peak memory and time of the checker at its limits, and of refusing bad files (figures, no assertions).

    python benchmarks/file_limits.py

Each figure is one run of the real CLI (`python -m bot check` or `ask`) in a child
process; peak memory is that child's ru_maxrss. Files just under the size limit:
a flow list `[a,a,...]` and a block list (the most YAML nodes per byte: the
worst case the limit must hold), a mapping of unknown keys (the most problems),
and a valid knowledge file of generated entries (`ask` also indexes it and
writes the compiled cache, whose size is printed). Then the files that must be
refused at once: /dev/zero, a FIFO and a 1 GB sparse file, as the knowledge file
and as its article.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bot.engine.loader import DEFAULT_PATH, MAX_ARTICLE_BYTES, MAX_BYTES  # noqa: E402

_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)
print(done.stderr.decode(errors="replace").splitlines()[:1])
"""


def run(*args: str, env: dict[str, str] | None = None) -> tuple[float, float, int, str]:
    """Seconds, peak MB, exit code and the first line of stderr of `python -m bot ARGS`."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "bot", *args], cwd=ROOT,
                         env={**os.environ, **(env or {})}, capture_output=True, text=True, check=True).stdout
    first, second = out.splitlines()[:2]
    seconds, peak_kb, code = first.split()
    return float(seconds), int(peak_kb) / 1024, int(code), second


def shapes(folder: Path, limit: int) -> dict[str, Path]:
    under = limit - 64
    flow = folder / "flow.yaml"
    flow.write_text("[" + "a," * ((under - 3) // 2) + "a]\n", encoding="ascii")
    block = folder / "block.yaml"
    block.write_text("- a\n" * (under // 4), encoding="ascii")
    keys = folder / "keys.yaml"
    with keys.open("w", encoding="ascii") as handle:
        written, n = 0, 0
        while written < under - 32:
            line = f"k{n}: a\n"
            handle.write(line)
            written, n = written + len(line), n + 1
    return {"flow list": flow, "block list": block, "unknown keys": keys, "valid entries": valid(folder, under)}


def valid(folder: Path, under: int) -> Path:
    """A knowledge file of generated entries, as big as fits under the limit."""
    import bench  # benchmarks/bench.py: entries over the real article, every phrasing distinct

    bench.GENERATED = folder
    sample = bench.generate(1000)
    per_entry = (sample.stat().st_size - 2000) / 1000
    path = bench.generate(int(under / per_entry))
    while path.stat().st_size > under:
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text("\n".join(lines[: len(lines) - max(1, len(lines) // 200)]) + "\n", encoding="utf-8")
    return path


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    print(f"limits: knowledge file {MAX_BYTES:,} bytes, article {MAX_ARTICLE_BYTES:,} bytes")
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        cache = folder / "cache"
        env = {"KNOWLEDGE_CACHE_DIR": str(cache)}
        print(f"{'file just under the limit':<26} {'bytes':>12} {'command':>9} {'s':>7} {'peak MB':>8}  exit")
        for name, path in shapes(folder, MAX_BYTES).items():
            commands = [("check", str(path))] + ([("ask", "who controls palmyra", "--knowledge", str(path))] * 2
                                                 if name == "valid entries" else [])
            for n, command in enumerate(commands):
                seconds, peak, code, _ = run(*command, env=env)
                label = command[0] + (" (cold)" if n == 1 else " (warm)" if n == 2 else "")
                print(f"{name:<26} {path.stat().st_size:>12,} {label:>9} {seconds:>7.1f} {peak:>8.0f}  {code}")
        entries = sorted(cache.glob("*"))
        print(f"compiled cache: {len(entries)} files, {sum(p.stat().st_size for p in entries):,} bytes "
              f"({', '.join(f'{p.name[:12]}…{p.suffix}' for p in entries)})")

        print(f"\n{'refused at once':<34} {'command':>8} {'s':>7} {'peak MB':>8}  exit  first line")
        fifo = folder / "pipe"
        os.mkfifo(fifo)
        sparse = folder / "sparse"
        with sparse.open("wb") as handle:
            handle.truncate(1 << 30)
        article_dir = folder / "article"
        article_dir.mkdir()
        for kind in ("/dev/zero", "FIFO", "1 GB sparse"):
            knowledge = {"/dev/zero": "/dev/zero", "FIFO": str(fifo), "1 GB sparse": str(sparse)}[kind]
            target = article_dir / "palmyra.txt"
            target.unlink(missing_ok=True)
            if kind == "FIFO":
                os.mkfifo(target)
            elif kind == "1 GB sparse":
                os.link(sparse, target)
            as_article = article_dir / "palmyra.yaml"
            text = DEFAULT_PATH.read_text(encoding="utf-8")
            if kind == "/dev/zero":
                text = text.replace("text: palmyra.txt", "text: /dev/zero")
            as_article.write_text(text, encoding="utf-8")
            for where, path in ((f"{kind} as knowledge", knowledge), (f"{kind} as article", str(as_article))):
                for command in (("check", path), ("ask", "x", "--knowledge", path)):
                    seconds, peak, code, first = run(*command, env=env)
                    print(f"{where:<34} {command[0]:>8} {seconds:>7.2f} {peak:>8.0f}  {code:>4}  {first[:90]}")
    print(f"\n(peak of a bare `python -m bot --help`: {run('--help')[1]:.0f} MB; "
          f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()

"""Loading a knowledge file while an event loop keeps running (the bot's /reload).

A worker thread is not enough: the GIL passes between threads only between Python
bytecodes, and the long steps of a load are single C calls (YAML composing, unpickling
the compiled cache, a garbage collection of everything just built), each of which stalls
the loop for hundreds of milliseconds on a 10,000-entry file. So the load runs in a child
process; the parent only unpickles the result, from a reader whose `read` is Python code:
the C unpickler calls it for each 64 KiB frame, and each call lets the loop's thread in.
The child also builds the follow-up indexes (a Conversation: most of a second of pure Python
on 10,000 entries), which in a parent thread would take turns with the loop at the lock.
"""

from __future__ import annotations

import base64
import gc
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

from .compiled import load_matcher
from .conversation import Conversation
from .gc_pause import gc_paused
from .loader import KnowledgeError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent
LOADER_NICENESS = 10
# The unpickler keeps the interpreter lock from one frame to the next, and a thread waiting for
# it waits a switch interval (5 ms) before it may ask: without a pause the loop and the unpickler
# would take turns of 5 ms, doubling the wall time of the bot's steps during a reload. A short
# sleep after each frame hands the lock to the loop whenever it wants it. The unpickler also
# reads each frame's opcode and length (9 bytes): those small reads need no pause.
FRAME_PAUSE_S = 0.001
PAUSE_AFTER_BYTES = 4096
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from bot.engine.background import child_main; child_main(sys.argv[2:])")


class _FrameReader:
    """A file over bytes whose methods are Python functions, so each call is a GIL switch point."""

    def __init__(self, data: bytes, start: int = 0) -> None:
        self._bytes = data  # for find(), which a memoryview lacks
        self._data = memoryview(data)
        self._at = start

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size is None or size < 0 else self._at + size
        chunk = self._data[self._at:end].tobytes()
        self._at += len(chunk)
        self._pause(len(chunk))
        return chunk

    def readinto(self, buffer) -> int:
        chunk = self._data[self._at:self._at + len(buffer)]
        buffer[:len(chunk)] = chunk
        self._at += len(chunk)
        self._pause(len(chunk))
        return len(chunk)

    @staticmethod
    def _pause(size: int) -> None:
        if size >= PAUSE_AFTER_BYTES:
            time.sleep(FRAME_PAUSE_S)

    def readline(self) -> bytes:
        end = self._bytes.find(b"\n", self._at)
        return self.read(-1 if end < 0 else end + 1 - self._at)


def unpickle_conversation(data: bytes, start: int = 0) -> Conversation:
    """Rebuild the child's Conversation and its Matcher; what it allocates is frozen out of
    later collections."""
    with gc_paused():
        conversation = pickle.load(_FrameReader(data, start))
        gc.freeze()
    if not isinstance(conversation, Conversation):
        raise TypeError(f"the loader process sent a {type(conversation).__name__}, not a Conversation")
    return conversation


def load_in_child(path: Path, *, cache_dir: Path | None = None) -> Conversation:
    """`load_matcher` and the follow-up indexes in a child process; blocks, so call it from a
    worker thread. The new Matcher is the Conversation's `matcher`.

    Raises KnowledgeError with the child's problems when the file is bad, RuntimeError
    when the child itself failed.
    """
    command = [sys.executable, "-c", _CHILD, str(PACKAGE_ROOT), str(path), str(cache_dir or "")]
    # Its own session: a Ctrl-C meant for the bot (which finishes replies first) doesn't kill the
    # load midway. It needs no secrets.
    environment = {name: value for name, value in os.environ.items() if name != "DISCORD_TOKEN"}
    done = subprocess.run(command, capture_output=True, check=False, env=environment, start_new_session=True)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"the loader process failed ({done.returncode}): {detail[-1] if detail else '?'}")
    end = done.stdout.find(b"\n")
    kind, value = pickle.loads(base64.b64decode(done.stdout[:end]))
    if kind == "problems":
        raise KnowledgeError(value)
    return unpickle_conversation(done.stdout, start=end + 1)


def child_main(argv: list[str]) -> None:
    """In the child: load and index, then write one pickled header line and the pickled Conversation."""
    path, cache_dir = Path(argv[0]), Path(argv[1]) if argv[1] else None
    if hasattr(os, "nice"):  # a reload is background work: where CPU is short, the bot's replies come first
        os.nice(LOADER_NICENESS)
    out = sys.stdout.buffer
    try:
        matcher = load_matcher(path, cache_dir=cache_dir)
    except KnowledgeError as exc:
        out.write(_header(("problems", exc.problems)))
        return
    conversation = Conversation(matcher)
    out.write(_header(("conversation", None)))
    pickle.dump(conversation, out, protocol=pickle.HIGHEST_PROTOCOL)


def _header(value: object) -> bytes:
    """One line: base64 holds no newline byte, so the Conversation's pickle starts after it."""
    return base64.b64encode(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) + b"\n"

"""Bounded reads of files the bot is told to read, so a bad path is a one-line refusal.

A path may name a device (/dev/zero never ends), a FIFO (a read waits for a
writer that never comes), a directory, a symlink loop or a file far too big to
hold. Only regular files are read, at most `limit` bytes, and every way of
failing is one `Unreadable` whose message says why in words, not a traceback.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path

from ..paths import ROOT

_CHUNK = 1 << 20


class Unreadable(Exception):
    """A file that cannot or must not be read; the message is one line, without the path."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, refusing anything else or anything over `limit` bytes.

    Opened non-blocking (a FIFO then opens at once instead of waiting for a writer), checked
    with fstat on the open file (what was opened is what is judged), and read in chunks up to
    `limit + 1` bytes, so a file that grows or lies about its size still cannot exceed it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Unreadable(_reason(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(f"not a regular file ({_kind(info.st_mode)})")
        if info.st_size > limit:
            raise Unreadable(f"file is {info.st_size:,} bytes, over the limit of {limit:,}")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise Unreadable(f"file is over the limit of {limit:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise Unreadable(_reason(exc)) from None
    finally:
        os.close(fd)


def read_text(path: Path, limit: int) -> str:
    """`read_regular` decoded as UTF-8: a file that isn't UTF-8 text is unreadable too."""
    data = read_regular(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start:,})") from None


def shown(path: Path | str) -> str:
    """A path for a message: relative to the repository or the working directory when inside
    them, else as given, so a reply to a Discord admin does not spell out the host's folders."""
    text = os.fspath(path)
    if not os.path.isabs(text):
        return text
    try:
        return _relative(text, os.getcwd())
    except OSError:  # the working directory was removed
        return _relative(text, None)


@functools.lru_cache(maxsize=64)  # a bad file can have 100,000 problems, all naming the same path
def _relative(text: str, cwd: str | None) -> str:
    for folder in (str(ROOT), cwd or ""):
        base = folder.rstrip(os.sep)
        if base and text.startswith(base + os.sep):  # not "/": relative to it is the same path
            return text[len(base) + 1:]
    return text


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot read: a loop of symbolic links"
    return f"cannot read: {exc.strerror or type(exc).__name__}"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "neither a file nor a folder"

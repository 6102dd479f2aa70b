"""Pause the cyclic garbage collector while building large, acyclic structures.

Loading a knowledge file makes millions of small containers (YAML nodes,
tuples, sets) that reference counting frees on its own; the cyclic collector
would otherwise rescan them again and again as they pile up. On 100,000
entries this is most of the load time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

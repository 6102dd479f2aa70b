"""The other side of a contested point: the competing claims an answer doesn't quote itself.

"What does Russia say its jets did?" names one side; the answer on that
contested point still shows what the others claimed, and who claimed them.
The knowledge file marks the entries on a disputed point `contested: true` and
links them through `related`: contested entries linked to each other are one
point. The other side of a contested entry is one claim from each voice that
the point's entries quote and the entry doesn't, nearest entries first. A
voice is a claimant with its parts: "Russia's Defense Ministry" speaks for
"Russia". The publisher's own reporting frames the dispute; it is no side.
"""

from __future__ import annotations

from collections.abc import Mapping

from .knowledge import Claimant, Entry, Source
from .text import fold_typography

MAX_OTHER_SIDE = 3


def voice(claimant: Claimant) -> str:
    """Who a claimant speaks for: "Russia's Defense Ministry" and "Russia" are one voice."""
    name = fold_typography(claimant.name).casefold()
    return name.split("'s ", 1)[0]


def other_side(entry: Entry, by_id: Mapping[str, Entry], publisher: str) -> tuple[Source, ...]:
    """The competing claims to show next to a contested entry's answer; none for an uncontested one."""
    if not entry.contested:
        return ()
    voices = {voice(source.claimant) for source in entry.sources} | {fold_typography(publisher).casefold()}
    shown = [fold_typography(source.quote) for source in entry.sources]
    found: dict[str, Source] = {}  # one claim per voice, the nearest
    seen, queue = {entry.id}, list(entry.related)
    while queue and len(found) < MAX_OTHER_SIDE:
        point = by_id.get(queue.pop(0))
        if point is None or point.id in seen or not point.contested:
            continue
        seen.add(point.id)
        queue += point.related
        for source in point.sources:
            speaker, quote = voice(source.claimant), fold_typography(source.quote)
            if speaker in voices or any(quote in other for other in shown):
                continue
            held = found.get(speaker)
            if held is None or (held.claimant == source.claimant and fold_typography(held.quote) in quote):
                found[speaker] = source  # the longer quote of the same claim reads better
    return tuple(found.values())[:MAX_OTHER_SIDE]

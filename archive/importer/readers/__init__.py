"""Layout readers. Each text reader is a module with

    NAME                      its name, shown in the review page and the report
    detect(doc) -> float      how well the layout fits the lines no table took (0: not at all)
    read(doc) -> list[Item]   the items; every line it does not use goes to doc.metadata_lines
                              or doc.unplaced

    guesses(doc) -> bool      optional: True when its reading numbers the items by position
                              (no number or label in the source marks where an item starts)

Table readers (tables.py) run first and take their regions; the best-scoring text reader
then reads the rest. A reader that guesses the items' boundaries wins only where no reader
sees numbers or labels: an intro sentence listing “教育提质”、“健康惠民”… is not the list
when numbered items follow it.
"""
from . import headings, inline_list, labelled, paragraphs, progress

TEXT_READERS = (progress, headings, labelled, inline_list, paragraphs)


def choose(doc):
    """The text reader for the free lines of `doc`, or None when none recognises anything."""
    scored = []
    for k, reader in enumerate(TEXT_READERS):
        score = reader.detect(doc)
        if score > 0:
            guess = getattr(reader, "guesses", lambda _doc: False)(doc)
            scored.append((not guess, score, -k, reader))
    return max(scored, key=lambda s: s[:3])[3] if scored else None

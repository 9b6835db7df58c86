"""Layout readers. Each text reader is a module with

    NAME                      its name, shown in the review page and the report
    detect(doc) -> float      how well the layout fits the lines no table took (0: not at all)
    read(doc) -> list[Item]   the items; every line it does not use goes to doc.metadata_lines
                              or doc.unplaced

Table readers (tables.py) run first and take their regions; the best-scoring text reader
then reads the rest.
"""
from . import headings, inline_list, labelled, paragraphs, progress

TEXT_READERS = (progress, headings, labelled, inline_list, paragraphs)

"""The generic importer: the text of a published list → item files for an editor to review.

    read_document(lines) -> (items, unplaced, diagnosis)            (document.py)
    parse(text) -> ImportResult(items, metadata_lines, unplaced, …) (document.py)
    decode_bytes(data) -> (text, encoding)                          (decode.py)
    plan_list(result, …) / write_list(…)                            (files.py)

Layouts are read by the readers in readers/; field labels and their synonyms are data
(labels.yaml), and so are table column names (columns.yaml).
"""
from .decode import SourceDecodeError, decode_bytes
from .document import parse, read_document
from .files import WriteRefused, front_matter, item_file_text, list_yaml_text, plan_list, write_list
from .labels import load_labels
from .model import ImportResult, Item, ParsedItem

__all__ = ["ImportResult", "Item", "ParsedItem", "SourceDecodeError", "WriteRefused", "decode_bytes",
           "front_matter", "item_file_text", "list_yaml_text", "load_labels", "parse", "plan_list",
           "read_document", "write_list"]

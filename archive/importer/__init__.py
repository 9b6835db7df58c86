"""The generic importer: the text of a published list → item files for an editor to review.

    parse(text) -> ImportResult(items, metadata_lines, unplaced)   (parser.py)
    decode_bytes(data) -> (text, encoding)                          (decode.py)
    plan_list(result, …) / write_list(…)                            (files.py)

Field labels and their synonyms are data: labels.yaml.
"""
from .decode import SourceDecodeError, decode_bytes
from .files import WriteRefused, front_matter, item_file_text, list_yaml_text, plan_list, write_list
from .labels import load_labels
from .parser import ImportResult, ParsedItem, parse

__all__ = ["ImportResult", "ParsedItem", "SourceDecodeError", "WriteRefused", "decode_bytes",
           "front_matter", "item_file_text", "list_yaml_text", "load_labels", "parse", "plan_list",
           "write_list"]

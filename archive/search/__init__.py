"""Exact full-text search: text extraction, n-gram index writer, Traditional→Simplified table.

`archive.search_index.build_index` is the stage the build calls; this package holds its parts.
"""

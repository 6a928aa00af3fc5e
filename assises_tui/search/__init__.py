"""Search: the query language, the persisted word index and metadata filters.

No textual/rich here: the inbox and ``assises list --search`` share this code.
"""

from assises_tui.search.index import SearchIndex, signature
from assises_tui.search.query import FIELDS, Query, Term, parse_query, resolve_themes

__all__ = [
    "FIELDS",
    "Query",
    "SearchIndex",
    "Term",
    "parse_query",
    "resolve_themes",
    "signature",
]

"""Stored data: the Store protocol and its backends."""

from assises_tui.store.protocol import (
    Store,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreVersionError,
)

__all__ = ["Store", "StoreCorruptError", "StoreError", "StoreLockedError", "StoreVersionError"]

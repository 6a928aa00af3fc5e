"""Reusable Textual widgets: the contribution list, the reader view, the status line."""

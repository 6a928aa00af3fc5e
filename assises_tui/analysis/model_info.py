"""Figures of the theme model that light modules need without importing scikit-learn."""

from __future__ import annotations

KEYWORDS_THRESHOLD = 0.30  # a theme on keywords alone is suggested from this confidence

"""Textual screens: inbox, reader, help, prompts, import (and, from others, tags, synthesis…)."""

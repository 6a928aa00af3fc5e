"""The served workspace and the live server (defined in ``tests/web_support.py``)."""

from web_support import live_server, served_workspace  # noqa: F401

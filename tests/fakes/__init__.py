"""Test doubles shared by every test folder (one of each)."""

"""Assises: a terminal workbench for e-mailed public consultations."""

__version__ = "0.1.0"

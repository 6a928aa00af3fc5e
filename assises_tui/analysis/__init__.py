"""Analyses over the coded contributions: inter-coder agreement (double coding).

A layer below ``services/``: it reads and writes through the ``Store`` it is given, and
knows nothing of the interface or of the other services.
"""

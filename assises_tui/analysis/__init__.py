"""Analyses over the coded contributions, a layer below ``services/``.

* ``agreement.py``: inter-coder agreement (double coding); reads and writes through the
  ``Store`` it is given.
* the theme model (``features.py``, ``keywords.py``, ``model.py``, ``priority.py``): plain
  texts, label sets and configuration objects in, scores out; no store. scikit-learn does
  the learning.

Nothing here knows the interface or the other services.
"""

"""Text analysis below the services: theme models, no store, no Textual.

Everything here takes plain texts, label sets and configuration objects; the services above
(``suggest.py``) read the store and hand them in. scikit-learn does the learning.
"""

"""Deep Python's tested code: every snippet shown on the site lives here.

Find a post's code by its topic: ``activations``, ``losses``, ``layers``,
``network``, ``optim``, ``gradcheck``, ``data``; figures in ``snippets.figures``.
"""

__version__ = "0.1.0"

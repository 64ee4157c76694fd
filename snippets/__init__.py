"""Deep Python's tested code: every snippet shown on the site lives here.

Find a post's code by its topic: ``intro`` (the introduction), ``numpy_net`` and the
layer library ``activations``, ``losses``, ``layers``, ``network``, ``optim``,
``gradcheck``, ``data`` (deep learning from NumPy), ``autograd`` and ``frameworks``
(why frameworks), ``conv`` (convolutional networks); figures in ``snippets.figures``.
"""

__version__ = "0.1.0"

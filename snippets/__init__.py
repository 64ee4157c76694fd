"""Deep Python's tested code: every snippet shown on the site lives here.

Find a post's code by its topic:

- ``intro``: the introduction (a line fitted by gradient descent, a neuron, a
layer); - ``numpy_net``: deep learning from NumPy, the network by hand and the
digits runs; - the layer library: ``activations``, ``losses``, ``layers``,
``conv``, ``network``, ``optim``, ``gradcheck``, ``checks`` (input checks),
``data``; it imports nothing from the modules that train it; - ``autograd`` and
``frameworks``: why frameworks (an autograd engine, PyTorch, Keras); - ``cnn``:
the convolutional networks post's experiments, built from ``conv``; -
``timing``: the one timing helper; figures in ``snippets.figures``.
"""

__version__ = "0.1.0"

"""nnlib: the small numpy library that the course's chapters call.

Every public name carries a numpydoc docstring with its formula and the chapter that
teaches it. Submodules:

``nnlib.losses``       loss functions with values, gradients and reductions
``nnlib.activations``  sigmoid, relu, tanh, softmax, log_softmax and their derivatives
``nnlib.nn``           parameters, layers and ``Sequential``
``nnlib.optim``        SGD, Adagrad, RMSprop, Adam, AdamW (PyTorch's formulas)
``nnlib.schedules``    learning-rate schedules
``nnlib.data``         mini-batch iterator and small data sets
``nnlib.functions``    test objectives (quadratic, Rosenbrock) and the descend loop
``nnlib.gradcheck``    central-difference gradient checks
``nnlib.symbolic``     SymPy derivations the tests hold the numbers against
"""

__version__ = "0.1.0"

"""Executable Scientific Spaces: the library behind the book.

One module per result, each derived in a chapter of the book:

- :mod:`scispaces.verify`  -- how every chapter states and checks its claims (the ledger).
- :mod:`scispaces.cubic`   -- all roots of real cubics by the trigonometric method, vectorised.
- :mod:`scispaces.angles`  -- the angle between two random vectors in n dimensions.
- :mod:`scispaces.embedding` -- the entropy estimate behind the word-vector dimension n > 8.33 log N.
- :mod:`scispaces.sde`     -- Euler-Maruyama paths and a conservative Fokker-Planck solver.
- :mod:`scispaces.entropy`  -- softmax and attention entropy, its mean-field estimate, entropy normalisation.
- :mod:`scispaces.pgf`     -- generating functions: binomial to Poisson, Cauchy coefficients, TV distance.
- :mod:`scispaces.rtf`     -- linear-RNN kernels as rational functions; the Schur-Cohn stability test.
- :mod:`scispaces.losses`  -- binary losses and their gradients in log-sigmoid form; EXACT's toy optimum.
- :mod:`scispaces.dynamics` -- heavy ball and Nesterov as discretised dynamics; their temperature.
- :mod:`scispaces.linear_models` -- closed-form LDA; maximum-entropy (log-linear) models by Newton on the dual.
- :mod:`scispaces.smoothing` -- smoothing by an approximate delta; non-negative Fourier-series densities.
- :mod:`scispaces.simplex` -- softmax, sparsemax, entmax and perturb-max: scores to the probability simplex.
"""

__version__ = "0.1.0"

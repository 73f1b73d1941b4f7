"""One LSTM step in NumPy, and the sigmoid: the package's only copy of the LSTM cell's equations.

Chapter 3's stateful generator (:class:`dlbook.textgen.OneStep`), the command
line's sentiment reader (:class:`dlbook.tasks.SentimentReader`) and the live
panels' parity checks (``_ext/live_panels.py``) all run a trained Keras LSTM
through :func:`step`; the browser's own copy, ``_ext/static/panels/nn.js``, is
tested against it (``tests/browser/test_live_panels.py``).

Keras stores an LSTM's weights as ``kernel`` (inputs x 4 units),
``recurrent_kernel`` (units x 4 units) and ``bias`` (4 units), with the gate
blocks in the order input, forget, candidate, output.

Example:
    >>> input_gates = x @ kernel + bias           # depends only on the input
    >>> h, c = step(input_gates, h, c, recurrent_kernel)
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid", "step"]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))``, written as ``(1 + tanh(x / 2)) / 2``: the same function, and it cannot overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def step(input_gates: np.ndarray, h: np.ndarray, c: np.ndarray,
         recurrent_kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of a Keras LSTM cell (default activations: tanh, and sigmoid for the gates).

    Args:
        input_gates: ``x @ kernel + bias`` for this step's input, shape
            ``(batch, 4 * units)``. It depends only on the input, so a caller
            can compute it once per input symbol (a row of an embedding table
            times the kernel) and look it up.
        h, c: The state, each ``(batch, units)``.
        recurrent_kernel: ``(units, 4 * units)``.

    Returns:
        The new ``(h, c)``.
    """
    gates = input_gates + h @ recurrent_kernel
    i, f, g, o = np.split(gates, 4, axis=-1)  # Keras' gate order: input, forget, candidate, output
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, c

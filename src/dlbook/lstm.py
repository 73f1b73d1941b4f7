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

:func:`plot_cell` draws the same equations as a diagram of the cell (chapter 3).
"""

from __future__ import annotations

import numpy as np

__all__ = ["CELL_LABELS", "plot_cell", "sigmoid", "step"]


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


#: The gates as :func:`plot_cell` names them: Keras' order (input, forget,
#: candidate, output), each with its symbol in :func:`step`'s equations and
#: the function it applies.
CELL_LABELS = {
    "input": ("i_t", "\\sigma"),
    "forget": ("f_t", "\\sigma"),
    "candidate": ("g_t", "\\tanh"),
    "output": ("o_t", "\\sigma"),
}


def plot_cell(*, title: str = "Inside an LSTM cell: three gates and two states"):
    """A diagram of one LSTM cell: the state ``(h, c)``, the three gates and the candidate, as in :func:`step`.

    The cell state ``c`` runs along the top: the forget gate scales it and the
    input gate adds the tanh candidate to it. Below, ``h_{t-1}`` and the input
    ``x_t`` feed the four blocks, and the output gate scales ``tanh(c_t)``
    into the new ``h_t``. Lines and text are the book's mid grey
    (:data:`dlbook.plotting.INK`) on a transparent background, so the figure
    reads in the theme's light and dark modes; no text is smaller than
    :data:`dlbook.plotting.MIN_FONT_PT`.

    Returns:
        A :class:`matplotlib.figure.Figure`, 6 inches wide.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Ellipse, FancyBboxPatch

    from dlbook import plotting

    ink = plotting.INK
    size = max(plotting.MIN_FONT_PT, 11.0)
    fig, ax = plt.subplots(figsize=(6.0, 4.3))
    fig.patch.set_alpha(0)  # transparent in any style: the page's light or dark background shows
    ax.set_xlim(-0.1, 12.3)
    ax.set_ylim(-1.1, 6.9)
    ax.set_aspect("equal")
    ax.axis("off")

    def path(points, *, colour=ink, width=1.6, arrow=True):
        xs, ys = zip(*points)
        ax.plot(xs, ys, color=colour, lw=width, solid_capstyle="butt", zorder=1)
        if arrow:
            ax.annotate("", xy=points[-1], xytext=points[-2], zorder=1,
                        arrowprops=dict(arrowstyle="-|>,head_length=0.5,head_width=0.25", color=colour, lw=width,
                                        shrinkA=0, shrinkB=0))

    radius = 0.32

    def operation(x, y, symbol):
        ax.add_patch(Circle((x, y), radius, facecolor="none", edgecolor=ink, lw=1.6, zorder=2))
        ax.text(x, y, symbol, ha="center", va="center", fontsize=size + 2, color=ink, zorder=3)

    # Heights of the cell state's line, the input bus and the gates; the gates' places along the cell.
    c_line, bus, gate_y, half_width, half_height = 5.5, 0.9, 2.5, 0.86, 0.6
    gates = {"forget": 2.45, "input": 4.3, "candidate": 6.15, "output": 8.0}
    f_x, i_x, g_x, o_x = gates.values()
    product = ((i_x + g_x) / 2, 4.25)  # i_t * g_t
    x_in, x_out, right = 1.3, 9.7, 12.1
    ax.add_patch(FancyBboxPatch((0.8, 0.2), 9.8, 6.0, boxstyle="round,pad=0,rounding_size=0.4",
                                facecolor="none", edgecolor=ink, lw=1.0, ls="--", zorder=0))
    # The cell state: c_{t-1} -> x forget -> + candidate -> c_t, in one colour of the book's palette.
    state = "C1"
    path([(0.0, c_line), (f_x - radius, c_line)], colour=state, width=2.6, arrow=False)
    path([(f_x + radius, c_line), (product[0] - radius, c_line)], colour=state, width=2.6, arrow=False)
    path([(product[0] + radius, c_line), (right, c_line)], colour=state, width=2.6)
    ax.text(0.0, c_line + 0.3, "$c_{t-1}$", ha="left", va="bottom", fontsize=size, color=ink)
    ax.text(right, c_line + 0.3, "$c_t$", ha="right", va="bottom", fontsize=size, color=ink)
    # The inputs: h_{t-1} from the left, x_t from below, on one bus to the four blocks.
    path([(0.0, bus), (o_x, bus)], arrow=False)
    path([(x_in, -0.9), (x_in, bus)])
    ax.text(0.0, bus + 0.2, "$h_{t-1}$", ha="left", va="bottom", fontsize=size, color=ink)
    ax.text(x_in + 0.2, -0.9, "$x_t$", ha="left", va="bottom", fontsize=size, color=ink)
    box = dict(boxstyle="round,pad=0,rounding_size=0.15", zorder=2)
    for name, x in gates.items():
        symbol, function = CELL_LABELS[name]
        colour = "C2" if name == "candidate" else "C0"
        corner, width, height = (x - half_width, gate_y - half_height), 2 * half_width, 2 * half_height
        path([(x, bus), (x, gate_y - half_height)])
        ax.add_patch(FancyBboxPatch(corner, width, height, facecolor=colour, alpha=0.22, edgecolor="none", **box))
        ax.add_patch(FancyBboxPatch(corner, width, height, facecolor="none", edgecolor=colour, lw=1.6, **box))
        ax.text(x, gate_y + 0.22, name, ha="center", va="center", fontsize=plotting.MIN_FONT_PT, color=ink,
                zorder=3)
        ax.text(x, gate_y - 0.27, f"${function}$", ha="center", va="center", fontsize=size, color=ink, zorder=3)
        ax.text(x + 0.12, gate_y + 0.75, f"${symbol}$", ha="left", va="bottom", fontsize=size, color=ink, zorder=3)
    top = gate_y + half_height
    # forget: f_t * c_{t-1}.
    operation(f_x, c_line, "\u00d7")
    path([(f_x, top), (f_x, c_line - radius)])
    # input: i_t * g_t, added to the cell state.
    operation(*product, "\u00d7")
    path([(i_x, top), (i_x, product[1]), (product[0] - radius, product[1])])
    path([(g_x, top), (g_x, product[1]), (product[0] + radius, product[1])])
    operation(product[0], c_line, "+")
    path([(product[0], product[1] + radius), (product[0], c_line - radius)])
    # output: h_t = o_t * tanh(c_t).
    ax.add_patch(Ellipse((x_out, 4.0), 1.3, 0.62, facecolor="none", edgecolor="C2", lw=1.6, zorder=2))
    ax.text(x_out, 4.0, "$\\tanh$", ha="center", va="center", fontsize=size, color=ink, zorder=3)
    path([(x_out, c_line), (x_out, 4.31)])
    operation(x_out, gate_y, "\u00d7")
    path([(x_out, 3.69), (x_out, gate_y + radius)])
    path([(o_x + half_width, gate_y), (x_out - radius, gate_y)])
    path([(x_out, gate_y - radius), (x_out, bus), (right, bus)])
    ax.text(right, bus + 0.2, "$h_t$", ha="right", va="bottom", fontsize=size, color=ink)
    ax.set_title(title, color=ink)
    fig.tight_layout()
    return fig

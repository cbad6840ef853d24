"""Figures for deep-learning concepts."""

import numpy as np

from generator import figure


def _rings(rng, n):
    """Two noisy concentric rings: inner (radius 1) and outer (radius 2.3)."""
    t = rng.uniform(0, 2 * np.pi, size=(2, n))
    r_in = 1.0 + 0.12 * rng.normal(size=n)
    r_out = 2.3 + 0.12 * rng.normal(size=n)
    inner = np.c_[r_in * np.cos(t[0]), r_in * np.sin(t[0])]
    outer = np.c_[r_out * np.cos(t[1]), r_out * np.sin(t[1])]
    return inner, outer


@figure
def neural_network_composition_fold(fig, *, n=120, rng, theme):
    """Rings -> ReLU layer folds the plane into one quadrant -> linear score splits them."""
    inner, outer = _rings(rng, n)
    relu = lambda z: np.maximum(z, 0.0)

    def layer1(p):  # four ReLU units relu(+-x1), relu(+-x2), summed in pairs: (|x1|, |x2|)
        return np.c_[relu(p[:, 0]) + relu(-p[:, 0]), relu(p[:, 1]) + relu(-p[:, 1])]

    def layer2(h):  # one linear unit
        return h[:, 0] + h[:, 1]

    axes = fig.subplots(1, 3)
    a, b, c = axes
    for pts, col in ((inner, "C0"), (outer, "C1")):
        a.scatter(pts[:, 0], pts[:, 1], s=9, color=col, alpha=0.8, lw=0)
    a.set_xlim(-2.9, 2.9)
    a.set_ylim(-2.9, 2.9)

    hi, ho = layer1(inner), layer1(outer)
    for pts, col in ((hi, "C0"), (ho, "C1")):
        b.scatter(pts[:, 0], pts[:, 1], s=9, color=col, alpha=0.8, lw=0)
    xs = np.array([-0.1, 2.1])
    b.plot(xs, 2.0 - xs, "--", color=theme.foreground, lw=2)
    b.axhline(0, color=theme.muted, lw=1)
    b.axvline(0, color=theme.muted, lw=1)
    b.set_xlim(-0.3, 3.0)
    b.set_ylim(-0.3, 3.0)

    si, so = layer2(hi), layer2(ho)
    c.scatter(rng.uniform(-1, 1, n), si, s=9, color="C0", alpha=0.8, lw=0)
    c.scatter(rng.uniform(-1, 1, n), so, s=9, color="C1", alpha=0.8, lw=0)
    c.axhline(2.0, ls="--", color=theme.foreground, lw=2)
    c.set_xlim(-1.5, 1.5)
    c.set_ylim(0.3, 3.7)

    titles = ("input", "after layer 1", "after layer 2")
    notes = (
        "no line\nseparates",
        "ReLUs fold the\nplane: a line\nseparates",
        "one score:\na threshold\nseparates",
    )
    for ax, title, note in zip(axes, titles, notes):
        ax.set_box_aspect(1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_title(title, loc="center")
        ax.text(
            0.5, -0.06, note, transform=ax.transAxes, ha="center", va="top", color=theme.foreground
        )


@figure
def nonlinearity_relu_sum(fig, *, hinges=(-2.1, -0.9, 0.5, 1.6, 2.6), theme):
    """A smooth curve rebuilt as a line plus a few ReLU hinges, each bending at one point."""
    x = np.linspace(-3.2, 3.2, 400)
    target = np.sin(x)
    k = np.r_[-3.2, hinges, 3.2]  # interpolation points; the inner ones are the hinges
    yk = np.sin(k)
    slopes = np.diff(yk) / np.diff(k)
    bends = np.diff(slopes)  # change of slope at each inner knot = weight of one ReLU unit
    relu = lambda z: np.maximum(z, 0.0)
    terms = [w * relu(x - c) for w, c in zip(bends, k[1:-1])]
    fit = yk[0] + slopes[0] * (x - k[0]) + sum(terms)

    left, right = fig.subplots(1, 2)
    for i, (t, c) in enumerate(zip(terms, k[1:-1])):
        left.plot(x, t, color=f"C{i % 6}", lw=2.2)
    left.set_title("ReLU units:\neach bends once", loc="center")
    left.set_ylim(-2.2, 2.2)

    right.plot(x, target, "--", color=theme.muted, lw=2.2)
    right.plot(x, fit, color=theme.foreground, lw=2.8)
    for i, c in enumerate(k[1:-1]):
        right.plot([c], [np.sin(c)], "o", color=f"C{i % 6}", ms=10, zorder=3)
    right.set_title("their sum (plus a line)\ntracks a curve", loc="center")
    right.text(-0.4, -1.1, "target", color=theme.muted, ha="left")
    right.set_ylim(-1.4, 1.4)
    for ax in (left, right):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.axhline(0, color=theme.grid, lw=1, zorder=0)


@figure
def backpropagation_chain(ax, *, theme):
    """Forward values left to right; local derivatives multiplied right to left."""
    from matplotlib.patches import Circle

    names = [r"$w_1$", r"$h_1$", r"$h_2$", r"$L$"]
    xs = [1.0, 4.0, 7.0, 10.0]
    y = 3.0
    for x, name in zip(xs, names):
        ax.add_patch(
            Circle(
                (x, y),
                0.62,
                facecolor=theme.background,
                edgecolor=theme.foreground,
                lw=2.2,
                zorder=3,
            )
        )
        ax.text(x, y, name, ha="center", va="center", fontsize=15, zorder=4)
    # forward pass: straight arrows above
    for a, b in zip(xs[:-1], xs[1:]):
        ax.annotate(
            "",
            xy=(b - 0.7, y + 0.25),
            xytext=(a + 0.7, y + 0.25),
            arrowprops={"arrowstyle": "-|>", "color": "C0", "lw": 2.4, "mutation_scale": 18},
        )
    ax.text(
        5.5, y + 1.35, "forward: compute and store each value", color="C0", ha="center", va="center"
    )
    # backward pass: curved arrows below, each labelled with its local derivative
    local = [
        r"$\partial h_1/\partial w_1$",
        r"$\partial h_2/\partial h_1$",
        r"$\partial L/\partial h_2$",
    ]
    for (a, b), lab in zip(zip(xs[:-1], xs[1:]), local):
        ax.annotate(
            "",
            xy=(a + 0.45, y - 0.5),
            xytext=(b - 0.45, y - 0.5),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "C1",
                "lw": 2.4,
                "mutation_scale": 18,
                "connectionstyle": "arc3,rad=-0.45",
            },
        )
        ax.text((a + b) / 2, y - 1.55, lab, color="C1", ha="center", va="center", fontsize=13)
    ax.text(5.5, y - 2.45, "backward: multiply local slopes", color="C1", ha="center", va="center")
    ax.text(
        5.5,
        y - 3.65,
        r"$\dfrac{\partial L}{\partial w_1}=\dfrac{\partial L}{\partial h_2}\cdot"
        r"\dfrac{\partial h_2}{\partial h_1}\cdot\dfrac{\partial h_1}{\partial w_1}$",
        ha="center",
        va="center",
        fontsize=16,
        color=theme.foreground,
    )
    ax.set_xlim(0, 11)
    ax.set_ylim(-1.25, 4.5)
    ax.set_aspect("equal")
    ax.axis("off")


def _grad_norms_per_layer(rng, depth, width, act, w_scale, residual=False, batch=32):
    """Backpropagate a random output gradient through a random deep MLP and record
    the gradient norm reaching each layer's input (layer 1 = nearest the input)."""
    fns = {
        "sigmoid": (
            lambda z: 1 / (1 + np.exp(-z)),
            lambda z: (s := 1 / (1 + np.exp(-z))) * (1 - s),
        ),
        "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
        "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    }
    f, df = fns[act]
    h = rng.normal(size=(batch, width))
    cache = []
    for _ in range(depth):
        W = rng.normal(size=(width, width)) * w_scale / np.sqrt(width)
        z = h @ W
        cache.append((W, z))
        h = h + f(z) if residual else f(z)
    g = rng.normal(size=(batch, width))
    norms = []
    for W, z in reversed(cache):
        back = (g * df(z)) @ W.T
        g = g + back if residual else back
        norms.append(np.linalg.norm(g) / np.sqrt(batch))
    return np.array(norms[::-1])


@figure
def vanishing_gradients_depth(ax, *, depth=30, width=64, rng):
    """Per-layer gradient size in three random deep networks whose per-layer factor is about
    0.8 (tanh, small weights), 1 (ReLU, He init) and 1.25 (ReLU, weights too large)."""
    layers = np.arange(1, depth + 1)
    runs = [
        (
            "×0.8 per layer: vanishes",
            "C0",
            _grad_norms_per_layer(rng, depth, width, "tanh", 0.8),
            (depth - 1, 1e-2, "left", "top"),
        ),
        (
            "×1: steady",
            "C2",
            _grad_norms_per_layer(rng, depth, width, "relu", np.sqrt(2)),
            (1.5, 1.8, "right", "bottom"),
        ),
        (
            "×1.25 per layer: explodes",
            "C1",
            _grad_norms_per_layer(rng, depth, width, "relu", 1.25 * np.sqrt(2)),
            (depth - 1, 10**2.3, "left", "bottom"),
        ),
    ]
    for label, col, g, (tx, ty, ha, va) in runs:
        g = g / g[-1]  # relative to the gradient arriving at the last layer
        ax.semilogy(layers, g, color=col)
        ax.text(tx, ty, label, color=col, ha=ha, va=va)
    ax.set_xlabel("layer, from output back to input")
    ax.set_ylabel("gradient size")
    ax.set_xlim(depth + 0.5, 0.5)
    ax.set_xticks([depth, 1], ["last", "first"])
    ax.set_ylim(1e-4, 1e4)


@figure
def vanishing_gradients_sigmoid_slope(ax, *, reveal=True, theme):
    """The sigmoid and its slope: the slope peaks at 1/4 and is nearly 0 once saturated.
    With reveal=False (the front-of-card cue) the curves carry names only, not the verdicts."""
    x = np.linspace(-8, 8, 400)
    s = 1 / (1 + np.exp(-x))
    ds = s * (1 - s)
    for side in (-1, 1):
        ax.axvspan(side * 4, side * 8, color=theme.grid, lw=0, zorder=0)
    ax.plot(x, s, color="C0")
    ax.plot(x, ds, color="C1")
    ax.axhline(0.25, color="C1", lw=1.2, ls=":")
    ax.text(-7.6, 0.83, r"sigmoid $\sigma(x)$", color="C0", ha="left")
    slope_label = r"slope $\sigma'(x)$: at most 1/4" if reveal else r"slope $\sigma'(x)$"
    ax.text(0.5, 0.29, slope_label, color="C1", ha="left")
    if reveal:
        ax.text(-6, 0.45, "flat:\nslope ≈ 0", color=theme.foreground, ha="center", va="center")
        ax.text(6, 0.45, "flat:\nslope ≈ 0", color=theme.foreground, ha="center", va="center")
    ax.set_xlim(-8, 8)
    ax.set_ylim(-0.03, 1.05)
    ax.set_yticks([0, 0.25, 0.5, 1])
    ax.set_yticklabels(["0", "¼", "½", "1"])
    ax.set_xticks([-8, -4, 0, 4, 8])
    ax.set_xlabel("input to the unit")


@figure
def residual_connections_gradient(ax, *, depth=30, width=64, rng):
    """The same random sigmoid layers stacked plainly and with identity shortcuts:
    gradient size reaching each layer."""
    layers = np.arange(1, depth + 1)
    seed = int(rng.integers(1 << 30))  # identical weights and inputs for both wirings
    plain = _grad_norms_per_layer(np.random.default_rng(seed), depth, width, "sigmoid", 1.0)
    resid = _grad_norms_per_layer(
        np.random.default_rng(seed), depth, width, "sigmoid", 1.0, residual=True
    )
    ax.semilogy(layers, resid / resid[-1], color="C2")
    ax.semilogy(layers, plain / plain[-1], color="C1")
    ax.text(depth - 1, 3, r"residual: $x + F(x)$", color="C2", ha="left", va="bottom")
    ax.text(depth * 0.55, 1e-6, r"plain: $F(x)$", color="C1", ha="left", va="top")
    ax.set_xlim(depth + 0.5, 0.5)
    ax.set_xticks([depth, 1], ["last", "first"])
    ax.set_ylim(1e-19, 1e3)
    ax.set_yticks([1e-15, 1e-10, 1e-5, 1])
    ax.set_xlabel("layer, from output back to input")
    ax.set_ylabel("gradient size")
    ax.set_title("same sigmoid layers, two wirings")


def _box(ax, x, y, w, h, text, theme, color=None, fontsize=None):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            facecolor=theme.background,
            edgecolor=color or theme.foreground,
            lw=2.2,
            zorder=3,
        )
    )
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        color=color or theme.foreground,
        zorder=4,
        fontsize=fontsize,
    )


def _arrow(ax, start, end, color, rad=0.0, lw=2.4):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": lw,
            "mutation_scale": 18,
            "shrinkA": 0,
            "shrinkB": 0,
            "connectionstyle": f"arc3,rad={rad}",
        },
    )


@figure
def residual_connections_block(ax, *, theme):
    """A residual block: the input goes through the layers F and around them, and the two add."""
    from matplotlib.patches import Circle

    y = 1.0
    ax.text(0.2, y, r"$x$", ha="center", va="center", fontsize=16)
    _box(ax, 3.0, y, 1.9, 0.9, "layer", theme)
    _box(ax, 5.6, y, 1.9, 0.9, "layer", theme)
    ax.add_patch(
        Circle(
            (8.0, y), 0.38, facecolor=theme.background, edgecolor=theme.foreground, lw=2.2, zorder=3
        )
    )
    ax.text(8.0, y, "+", ha="center", va="center", fontsize=18, zorder=4)
    ax.text(10.0, y, r"$x + F(x)$", ha="center", va="center", fontsize=15)
    _arrow(ax, (0.5, y), (2.05, y), theme.foreground)
    _arrow(ax, (3.95, y), (4.65, y), theme.foreground)
    _arrow(ax, (6.55, y), (7.62, y), theme.foreground)
    _arrow(ax, (8.38, y), (9.0, y), theme.foreground)
    ax.text(
        4.3,
        y - 1.0,
        r"$F(x)$: a learned correction",
        ha="center",
        va="center",
        color=theme.foreground,
    )
    # the identity shortcut, arching over the layers
    ax.plot([1.2, 1.2], [y, y + 1.6], color="C2", lw=3)
    ax.plot([1.2, 8.0], [y + 1.6, y + 1.6], color="C2", lw=3)
    ax.annotate(
        "",
        xy=(8.0, y + 0.4),
        xytext=(8.0, y + 1.62),
        arrowprops={
            "arrowstyle": "-|>",
            "color": "C2",
            "lw": 3,
            "mutation_scale": 20,
            "shrinkA": 0,
            "shrinkB": 0,
        },
    )
    ax.text(
        4.6,
        y + 1.85,
        r"identity shortcut: $x$ passes unchanged",
        color="C2",
        ha="center",
        va="bottom",
    )
    ax.set_xlim(-0.2, 11.2)
    ax.set_ylim(-0.3, 3.1)
    ax.set_aspect("equal")
    ax.axis("off")


@figure
def dropout_thinned(fig, *, sizes=(3, 5, 5, 2), p_drop=0.5, steps=3, rng, theme):
    """The same network at three training steps, each with a different random set of hidden
    units dropped: a different thinned network that shares the same weights."""
    axes = fig.subplots(1, steps)
    xs = np.arange(len(sizes)) * 1.0
    masks = []
    while len(masks) < steps:  # fresh masks, every hidden layer keeps at least 2 units
        m = (
            [np.ones(sizes[0], bool)]
            + [rng.random(n) > p_drop for n in sizes[1:-1]]
            + [np.ones(sizes[-1], bool)]
        )
        if all(layer.sum() >= 2 for layer in m[1:-1]) and not any(
            all((a == b).all() for a, b in zip(m, old)) for old in masks
        ):
            masks.append(m)
    for step, (ax, mask) in enumerate(zip(axes, masks), 1):
        ys = [np.linspace(-(n - 1) / 2, (n - 1) / 2, n) * 0.9 for n in sizes]
        for i in range(len(sizes) - 1):
            for a, ya in enumerate(ys[i]):
                for b, yb in enumerate(ys[i + 1]):
                    if mask[i][a] and mask[i + 1][b]:
                        ax.plot([xs[i], xs[i + 1]], [ya, yb], color=theme.muted, lw=1.1, zorder=1)
        for i, n in enumerate(sizes):
            for a, ya in enumerate(ys[i]):
                if mask[i][a]:
                    ax.plot(xs[i], ya, "o", ms=13, color="C0", zorder=3)
                else:
                    ax.plot(
                        xs[i], ya, "o", ms=13, mfc=theme.background, mec=theme.grid, mew=2, zorder=3
                    )
                    ax.plot(xs[i], ya, "x", ms=9, color="C1", mew=2.4, zorder=4)
        ax.set_title(f"step {step}", loc="center")
        ax.set_xlim(-0.4, xs[-1] + 0.4)
        ax.set_ylim(-2.3, 2.3)
        ax.axis("off")
    fig.supxlabel(
        "each step trains a different thinned network;\nall of them share one set of weights",
        color=theme.foreground,
        fontsize=12,
    )


def _correlate2d(image, kernel):
    """'Same'-size 2-D cross-correlation with zero padding (what deep-learning libraries call convolution)."""
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    out = np.zeros_like(image, dtype=float)
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * padded[i : i + image.shape[0], j : j + image.shape[1]]
    return out


def _tint(values, colour, theme):
    """RGB image blending the background (value 0) towards `colour` (value 1)."""
    from matplotlib.colors import to_rgb

    bg, fg = np.array(to_rgb(theme.background)), np.array(to_rgb(colour))
    v = np.clip(values, 0, 1)[..., None]
    return bg + v * (fg - bg)


def _pixel_grid(ax, n, theme):
    for k in range(n + 1):
        ax.axhline(k - 0.5, color=theme.grid, lw=0.8)
        ax.axvline(k - 0.5, color=theme.grid, lw=0.8)


@figure
def convolution_shift(fig, *, size=10, theme):
    """A small 'L' corner in an image and the map of one 3x3 corner filter applied everywhere;
    shifting the image shifts the map by the same amount."""
    from matplotlib.patches import Rectangle

    pattern = np.array([[1, 0, 0], [1, 0, 0], [1, 1, 1]], float)
    kernel = pattern - pattern.mean()  # a zero-mean corner detector
    axes = fig.subplots(2, 2)
    for row, (r, c) in enumerate([(1, 1), (5, 6)]):
        image = np.zeros((size, size))
        image[r : r + 3, c : c + 3] = pattern
        response = np.maximum(_correlate2d(image, kernel), 0)
        left, right = axes[row]
        left.imshow(_tint(image, theme.foreground, theme))
        right.imshow(_tint(response / response.max(), theme.palette[0], theme))
        left.add_patch(
            Rectangle((c - 0.5, r - 0.5), 3, 3, fill=False, ec=theme.palette[1], lw=2.5, zorder=5)
        )
        pr, pc = np.unravel_index(np.argmax(response), response.shape)
        right.add_patch(
            Rectangle((pc - 0.5, pr - 0.5), 1, 1, fill=False, ec=theme.palette[1], lw=2.5, zorder=5)
        )
        for ax in (left, right):
            _pixel_grid(ax, size, theme)
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_visible(True)
                spine.set_color(theme.muted)
    axes[0, 0].set_title("input", loc="center")
    axes[0, 1].set_title("map of one 3×3 filter", loc="center")
    axes[0, 0].set_ylabel("original")
    axes[1, 0].set_ylabel("shifted")


@figure
def convolution_as_matrix(fig, *, n=12, rng, theme):
    """Weight matrices of a dense layer and of a 1-D convolution with a 3-tap filter
    (input length n to output length n): all entries free versus three values repeated
    along diagonals, zeros elsewhere."""
    from matplotlib.colors import to_rgb

    left, right = fig.subplots(1, 2)
    dense = rng.uniform(0.15, 1.0, size=(n, n))
    left.imshow(_tint(dense, theme.palette[0], theme))
    left.set_title(f"dense layer:\n{n * n} free weights", loc="center")

    conv = np.tile(np.array(to_rgb(theme.background)), (n, n, 1))
    taps = [theme.palette[1], theme.palette[0], theme.palette[2]]
    for i in range(n):
        for k, colour in zip((-1, 0, 1), taps):
            if 0 <= i + k < n:
                conv[i, i + k] = to_rgb(colour)
    right.imshow(conv)
    right.set_title("convolution:\n3 weights, reused", loc="center")
    for ax in (left, right):
        _pixel_grid(ax, n, theme)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("input position")
        for spine in ax.spines.values():
            spine.set_visible(True)
            spine.set_color(theme.muted)
    left.set_ylabel("output position")


# A toy corpus summary: how often each word appears next to each context word. Embeddings are
# computed from it the classic way (log counts -> truncated SVD, i.e. latent semantic analysis).
_EMB_WORDS = ["cat", "dog", "horse", "apple", "banana", "cherry", "car", "bus", "train"]
_EMB_COUNTS = np.array(
    [
        # pet feed run eat ripe peel drive ride ticket fast
        [9, 6, 4, 3, 0, 0, 0, 0, 0, 2],  # cat
        [9, 7, 7, 3, 0, 0, 0, 0, 0, 3],  # dog
        [2, 6, 8, 2, 0, 0, 0, 6, 0, 5],  # horse
        [0, 0, 0, 9, 7, 3, 0, 0, 0, 0],  # apple
        [0, 0, 0, 8, 8, 9, 0, 0, 0, 0],  # banana
        [0, 0, 0, 7, 8, 1, 0, 0, 0, 0],  # cherry
        [0, 0, 0, 0, 0, 0, 9, 3, 0, 7],  # car
        [0, 0, 0, 0, 0, 0, 6, 8, 7, 2],  # bus
        [0, 0, 0, 0, 0, 0, 1, 8, 9, 6],  # train
    ],
    float,
)
_EMB_GROUPS = [0, 0, 0, 1, 1, 1, 2, 2, 2]


def _toy_embeddings(k=3):
    """Unit-length k-dimensional word vectors from the toy co-occurrence counts."""
    u, s, _ = np.linalg.svd(np.log1p(_EMB_COUNTS), full_matrices=False)
    e = u[:, :k] * s[:k]
    return e / np.linalg.norm(e, axis=1, keepdims=True)


@figure
def embeddings_map(ax, *, theme):
    """Word vectors learned from co-occurrence, projected to 2-D: words used alike land together."""
    e = _toy_embeddings()
    x = e - e.mean(0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    pts = x @ vt[:2].T
    pts = pts * np.sign(
        pts[_EMB_WORDS.index("apple")] + 1e-12
    )  # fixed orientation: fruit upper right
    centre = pts.mean(0)
    for (px, py), g in zip(pts, _EMB_GROUPS):
        ax.plot(px, py, "o", ms=11, color=f"C{g}", zorder=3)
    # words that sit (nearly) on top of each other share one stacked label, placed outward
    stacks = []
    for i in range(len(pts)):
        for stack in stacks:
            if min(np.linalg.norm(pts[i] - pts[j]) for j in stack) < 0.15:
                stack.append(i)
                break
        else:
            stacks.append([i])
    for stack in stacks:
        c = pts[stack].mean(0)
        right = c[0] >= centre[0]
        order = sorted(stack, key=lambda j: -pts[j, 1])
        x0 = pts[stack, 0].max() + 0.09 if right else pts[stack, 0].min() - 0.09
        for n, j in enumerate(order):
            y = c[1] + (len(order) - 1) / 2 * 0.13 - n * 0.13
            ax.text(
                x0,
                y,
                _EMB_WORDS[j],
                color=f"C{_EMB_GROUPS[j]}",
                ha="left" if right else "right",
                va="center",
            )
    ax.set_aspect("equal")
    ax.set_xlim(pts[:, 0].min() - 0.5, pts[:, 0].max() + 0.5)
    ax.set_ylim(pts[:, 1].min() - 0.3, pts[:, 1].max() + 0.3)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


@figure
def embeddings_similarity(fig, *, theme):
    """Cosine similarity between every pair of words: one-hot codes versus learned embeddings."""
    e = _toy_embeddings()
    n = len(_EMB_WORDS)
    left, right = fig.subplots(1, 2)
    for ax, sim, title in (
        (left, np.eye(n), "one-hot codes"),
        (right, np.clip(e @ e.T, 0, 1), "embeddings"),
    ):
        ax.imshow(sim, cmap=theme.cmap, vmin=0, vmax=1)
        ax.set_title(title, loc="center")
        ax.set_xticks([])
        ax.set_yticks(range(n), _EMB_WORDS if ax is left else [])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    left.set_xlabel("any two words: 0")
    right.set_xlabel("similar words: high")


# A toy self-attention layer with hand-set queries and keys. Key features: what a token offers
# (noun, predicate, pronoun, function word); query features: what a token looks for.
_ATT_TOKENS = ["the", "cat", "sat", "because", "it", "was", "tired"]
_ATT_KEYS = np.array(
    [
        # noun predicate pronoun function
        [0, 0, 0, 1],  # the
        [1, 0, 0, 0],  # cat
        [0, 1, 0, 0],  # sat
        [0, 0, 0, 1],  # because
        [0.6, 0, 1, 0],  # it
        [0, 0.6, 0, 0.6],  # was
        [0, 1, 0, 0],  # tired
    ],
    float,
)
_ATT_QUERIES = np.array(
    [
        [1, 0, 0, 0],  # the     -> looks for its noun
        [0, 1, 0, 0],  # cat     -> looks for what it does
        [1, 0, 0, 0],  # sat     -> looks for its subject
        [0, 1, 0, 0.3],  # because -> looks for the clause it links
        [1, 0, 0, 0],  # it      -> looks for its referent noun
        [0.3, 0, 1, 0],  # was     -> looks for its subject, the pronoun
        [0.5, 0, 1, 0],  # tired   -> looks for who is tired
    ],
    float,
)


def _toy_attention(sharpness=4.0):
    """Softmax over keys of the query-key dot products (sharpness stands in for the learned scale)."""
    scores = sharpness * _ATT_QUERIES @ _ATT_KEYS.T
    scores -= scores.max(1, keepdims=True)
    w = np.exp(scores)
    return w / w.sum(1, keepdims=True)


@figure
def attention_weights(ax, *, theme):
    """Attention weights of a toy self-attention layer: row = token being updated, column = token
    attended to; each row is a softmax, so it sums to 1."""
    w = _toy_attention()
    n = len(_ATT_TOKENS)
    ax.imshow(_tint(w, theme.palette[0], theme))
    _pixel_grid(ax, n, theme)
    for i in range(n):
        for j in range(n):
            if w[i, j] >= 0.1:
                ax.text(
                    j,
                    i,
                    f"{w[i, j]:.1f}".lstrip("0"),
                    ha="center",
                    va="center",
                    color=theme.background if w[i, j] > 0.5 else theme.foreground,
                )
    ax.set_xticks(range(n), _ATT_TOKENS, rotation=50, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(n), _ATT_TOKENS)
    ax.tick_params(length=0)
    ax.set_xlabel("attends to (keys)")
    ax.set_ylabel("token being updated\n(queries)")
    for spine in ax.spines.values():
        spine.set_visible(False)


@figure
def attention_weighted_average(ax, *, token="because", theme):
    """One token's output: the weighted average of every token's value vector (here 2-D),
    with the weights from that token's row of the toy attention matrix."""
    values = np.array(
        [[-2.8, 0.9], [-1.6, 2.2], [0.2, 2.4], [2.4, 2.0], [-2.6, -1.2], [-0.4, -2.0], [2.6, -1.4]]
    )
    w = _toy_attention()[_ATT_TOKENS.index(token)]
    out = w @ values
    for v, wi in zip(values, w):
        ax.plot(
            [out[0], v[0]],
            [out[1], v[1]],
            color="C0",
            lw=0.6 + 7 * wi,
            alpha=0.35 + 0.65 * wi,
            solid_capstyle="round",
            zorder=1,
        )
    for v, wi, name in zip(values, w, _ATT_TOKENS):
        ax.plot(*v, "o", ms=9, color=theme.muted if wi < 0.1 else "C0", zorder=3)
        label = f"{name}  {wi:.1f}".replace("0.", ".") if wi >= 0.05 else name
        below = v[1] < 0
        ax.text(
            v[0],
            v[1] - 0.38 if below else v[1] + 0.38,
            label,
            ha="center",
            va="top" if below else "bottom",
            color=theme.foreground if wi >= 0.1 else theme.muted,
        )
    ax.plot(*out, "*", ms=22, color="C1", zorder=4)
    ax.text(out[0] + 0.4, out[1], f"output for\n'{token}'", color="C1", ha="left", va="center")
    ax.set_aspect("equal")
    ax.set_xlim(-3.6, 4.2)
    ax.set_ylim(-3.0, 3.35)
    ax.set_title("values (points), weights (line widths)", loc="center", color=theme.muted)
    ax.axis("off")

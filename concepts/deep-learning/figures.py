"""Figures for deep-learning concepts."""

import numpy as np

from generator import arrow, figure


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
    With reveal=False (the front-of-card cue) only the two named curves are drawn: no peak value,
    no marked flat regions, no verdicts."""
    x = np.linspace(-8, 8, 400)
    s = 1 / (1 + np.exp(-x))
    ds = s * (1 - s)
    if reveal:
        for side in (-1, 1):
            ax.axvspan(side * 4, side * 8, color=theme.grid, lw=0, zorder=0)
        ax.axhline(0.25, color="C1", lw=1.2, ls=":")
    ax.plot(x, s, color="C0")
    ax.plot(x, ds, color="C1")
    ax.text(-7.6, 0.83, r"sigmoid $\sigma(x)$", color="C0", ha="left")
    slope_label = r"slope $\sigma'(x)$: at most 1/4" if reveal else r"slope $\sigma'(x)$"
    ax.text(0.5, 0.29, slope_label, color="C1", ha="left")
    if reveal:
        ax.text(-6, 0.45, "flat:\nslope ≈ 0", color=theme.foreground, ha="center", va="center")
        ax.text(6, 0.45, "flat:\nslope ≈ 0", color=theme.foreground, ha="center", va="center")
        ax.set_yticks([0, 0.25, 0.5, 1])
        ax.set_yticklabels(["0", "¼", "½", "1"])
    else:
        ax.set_yticks([0, 0.5, 1])
        ax.set_yticklabels(["0", "½", "1"])
    ax.set_xlim(-8, 8)
    ax.set_ylim(-0.03, 1.05)
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


# A word with two unrelated senses, folded into the same space (LSA fold-in): "jaguar" shares
# contexts with the animals (feed, run) and with the vehicles (drive, fast).
_EMB_POLYSEMOUS = ("jaguar", np.array([0, 4, 6, 0, 0, 0, 6, 1, 0, 6], float))


@figure
def embeddings_map(ax, *, polysemous=False, theme):
    """Word vectors learned from co-occurrence, projected to 2-D: words used alike land together.
    With polysemous=True a two-sense word ("jaguar": the cat and the car) is folded in and lands
    between its senses."""
    logs = np.log1p(_EMB_COUNTS)
    _, _, v = np.linalg.svd(logs, full_matrices=False)
    e = logs @ v[:3].T  # = U S: 3-D word vectors
    mean = e.mean(0)
    _, _, vt = np.linalg.svd(e - mean, full_matrices=False)
    pts = (e - mean) @ vt[:2].T
    flip = np.sign(pts[_EMB_WORDS.index("apple")] + 1e-12)  # fixed orientation: fruit lower right
    flip = flip * np.array([1, -1])
    pts = pts * flip
    words, groups = list(_EMB_WORDS), list(_EMB_GROUPS)
    if polysemous:
        name, counts = _EMB_POLYSEMOUS
        extra = ((np.log1p(counts) @ v[:3].T - mean) @ vt[:2].T) * flip
        pts = np.vstack([pts, extra])
        words.append(name)
        groups.append(4)
    # label placement: each word to the side that faces away from its group's centre
    for i, ((px, py), g) in enumerate(zip(pts, groups)):
        colour = f"C{g}"
        ax.plot(px, py, "o", ms=9, color=colour, zorder=3)
        members = [j for j, h in enumerate(groups) if h == g]
        cx, cy = pts[members].mean(0)
        dx, dy = px - cx, py - cy
        if len(members) == 1:
            dx, dy = 0.0, 1.0
        if abs(dx) >= abs(dy):
            off = (0.22 if dx >= 0 else -0.22, 0.0)
            ha, va = ("left" if dx >= 0 else "right"), "center"
        else:
            off = (0.0, 0.25 if dy >= 0 else -0.25)
            ha, va = "center", ("bottom" if dy >= 0 else "top")
        ax.text(
            px + off[0],
            py + off[1],
            words[i],
            color=colour,
            ha=ha,
            va=va,
            fontweight="bold" if g == 4 else None,
        )
    ax.set_aspect("equal")
    ax.set_xlim(pts[:, 0].min() - 1.3, pts[:, 0].max() + 1.3)
    ax.set_ylim(pts[:, 1].min() - 0.7, pts[:, 1].max() + 0.7)
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
    for ax, sim, title, note in (
        (left, np.eye(n), "one-hot codes", "any two words: 0"),
        (right, np.clip(e @ e.T, 0, 1), "embeddings", "similar words: high"),
    ):
        ax.imshow(sim, cmap=theme.cmap, vmin=0, vmax=1)
        ax.set_title(title, loc="center")
        ax.set_xticks([])
        ax.set_yticks(range(n), _EMB_WORDS)
        ax.set_xlabel(note)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    fig.supxlabel("columns: the same words in the same order", color=theme.muted, fontsize=12)


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
    """Attention weights of one toy self-attention head: row = querying token, column = token
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
    ax.set_ylabel("querying token\n(queries)")
    for spine in ax.spines.values():
        spine.set_visible(False)


@figure
def attention_weighted_average(ax, *, token="because", theme):
    """One head's output for one token: the weighted average of every token's value vector (here
    2-D), with the weights from that token's row of the toy attention matrix. (In a Transformer this
    output is then projected and added to the token's own residual stream.)"""
    values = np.array(
        [[-2.8, 0.9], [-1.6, 2.2], [0.2, 2.4], [2.4, 2.0], [-2.6, -1.2], [-0.4, -2.0], [2.6, -1.4]]
    )
    w = _toy_attention()[_ATT_TOKENS.index(token)]
    out = w @ values
    for v, wi in zip(values, w):
        if wi < 0.05:  # weights that round to 0 get no line
            continue
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
    ax.text(out[0] + 0.4, out[1], f"head output\nfor '{token}'", color="C1", ha="left", va="center")
    ax.set_aspect("equal")
    ax.set_xlim(-3.6, 4.2)
    ax.set_ylim(-3.0, 3.35)
    ax.set_title("values (points), weights (line widths)", loc="center", color=theme.muted)
    ax.axis("off")


@figure
def convolution_receptive_field(ax, *, layers=3, width=11, theme):
    """Three stacked 1-D convolutions with 3-tap filters: the cone of units one top unit depends on
    widens by two positions per layer (1, 3, 5, then 7 inputs)."""
    centre = width // 2
    for row in range(layers + 1):
        y = layers - row  # top layer at the top, input at the bottom
        reach = row  # half-width of the cone below the top unit
        for x in range(width):
            inside = abs(x - centre) <= reach
            if row < layers and inside:  # connections from this unit down to its 3 inputs
                for dx in (-1, 0, 1):
                    ax.plot([x, x + dx], [y, y - 1], color="C0", lw=2, zorder=1)
            ax.plot(
                x,
                y,
                "o",
                ms=14,
                color="C0" if inside else theme.background,
                mec="C0" if inside else theme.grid,
                mew=2,
                zorder=3,
            )
        seen = 2 * reach + 1
        label = "input" if row == layers else f"layer {y}"
        ax.text(-0.9, y, label, ha="right", va="center", color=theme.foreground)
        ax.text(
            width - 0.1,
            y,
            f"{seen} {'input' if row == layers else 'unit'}{'s' if seen > 1 else ''}",
            ha="left",
            va="center",
            color="C0",
        )
    ax.set_xlim(-3.6, width + 2.2)
    ax.set_ylim(-0.6, layers + 0.6)
    ax.axis("off")


def _gate(ax, x, y, symbol, theme, r=0.55, fontsize=18):
    from matplotlib.patches import Circle

    ax.add_patch(
        Circle((x, y), r, facecolor=theme.background, edgecolor=theme.foreground, lw=2.2, zorder=3)
    )
    ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize, zorder=4)


def _fmt(v):
    return f"{v:g}".replace("-", "−")


def _gate_wires(ax, yc, inputs, out, upstream, symbol, theme, *, gx=4.2, size=15):
    """Draw one gate at height yc: two input wires (value above in C0, gradient below in C1,
    or '?' when the gradient is None) and an output wire."""
    _gate(ax, gx, yc, symbol, theme, r=0.72, fontsize=12 if len(symbol) > 1 else 20)
    for label, val, grad, dy in inputs:
        ax.plot([0.6, 2.8], [yc + dy, yc + dy], color=theme.muted, lw=2.2, zorder=1)
        ax.plot([2.8, gx - 0.6], [yc + dy, yc + dy * 0.4], color=theme.muted, lw=2.2, zorder=1)
        ax.text(0.35, yc + dy, label, ha="right", va="center", fontsize=size + 1)
        ax.text(1.7, yc + dy + 0.1, _fmt(val), color="C0", ha="center", va="bottom", fontsize=size)
        ax.text(
            1.7,
            yc + dy - 0.12,
            "?" if grad is None else _fmt(grad),
            color="C1",
            ha="center",
            va="top",
            fontsize=size,
            fontweight="bold",
        )
    ax.plot([gx + 0.72, gx + 2.9], [yc, yc], color=theme.muted, lw=2.2, zorder=1)
    ax.text(gx + 1.8, yc + 0.1, _fmt(out), color="C0", ha="center", va="bottom", fontsize=size)
    ax.text(
        gx + 1.8,
        yc - 0.12,
        _fmt(upstream),
        color="C1",
        ha="center",
        va="top",
        fontsize=size,
        fontweight="bold",
    )


@figure
def local_gradients_gates(ax, *, x=3, y=-4, upstream=2, theme):
    """Add, multiply and max gates with the same inputs: forward values above each wire (blue),
    gradients below (orange). Add copies, multiply swaps and scales, max routes."""
    rows = [
        ("+", "add:\ncopies", x + y, (upstream, upstream)),
        ("×", "multiply:\nswaps inputs", x * y, (upstream * y, upstream * x)),
        ("max", "max:\nroutes to winner", max(x, y), (upstream * (x >= y), upstream * (y > x))),
    ]
    for k, (symbol, name, out, (gx_, gy_)) in enumerate(rows):
        yc = -3.7 * k
        inputs = (("x", x, gx_, 0.85), ("y", y, gy_, -0.85))
        _gate_wires(ax, yc, inputs, out, upstream, symbol, theme)
        ax.text(7.6, yc, name, ha="left", va="center", color=theme.foreground)
    ax.text(0.4, 1.9, "value (above)", color="C0", ha="left", va="bottom")
    ax.text(5.4, 1.9, "gradient (below)", color="C1", ha="left", va="bottom", fontweight="bold")
    ax.set_xlim(-0.6, 11.6)
    ax.set_ylim(-8.9, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")


@figure
def local_gradients_multiply(ax, *, x=0.1, y=50, upstream=1, reveal=True, theme):
    """One multiply gate: forward values above the wires (blue), gradients below (orange). With
    reveal=False the input gradients are question marks."""
    inputs = (
        ("x", x, upstream * y if reveal else None, 0.95),
        ("y", y, upstream * x if reveal else None, -0.95),
    )
    _gate_wires(ax, 0.0, inputs, x * y, upstream, "×", theme, size=16)
    ax.text(8.0, 0.45, "value", color="C0", ha="left", va="center")
    ax.text(8.0, -0.45, "gradient", color="C1", ha="left", va="center", fontweight="bold")
    ax.set_xlim(-0.6, 10.6)
    ax.set_ylim(-1.8, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")


@figure
def normalisation_axes(fig, *, examples=6, features=8, theme):
    """A batch of activations (rows = examples, columns = features). Batch norm takes statistics
    down a column (one feature over the batch); layer norm along a row (one example's features)."""
    from matplotlib.patches import Rectangle

    panels = fig.subplots(1, 2)
    for ax, (title, colour, col, row) in zip(
        panels,
        (
            ("batch norm:\none feature,\nacross the batch", "C0", 2, None),
            ("layer norm:\none example,\nacross its features", "C1", None, 3),
        ),
    ):
        for i in range(examples):
            for j in range(features):
                on = (col is not None and j == col) or (row is not None and i == row)
                ax.add_patch(
                    Rectangle(
                        (j, examples - 1 - i),
                        0.92,
                        0.92,
                        facecolor=colour if on else theme.grid,
                        edgecolor="none",
                    )
                )
        ax.set_xlim(-0.2, features + 0.1)
        ax.set_ylim(-0.2, examples + 0.1)
        ax.set_aspect("equal")
        ax.set_title(title, loc="center", color=colour)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xlabel("features →")
        ax.set_ylabel("← examples in batch")


@figure
def residual_stream_layer(ax, *, tokens=("the", "cat", "sat"), theme):
    """One Transformer layer seen as reads from and additive writes to per-token residual streams:
    attention carries information from earlier streams into later ones; each MLP reads one stream
    and adds back into that same stream. The streams themselves pass straight through."""
    from matplotlib.patches import Circle

    ys = [6.0, 3.5, 1.0]
    x0, x1 = 2.0, 14.6
    att_plus, mlp_plus = 6.4, 12.6

    def plus(x, y):
        ax.add_patch(
            Circle(
                (x, y),
                0.32,
                facecolor=theme.background,
                edgecolor=theme.foreground,
                lw=2.2,
                zorder=5,
            )
        )
        ax.text(x, y, "+", ha="center", va="center", fontsize=15, zorder=6)

    for y, tok in zip(ys, tokens):
        arrow(ax, (x0, y), (x1, y), theme.foreground, lw=3.4, zorder=2)
        ax.text(x0 - 0.3, y, f"'{tok}'", ha="right", va="center", fontsize=15)
    # attention: arrows from earlier tokens' streams into later ones, added at a plus
    starts = {0: 4.4, 1: 3.2}
    for j, yt in enumerate(ys):
        for i in range(j):
            _arrow(ax, (starts[i], ys[i]), (att_plus - 0.3, yt + 0.18), "C0", rad=0.12, lw=2.4)
        if j:
            plus(att_plus, yt)
    ax.text(4.4, ys[0] + 0.5, "attention:\nbetween tokens", color="C0", ha="center", va="bottom")
    # MLPs: one per stream, branching off and adding back into the same stream
    for y in ys:
        _box(ax, 10.9, y + 1.15, 1.9, 0.85, "MLP", theme, color="C2", fontsize=13)
        ax.plot([9.3, 9.95], [y, y + 0.8], color="C2", lw=2.4, zorder=1)
        _arrow(ax, (11.85, y + 1.0), (mlp_plus - 0.25, y + 0.25), "C2", lw=2.4)
        plus(mlp_plus, y)
    ax.text(12.3, ys[0] + 1.15, "MLP:\nwithin each token", color="C2", ha="left", va="center")
    ax.text(
        (x0 + x1) / 2 - 0.4,
        0.0,
        "every sub-layer reads a stream and adds (+) into it",
        ha="center",
        va="top",
        color=theme.muted,
    )
    ax.set_xlim(0.0, 17.0)
    ax.set_ylim(-0.9, 8.2)
    ax.set_aspect("equal")
    ax.axis("off")


_MH_TOKENS = ["the", "dog", "saw", "the", "cat", "and", "barked"]


def _mh_heads():
    """Two toy causal heads: previous token, and verb -> its subject."""
    n = len(_MH_TOKENS)
    prev = np.zeros((n, n))
    subj = np.zeros((n, n))
    for i in range(n):
        prev[i, max(i - 1, 0)] = 0.85
        prev[i, i] += 0.15
        subj[i, i] = 0.8
        subj[i, 0] += 0.2
    for verb in (2, 6):  # saw, barked -> dog
        subj[verb] = 0.0
        subj[verb, 1] = 0.85
        subj[verb, verb] = 0.15
    subj[1] = 0.0
    subj[1, 1] = 1.0
    subj[0] = 0.0
    subj[0, 0] = 1.0
    return prev, subj


@figure
def multi_head_patterns(fig, *, reveal=True, theme):
    """Attention weights of two causal heads of one layer on the same sentence. With reveal=False
    the titles are just 'head 1' and 'head 2' and the mask is unlabelled."""
    from matplotlib.patches import Rectangle

    heads = _mh_heads()
    n = len(_MH_TOKENS)
    axes = fig.subplots(1, 2)
    titles = (
        ("head 1:\nprevious token", "head 2:\nverb → its subject")
        if reveal
        else ("head 1", "head 2")
    )
    for ax, w, title in zip(axes, heads, titles):
        img = _tint(w / w.max(), theme.palette[0], theme)
        ax.imshow(img)
        _pixel_grid(ax, n, theme)
        for i in range(n):  # masked (future) cells: hatched, clearly not a small weight
            for j in range(i + 1, n):
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5),
                        1,
                        1,
                        facecolor=theme.background,
                        edgecolor=theme.muted,
                        hatch="///",
                        lw=0,
                    )
                )
        ax.set_xticks(range(n), _MH_TOKENS, rotation=60, ha="right", rotation_mode="anchor")
        ax.set_yticks(range(n), _MH_TOKENS if ax is axes[0] else [])
        ax.tick_params(length=0)
        ax.set_title(title, loc="center")
        for spine in ax.spines.values():
            spine.set_visible(False)
    if reveal:
        axes[1].text(
            n - 1.7,
            1.3,
            "masked:\nfuture",
            ha="center",
            va="center",
            color=theme.foreground,
            fontsize=12,
            bbox={"facecolor": theme.background, "edgecolor": "none", "pad": 2},
        )
    axes[0].set_ylabel("query (token reading)")


@figure
def weight_initialisation_activations(fig, *, depth=10, width=400, rng, theme):
    """Histograms of tanh activations at layers 1, 5 and 10 for three weight scales (std times
    sqrt(fan-in)): too small collapses to 0, fan-in scaling stays spread, too large saturates.
    The middle row uses a gain of 1.25 on 1/sqrt(fan-in), which offsets the squashing of tanh
    (with gain 1 the spread shrinks slowly; PyTorch's suggested tanh gain is 5/3). The inputs have
    standard deviation 0.5, close to the spread that gain settles at, so that the middle row's
    layer 1 already looks like its deep layers instead of starting out saturated."""
    scales = (
        ("too small", 0.5, "C0"),
        ("scaled by\nfan-in", 1.25, "C2"),
        ("too large", 4.0, "C1"),
    )
    shown = (1, depth // 2, depth)
    axes = fig.subplots(len(scales), len(shown), sharex=True)
    bins = np.linspace(-1, 1, 41)
    for r, (name, scale, colour) in enumerate(scales):
        h = 0.5 * rng.normal(size=(1000, width))
        acts = {}
        for layer in range(1, depth + 1):
            W = rng.normal(size=(width, width)) * scale / np.sqrt(width)
            h = np.tanh(h @ W)
            acts[layer] = h.ravel()
        for c, layer in enumerate(shown):
            ax = axes[r, c]
            counts, _ = np.histogram(acts[layer], bins=bins)
            share = counts / counts.sum()  # spikes taller than the panel are clipped
            ax.bar(bins[:-1], share, width=bins[1] - bins[0], align="edge", color=colour, lw=0)
            ax.set_ylim(0, 0.12)
            ax.set_yticks([])
            ax.set_xticks([-1, 0, 1] if r == len(scales) - 1 else [])
            ax.spines["left"].set_visible(False)
            if r == 0:
                ax.set_title(f"layer {layer}", loc="center")
            if c == 0:
                ax.set_ylabel(name, color=colour, rotation=0, ha="right", va="center")
    fig.supxlabel("activation value", fontsize=12, color=theme.foreground)

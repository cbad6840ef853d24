"""Figures for machine-learning concepts."""

import numpy as np

from generator import figure

# --- shared helpers -------------------------------------------------------------------------


def _bare(ax):
    """No ticks: for figures where the numbers on the axes do not matter."""
    ax.set_xticks([])
    ax.set_yticks([])


def _poly_fit(x, y, degree):
    """Least-squares polynomial fit (numerically stable basis); returns a callable."""
    return np.polynomial.Polynomial.fit(x, y, degree)


def _lloyd(points, centres, iterations=100):
    """Plain k-means (Lloyd's algorithm) from the given centres: (centres, labels, history)."""
    history = [centres.copy()]
    for _ in range(iterations):
        labels = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
        new = np.array(
            [
                points[labels == j].mean(0) if np.any(labels == j) else centres[j]
                for j in range(len(centres))
            ]
        )
        history.append(new.copy())
        if np.allclose(new, centres):
            break
        centres = new
    labels = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
    return centres, labels, history


def _sse(points, centres, labels):
    return float(((points - centres[labels]) ** 2).sum())


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- bias-variance --------------------------------------------------------------------------


@figure
def bias_variance_u_curve(ax, *, theme):
    c = np.linspace(0.0, 10.0, 300)
    bias2 = 2.2 * np.exp(-0.55 * c)
    variance = 0.05 * np.exp(0.36 * c)
    noise = np.full_like(c, 0.35)
    total = bias2 + variance + noise
    best = np.argmin(total)

    ax.plot(c, total, color=theme.foreground, lw=3.2)
    ax.plot(c, bias2, color="C0")
    ax.plot(c, variance, color="C1")
    ax.plot(c, noise, color=theme.muted, ls="--", lw=1.8)
    ax.plot(c[best], total[best], "o", color=theme.foreground, ms=9, zorder=5)

    ax.annotate(
        "best trade-off",
        (c[best], total[best]),
        xytext=(0, 14),
        textcoords="offset points",
        ha="center",
        va="bottom",
    )
    ax.text(7.9, 1.55, "test error", ha="right", va="bottom")
    ax.text(6.3, 0.12, "bias²", color="C0", ha="left", va="bottom")
    ax.text(9.9, 0.95, "variance", color="C1", ha="right", va="top")
    ax.text(9.9, 0.39, "irreducible noise", color=theme.muted, ha="right", va="bottom")
    ax.text(0.1, 2.9, "underfit", color=theme.muted, ha="left", va="top")
    ax.text(9.9, 2.9, "overfit", color=theme.muted, ha="right", va="top")

    ax.set_xlim(0, 10)
    ax.set_ylim(0, 3.0)
    ax.set_xlabel("model complexity →")
    ax.set_ylabel("expected error")
    _bare(ax)


@figure
def bias_variance_resampled_fits(fig, *, degrees=(1, 9), datasets=20, n=15, noise=0.3, rng, theme):
    axes = fig.subplots(1, len(degrees), sharey=True)
    grid = np.linspace(0, 1, 200)
    truth = np.sin(2 * np.pi * grid)
    x = np.linspace(0, 1, n)  # fixed inputs; only the noise differs between training sets
    samples = [(x, np.sin(2 * np.pi * x) + rng.normal(0, noise, n)) for _ in range(datasets)]
    for ax, degree in zip(axes, degrees):
        fits = np.array([_poly_fit(x, y, degree)(grid) for x, y in samples])
        for f in fits:
            ax.plot(grid, f, color="C0", lw=1.1, alpha=0.45)
        ax.plot(grid, truth, color=theme.foreground, lw=2.6, ls="--")
        ax.plot(grid, fits.mean(0), color="C1", lw=3.0)
        ax.set_title(f"degree {degree}")
        ax.set_ylim(-2.0, 2.0)
        ax.set_xlim(0, 1)
        _bare(ax)
    axes[0].text(0.02, -1.9, "dashed: truth", color=theme.foreground, ha="left", va="bottom")
    axes[0].text(0.02, 1.9, f"thin: {datasets} fits", color="C0", ha="left", va="top")
    axes[1].text(0.98, -1.9, "thick: average fit", color="C1", ha="right", va="bottom")


# --- overfitting ----------------------------------------------------------------------------


@figure
def overfitting_wiggly_polynomial(ax, *, n=10, noise=0.25, rng, theme):
    x = np.linspace(0, 1, n)
    y = np.sin(2 * np.pi * x) + rng.normal(0, noise, n)
    grid = np.linspace(0, 1, 400)
    ax.plot(grid, np.sin(2 * np.pi * grid), color=theme.muted, ls="--", lw=2.0)
    ax.plot(grid, _poly_fit(x, y, 3)(grid), color="C0")
    ax.plot(grid, _poly_fit(x, y, n - 1)(grid), color="C1")
    ax.plot(x, y, "o", color=theme.foreground, ms=8, zorder=5)
    ax.text(0.5, 1.75, f"degree {n - 1}: through every point", color="C1", ha="center", va="top")
    ax.text(0.27, -1.55, "degree 3", color="C0", ha="center", va="top")
    ax.text(0.02, -1.55, "truth", color=theme.muted, ha="left", va="top")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-1.9, 1.9)
    _bare(ax)


@figure
def overfitting_loss_curves(ax, *, theme):
    epoch = np.linspace(0, 100, 400)
    train = 0.08 + 0.92 * np.exp(-epoch / 14)
    val = 0.22 + 0.85 * np.exp(-epoch / 12) + 0.0045 * epoch
    best = np.argmin(val)
    ax.plot(epoch, train, color="C0")
    ax.plot(epoch, val, color="C1")
    ax.axvline(epoch[best], color=theme.muted, ls=":", lw=1.8)
    ax.text(98, train[-1] + 0.04, "training", color="C0", ha="right", va="bottom")
    ax.text(98, val[-1] + 0.04, "validation", color="C1", ha="right", va="bottom")
    ax.text(
        epoch[best] + 1.5, 1.0, "lowest validation loss", color=theme.muted, ha="left", va="top"
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("training time (epochs) →")
    ax.set_ylabel("loss")
    _bare(ax)


# --- regularisation -------------------------------------------------------------------------


def _quadratic(A, centre, points):
    d = points - centre
    return np.einsum("...i,ij,...j->...", d, A, d)


@figure
def regularisation_l1_l2_balls(fig, *, theme):
    # loss = (w - w*)ᵀ A (w - w*): tilted elliptical contours around the least-squares point w*.
    # Chosen so the L1 optimum is exactly the corner (0, 1) (the loss gradient there lies inside
    # the corner's normal cone) while the L2 optimum has both weights clearly nonzero.
    A = np.array([[1.0, 0.65], [0.65, 1.5]])
    w_star = np.array([0.4, 1.9])
    axes = fig.subplots(1, 2)
    s = np.linspace(0, 1, 2001)
    corners = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], dtype=float)
    diamond = np.concatenate(
        [(1 - s)[:, None] * corners[i] + s[:, None] * corners[i + 1] for i in range(4)]
    )
    theta = np.linspace(0, 2 * np.pi, 8001)
    circle = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    xlim, ylim = (-1.45, 2.35), (-1.2, 4.3)
    gx, gy = np.meshgrid(np.linspace(*xlim, 300), np.linspace(*ylim, 360))
    loss = _quadratic(A, w_star, np.stack([gx, gy], axis=-1))

    for ax, ball, outline, name, note in (
        (axes[0], diamond, corners, "L1 (lasso)", "corner: w₁ = 0 exactly"),
        (axes[1], circle, circle[::40], "L2 (ridge)", "neither weight\nis zero"),
    ):
        values = _quadratic(A, w_star, ball)
        solution = ball[np.argmin(values)]
        level = values.min()
        ax.axhline(0, color=theme.muted, lw=1.0)
        ax.axvline(0, color=theme.muted, lw=1.0)
        ax.fill(outline[:, 0], outline[:, 1], color="C0", alpha=0.25, lw=0)
        ax.plot(outline[:, 0], outline[:, 1], color="C0", lw=2.4)
        ax.contour(gx, gy, loss, levels=[level], colors=["C1"], linewidths=2.6)
        ax.plot(*w_star, "o", color=theme.foreground, ms=7)
        ax.annotate(
            "least\nsquares",
            w_star,
            xytext=(1.15, 3.0),
            ha="left",
            va="center",
            arrowprops=dict(arrowstyle="-", color=theme.foreground, lw=1.0, shrinkB=5),
        )
        ax.plot(*solution, "o", color="C2", ms=11, zorder=5, markeredgecolor=theme.foreground)
        ax.text(xlim[1], -0.08, "w₁", ha="right", va="top", color=theme.muted)
        ax.text(0.1, ylim[1], "w₂", ha="left", va="top", color=theme.muted)
        ax.text(xlim[0], ylim[1], "loss\ncontour", color="C1", ha="left", va="top")
        ax.set_title(name)
        ax.set_xlabel(note, color="C2")
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        _bare(ax)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)


@figure
def regularisation_shrinkage_rules(ax, *, lam=1.0, theme):
    w = np.linspace(-3, 3, 601)
    ridge = w / (1 + lam)
    lasso = np.sign(w) * np.maximum(np.abs(w) - lam, 0)
    ax.axhline(0, color=theme.muted, lw=1.0)
    ax.axvline(0, color=theme.muted, lw=1.0)
    ax.plot(w, w, color=theme.muted, ls="--", lw=1.8)
    ax.plot(w, ridge, color="C0")
    ax.plot(w, lasso, color="C1")
    ax.text(2.1, 2.6, "no penalty", color=theme.muted, ha="right", va="center")
    ax.text(2.95, -0.4, "L2: every weight\nscaled down", color="C0", ha="right", va="top")
    ax.annotate(
        "L1: small weights\nset exactly to 0",
        (-0.5, 0),
        xytext=(-2.9, 1.3),
        color="C1",
        ha="left",
        va="center",
        arrowprops=dict(arrowstyle="-", color="C1", lw=1.2),
    )
    ax.text(2.95, -2.9, "orthonormal features", color=theme.muted, ha="right", va="bottom")
    ax.set_xlabel("unpenalised weight")
    ax.set_ylabel("penalised weight")
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    _bare(ax)


# --- cross-validation -----------------------------------------------------------------------


@figure
def cross_validation_folds(ax, *, k=5, theme):
    from matplotlib.patches import Rectangle

    width, gap = 1.0, 0.08
    for r in range(k):
        y = k - 1 - r
        for f in range(k):
            held = f == r
            ax.add_patch(
                Rectangle(
                    (f * width + gap / 2, y + 0.12),
                    width - gap,
                    0.76,
                    facecolor="C1" if held else "C0",
                    alpha=1.0 if held else 0.35,
                    lw=0,
                )
            )
        ax.text(-0.15, y + 0.5, f"round {r + 1}", ha="right", va="center")
    ax.text(2.5 * width, k - 0.5, "train", ha="center", va="center")
    ax.text(
        0.5 * width, k - 0.5, "val", ha="center", va="center", color=theme.background, weight="bold"
    )
    test_x = k * width + 0.45
    ax.add_patch(Rectangle((test_x, 0.12), 1.0, k - 0.24, facecolor=theme.muted, alpha=0.3, lw=0))
    ax.text(test_x + 0.5, k / 2, "test\nset:\nlocked\naway", ha="center", va="center")
    ax.text(
        k * width / 2,
        -0.2,
        "each point is held out exactly once",
        ha="center",
        va="top",
        color="C1",
    )
    ax.set_xlim(-1.6, test_x + 1.05)
    ax.set_ylim(-0.75, k + 0.05)
    ax.axis("off")


@figure
def cross_validation_winners_curse(ax, *, configs=100, n_test=200, accuracy=0.8, rng, theme):
    scores = rng.binomial(n_test, accuracy, configs) / n_test
    values, counts = np.unique(scores, return_counts=True)
    for v, c in zip(values, counts):
        ax.plot(np.full(c, v), np.arange(1, c + 1), "o", color="C0", ms=7, alpha=0.8)
    best = scores.max()
    top = counts[values == best][0]
    ax.plot(best, top, "o", color="C1", ms=11, zorder=5)
    ax.axvline(accuracy, color=theme.foreground, ls="--", lw=1.8)
    ymax = counts.max() + 4
    ax.text(
        accuracy - 0.004,
        ymax - 0.5,
        f"true accuracy of\nevery setting: {accuracy:.2f}",
        ha="right",
        va="top",
    )
    ax.annotate(
        f"best on test set:\n{best:.2f}",
        (best, top),
        xytext=(best, top + 3.2),
        color="C1",
        ha="center",
        va="bottom",
        arrowprops=dict(arrowstyle="-", color="C1", lw=1.2),
    )
    ax.set_ylim(0, ymax + 1.5)
    ax.set_xlim(values.min() - 0.02, best + 0.03)
    ax.set_yticks([])
    ax.set_xticks([0.75, 0.80, 0.85], ["0.75", "0.80", "0.85"])
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(f"test-set accuracy of {configs} equally good settings")


# --- curse of dimensionality ----------------------------------------------------------------


@figure
def curse_of_dimensionality_distance_histograms(ax, *, dims=(2, 100), n=300, rng):
    bins = np.linspace(0, 2.4, 97)
    for dim, colour in zip(dims, ("C0", "C1")):
        x = rng.uniform(0, 1, (n, dim))
        sq = (x * x).sum(1)
        d2 = sq[:, None] + sq[None, :] - 2 * x @ x.T
        dist = np.sqrt(np.maximum(d2[np.triu_indices(n, 1)], 0))
        dist /= dist.mean()
        h, edges = np.histogram(dist, bins=bins, density=True)
        ax.stairs(h, edges, color=colour, fill=True, alpha=0.35)
        ax.stairs(h, edges, color=colour, lw=2.0)
        peak = np.argmax(h)
        label_x = 1.06 if dim == dims[-1] else 0.35
        label_y = h[peak] * 0.9 if dim == dims[-1] else h[peak] * 1.5 + 0.4
        ax.text(label_x, label_y, f"d = {dim}", color=colour, ha="left", va="center")
    ax.set_xlim(0, 2.4)
    ax.set_xlabel("pairwise distance ÷ average distance")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


@figure
def curse_of_dimensionality_shell(ax, *, shell=0.05, max_dim=100, theme):
    d = np.arange(1, max_dim + 1)
    share = 1 - (1 - shell) ** d
    ax.plot(d, 100 * share, color="C0")
    for mark in (2, 10, 30, 100):
        v = 100 * (1 - (1 - shell) ** mark)
        ax.plot(mark, v, "o", color="C1", ms=8, zorder=5)
        right = mark == max_dim
        ax.annotate(
            f"d = {mark}: {v:.0f} %",
            (mark, v),
            xytext=(-6 if right else 9, -8 if right else -2),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top" if right else "center",
        )
    ax.set_xlabel("dimension d")
    ax.set_ylabel("% of volume")
    ax.set_title(f"Volume in the outer {shell * 100:.0f} % of a ball's radius", loc="left")
    ax.set_xticks([1, 25, 50, 75, 100])
    ax.set_yticks([0, 50, 100])
    ax.set_ylim(0, 108)
    ax.set_xlim(0, max_dim + 3)
    ax.grid(axis="y", color=theme.grid)


# --- k-nearest neighbours -------------------------------------------------------------------


def _knn_vote(train, labels, queries, k):
    """Share of class-1 labels among each query's k nearest training points."""
    d2 = (queries**2).sum(1)[:, None] - 2 * queries @ train.T + (train**2).sum(1)[None, :]
    nearest = np.argpartition(d2, k - 1, axis=1)[:, :k] if k > 1 else np.argmin(d2, axis=1)[:, None]
    return labels[nearest].mean(1)


@figure
def k_nearest_neighbours_boundaries(fig, *, ks=(1, 25), n=70, rng, theme):
    a = rng.normal([-0.7, -0.7], 1.0, (n, 2))
    b = rng.normal([0.7, 0.7], 1.0, (n, 2))
    train = np.vstack([a, b])
    labels = np.r_[np.zeros(n), np.ones(n)]
    lim = 3.2
    g = np.linspace(-lim, lim, 200)
    gx, gy = np.meshgrid(g, g)
    queries = np.stack([gx.ravel(), gy.ravel()], 1)
    axes = fig.subplots(1, len(ks))
    for ax, k in zip(axes, ks):
        vote = _knn_vote(train, labels, queries, k).reshape(gx.shape)
        ax.contourf(gx, gy, vote, levels=[-0.1, 0.5, 1.1], colors=["C0", "C1"], alpha=0.18)
        ax.contour(gx, gy, vote, levels=[0.5], colors=[theme.foreground], linewidths=2.0)
        ax.plot(a[:, 0], a[:, 1], "o", color="C0", ms=4.5, alpha=0.9)
        ax.plot(b[:, 0], b[:, 1], "^", color="C1", ms=5, alpha=0.9)
        ax.set_title(f"k = {k}")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        _bare(ax)


@figure
def k_nearest_neighbours_scaling(fig, *, n=90, k=6, rng, theme):
    age = rng.uniform(20, 70, n)
    income = rng.uniform(20_000, 120_000, n)
    raw = np.stack([age, income], 1)
    query = np.array([45.0, 70_000.0])
    mean, std = raw.mean(0), raw.std(0)
    z, zq = (raw - mean) / std, (query - mean) / std
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    for ax, space, title in (
        (axes[0], "raw", "raw units:\nsame income, any age"),
        (axes[1], "std", "standardised:\nclose in both"),
    ):
        a, q = (raw, query) if space == "raw" else (z, zq)
        nearest = np.argsort(((a - q) ** 2).sum(1))[:k]
        ax.plot(z[:, 0], z[:, 1], "o", color=theme.muted, ms=5, alpha=0.7)
        for i in nearest:
            ax.plot([zq[0], z[i, 0]], [zq[1], z[i, 1]], color="C1", lw=1.3)
        ax.plot(z[nearest, 0], z[nearest, 1], "o", color="C1", ms=8)
        ax.plot(*zq, "*", color="C0", ms=17, markeredgecolor=theme.foreground, zorder=5)
        ax.set_title(title, color="C1")
        ax.set_xlabel("age (years)")
        ax.set_aspect("equal")
        _bare(ax)
    axes[0].set_ylabel("income (€)")


# --- k-means --------------------------------------------------------------------------------


def _blobs(rng, centres, n, spread):
    return np.vstack([rng.normal(c, spread, (n, 2)) for c in centres])


@figure
def k_means_assign_update(fig, *, rng, theme):
    centres_true = np.array([[-2.2, -1.2], [2.2, -1.0], [0.0, 2.3]])
    pts = _blobs(rng, centres_true, 40, 0.75)
    start = np.array([[-3.3, 3.2], [-0.4, -3.6], [3.6, 3.0]])
    labels = np.argmin(((pts[:, None] - start[None]) ** 2).sum(-1), 1)
    updated = np.array([pts[labels == j].mean(0) for j in range(3)])
    lim = (-4.4, 4.4)
    g = np.linspace(*lim, 300)
    gx, gy = np.meshgrid(g, g)
    region = np.argmin(((np.stack([gx, gy], -1)[..., None, :] - start) ** 2).sum(-1), -1)
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    colours = ["C0", "C1", "C2"]
    for j in range(3):
        axes[0].contourf(
            gx, gy, (region == j).astype(float), levels=[0.5, 1.5], colors=[colours[j]], alpha=0.12
        )
    for ax in axes:
        for j in range(3):
            ax.plot(*pts[labels == j].T, "o", color=colours[j], ms=4.5, alpha=0.85)
    for j in range(3):
        axes[0].plot(
            *start[j],
            "X",
            color=colours[j],
            ms=15,
            markeredgecolor=theme.foreground,
            markeredgewidth=1.5,
        )
        axes[1].plot(*start[j], "X", color=colours[j], ms=12, alpha=0.35)
        axes[1].annotate(
            "",
            updated[j],
            start[j],
            arrowprops=dict(
                arrowstyle="-|>",
                color=theme.foreground,
                lw=2.0,
                mutation_scale=18,
                shrinkA=6,
                shrinkB=8,
            ),
        )
        axes[1].plot(
            *updated[j],
            "X",
            color=colours[j],
            ms=15,
            markeredgecolor=theme.foreground,
            markeredgewidth=1.5,
        )
    axes[0].set_title("1. assign each point\nto its nearest centre")
    axes[1].set_title("2. move each centre\nto the mean of its points")
    for ax in axes:
        ax.set_xlim(*lim)
        ax.set_ylim(*lim)
        ax.set_aspect("equal")
        _bare(ax)


@figure
def k_means_elongated(ax, *, n=120, length=10.0, gap=2.0, rng, theme):
    bands = [
        np.stack([rng.uniform(-length / 2, length / 2, n), rng.normal(y, 0.15, n)], 1)
        for y in (gap / 2, -gap / 2)
    ]
    pts = np.vstack(bands)
    best = None
    for _ in range(10):
        start = pts[rng.choice(len(pts), 2, replace=False)]
        centres, labels, _h = _lloyd(pts, start)
        sse = _sse(pts, centres, labels)
        if best is None or sse < best[0]:
            best = (sse, centres, labels)
    _, centres, labels = best
    if centres[0, 0] > centres[1, 0]:  # colour the left cluster C0 in every variant
        centres, labels = centres[::-1], 1 - labels
    for j, colour in enumerate(("C0", "C1")):
        ax.plot(*pts[labels == j].T, "o", color=colour, ms=4.5, alpha=0.85)
        ax.plot(
            *centres[j],
            "X",
            color=colour,
            ms=16,
            markeredgecolor=theme.foreground,
            markeredgewidth=1.5,
        )
    ax.set_title("k-means, k = 2")
    ax.set_xlim(-length / 2 - 0.5, length / 2 + 0.5)
    ax.set_ylim(-2.3, 2.3)
    ax.set_aspect("equal")
    _bare(ax)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


@figure
def k_means_local_optimum(fig, *, n=50, rng, theme):
    centres_true = np.array([[-3.5, 0.0], [3.5, 0.0], [0.0, 5.5]])
    pts = _blobs(rng, centres_true, n, 0.8)
    starts = {
        "one start per cluster": np.array([[-3.0, 0.5], [3.0, -0.5], [0.5, 5.0]]),
        "two starts in one cluster": np.array([[0.0, 0.3], [-0.6, 5.5], [0.6, 5.5]]),
    }
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    colours = ["C0", "C1", "C2"]
    results = {name: _lloyd(pts, start) for name, start in starts.items()}
    best = min(_sse(pts, c, lab) for c, lab, _h in results.values())
    for ax, (name, (centres, labels, _h)) in zip(axes, results.items()):
        for j in range(3):
            ax.plot(*pts[labels == j].T, "o", color=colours[j], ms=4.5, alpha=0.85)
            ax.plot(
                *centres[j],
                "X",
                color=colours[j],
                ms=15,
                markeredgecolor=theme.foreground,
                markeredgewidth=1.5,
            )
        ratio = _sse(pts, centres, labels) / best
        ax.set_title(name)
        ax.set_xlabel(
            "lower\nsum of squares" if ratio < 1.0001 else f"sum of squares\n{ratio:.1f}× as large"
        )
        ax.set_xlim(-6, 6)
        ax.set_ylim(-2.8, 7.8)
        ax.set_aspect("equal")
        _bare(ax)


# --- logistic regression --------------------------------------------------------------------


def _fit_logistic(x, y, l2=1e-3, steps=30):
    """Newton's method (IRLS) on the mean log-loss with a tiny L2 penalty on the weights."""
    X = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(X.shape[1])
    penalty = np.diag([l2] * x.shape[1] + [0.0])
    for _ in range(steps):
        p = _sigmoid(X @ w)
        grad = X.T @ (p - y) / len(y) + penalty @ w
        hess = (X * (p * (1 - p))[:, None]).T @ X / len(y) + penalty
        w -= np.linalg.solve(hess, grad)
    return w[:-1], w[-1]


@figure
def logistic_regression_boundary_sigmoid(fig, *, n=60, rng, theme):
    a = rng.normal([-1.0, -0.6], 0.9, (n, 2))
    b = rng.normal([1.0, 0.6], 0.9, (n, 2))
    x = np.vstack([a, b])
    y = np.r_[np.zeros(n), np.ones(n)]
    w, b0 = _fit_logistic(x, y)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
    ax = axes[0]
    lim = 3.3
    g = np.linspace(-lim, lim, 300)
    gx, gy = np.meshgrid(g, g)
    p = _sigmoid(w[0] * gx + w[1] * gy + b0)
    ax.plot(*a.T, "o", color="C0", ms=4.5, alpha=0.85)
    ax.plot(*b.T, "^", color="C1", ms=5, alpha=0.85)
    side = ax.contour(
        gx, gy, p, levels=[0.1, 0.9], colors=[theme.muted], linewidths=1.6, linestyles="--"
    )
    mid = ax.contour(gx, gy, p, levels=[0.5], colors=[theme.foreground], linewidths=2.6)
    # label each line where it crosses a horizontal line near the bottom of the panel
    label_y = -lim + 0.75
    for cs, levels in ((side, (0.1, 0.9)), (mid, (0.5,))):
        spots = [((np.log(v / (1 - v)) - b0 - w[1] * label_y) / w[0], label_y) for v in levels]
        ax.clabel(
            cs, fmt=lambda v: f"{v:g}", fontsize=12, inline=True, inline_spacing=4, manual=spots
        )
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_title("feature space")
    _bare(ax)

    ax = axes[1]
    z = np.linspace(-7, 7, 300)
    ax.axhline(0.5, color=theme.grid, lw=1.0)
    ax.axvline(0, color=theme.foreground, lw=1.6)
    ax.plot(z, _sigmoid(z), color="C2", lw=3.0)
    for level in (0.1, 0.9):
        zl = np.log(level / (1 - level))
        ax.plot([zl, zl], [0, level], color=theme.muted, ls="--", lw=1.4)
        ax.text(
            zl + (-0.3 if level < 0.5 else 0.3),
            0.25,
            f"{level:g}",
            color=theme.muted,
            ha="right" if level < 0.5 else "left",
            va="center",
        )
    ax.text(-6.8, 0.97, "P(class ▲)", ha="left", va="top", color="C2")
    ax.set_xlabel("score  w·x + b")
    ax.set_yticks([0, 0.5, 1])
    ax.set_xticks([0], ["0: boundary"])
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("sigmoid")


@figure
def logistic_regression_steepness(ax, *, slopes=(3.0, 0.8), theme):
    d = np.linspace(-4, 4, 300)
    ax.axvline(0, color=theme.muted, lw=1.4, ls="--")
    ax.axhline(0.5, color=theme.grid, lw=1.0)
    for slope, colour, name, at in zip(slopes, ("C0", "C1"), ("model A", "model B"), (0.45, 2.2)):
        ax.plot(d, _sigmoid(slope * d), color=colour, lw=2.8)
        ax.text(at + 0.15, _sigmoid(slope * at) - 0.02, name, color=colour, ha="left", va="top")
    ax.text(0.1, 0.02, "shared boundary", color=theme.muted, ha="left", va="bottom")
    ax.set_xlabel("signed distance from the boundary")
    ax.set_ylabel("P(class 1)")
    ax.set_yticks([0, 0.5, 1])
    ax.set_xticks([])
    ax.set_xlim(-4, 4)
    ax.set_ylim(-0.02, 1.02)


# --- softmax --------------------------------------------------------------------------------


def _softmax(z, temperature=1.0):
    e = np.exp((z - z.max()) / temperature)
    return e / e.sum()


@figure
def softmax_shift_invariance(fig, *, scores=(2.0, 1.0, -0.5, 0.3), shift=3.0, theme):
    z = np.array(scores)
    names = ["a", "b", "c", "d"][: len(z)]
    axes = fig.subplots(1, 2)
    pos = np.arange(len(z))
    w = 0.38
    ax = axes[0]
    ax.bar(pos - w / 2, z, w, color="C0")
    ax.bar(pos + w / 2, z + shift, w, color="C1")
    ax.axhline(0, color=theme.muted, lw=1.0)
    ax.set_title("scores")
    ax.text(0.98, 0.98, "z", color="C0", transform=ax.transAxes, ha="right", va="top")
    ax.text(0.98, 0.86, f"z + {shift:g}", color="C1", transform=ax.transAxes, ha="right", va="top")
    ax = axes[1]
    p = _softmax(z)
    ax.bar(pos - w / 2, p, w, color="C0")
    ax.bar(pos + w / 2, _softmax(z + shift), w, color="C1")
    ax.set_title("softmax: identical")
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.5, 1])
    for ax in axes:
        ax.set_xticks(pos, names)
        ax.tick_params(axis="x", length=0)
    axes[0].set_yticks([])
    for side in ("left", "bottom"):
        axes[0].spines[side].set_visible(False)


@figure
def softmax_temperature(fig, *, scores=(2.0, 1.0, 0.2, -1.0), temperatures=(0.3, 1.0, 5.0), theme):
    z = np.array(scores)
    pos = np.arange(len(z))
    axes = fig.subplots(1, len(temperatures), sharey=True)
    for ax, t in zip(axes, temperatures):
        p = _softmax(z, t)
        ax.bar(pos, p, 0.7, color="C0")
        ax.axhline(1 / len(z), color=theme.muted, ls="--", lw=1.4)
        ax.set_title(f"T = {t:g}")
        ax.set_xticks(pos, ["a", "b", "c", "d"][: len(z)])
        ax.tick_params(axis="x", length=0)
        ax.set_ylim(0, 1.0)
    axes[0].set_yticks([0, 0.5, 1])
    axes[-1].text(
        len(z) - 0.6, 1 / len(z) + 0.03, "uniform", color=theme.muted, ha="right", va="bottom"
    )
    axes[0].text(0.45, 0.93, "nearly\none-hot", ha="left", va="top", color=theme.muted)
    axes[1].set_xlabel("same scores, divided by temperature T")


# --- precision-and-recall / roc-and-class-imbalance ----------------------------------------------


def _tail(z):
    """P(Z > z) for a standard normal Z."""
    from math import erfc, sqrt

    return 0.5 * np.vectorize(erfc)(np.asarray(z, dtype=float) / sqrt(2))


def _density(z):
    return np.exp(-0.5 * np.asarray(z, dtype=float) ** 2) / np.sqrt(2 * np.pi)


@figure
def precision_recall_threshold(fig, *, share=0.2, gap=2.2, threshold=1.6, theme):
    """Scores of negatives (up) and positives (down) with a threshold; precision and recall as it moves."""
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
    ax = axes[0]
    s = np.linspace(-3.2, 5.4, 600)
    neg = (1 - share) * _density(s)
    pos = -share * _density(s - gap)
    right = s >= threshold
    ax.fill_between(s, 0, neg, where=right, color="C0", alpha=0.6, linewidth=0)
    ax.fill_between(s, pos, 0, where=right, color="C1", alpha=0.75, linewidth=0)
    ax.fill_between(s, pos, 0, where=~right, color="C1", alpha=0.2, linewidth=0)
    ax.plot(s, neg, color="C0", linewidth=2.4)
    ax.plot(s, pos, color="C1", linewidth=2.4)
    ax.axhline(0, color=theme.muted, linewidth=1.0)
    ax.axvline(threshold, color=theme.foreground, linewidth=2.0)
    ax.text(threshold + 0.12, 0.3, "threshold:\nflag if right", ha="left", va="top")
    ax.text(-0.75, 0.31, "negatives", color="C0", ha="right", va="center", fontweight="bold")
    ax.text(gap + 0.2, -0.1, "positives", color="C1", ha="center", va="top", fontweight="bold")
    ax.annotate(
        "false alarms",
        (threshold + 0.3, 0.025),
        xytext=(3.0, 0.13),
        color="C0",
        ha="left",
        va="center",
        arrowprops=dict(arrowstyle="-", color="C0", lw=1.2),
    )
    ax.annotate(
        "misses",
        (threshold - 0.3, -0.025),
        xytext=(-1.2, -0.07),
        color="C1",
        ha="center",
        va="center",
        arrowprops=dict(arrowstyle="-", color="C1", lw=1.2),
    )
    ax.text(3.5, -0.065, "caught", color="C1", ha="left", va="center")
    ax.set_xlim(-3.2, 5.4)
    ax.set_ylim(-0.15, 0.34)
    ax.set_xlabel("classifier score")
    ax.set_title("scores")
    _bare(ax)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)

    ax = axes[1]
    t = np.linspace(-1.5, 4.5, 400)
    recall = _tail(t - gap)
    flagged_pos = share * recall
    precision = flagged_pos / (flagged_pos + (1 - share) * _tail(t))
    ax.plot(t, precision, color="C2", linewidth=2.8)
    ax.plot(t, recall, color="C4", linewidth=2.8)
    ax.axvline(threshold, color=theme.foreground, linewidth=2.0)
    ax.text(-1.4, float(precision[0]) + 0.11, "precision", color="C2", ha="left", va="bottom")
    ax.text(-1.4, 0.93, "recall", color="C4", ha="left", va="top")
    ax.set_xlim(-1.5, 4.5)
    ax.set_ylim(0, 1.02)
    ax.set_yticks([0, 0.5, 1])
    ax.set_xticks([])
    ax.set_xlabel("threshold →")
    ax.set_title("as it moves")


def _binormal_roc(gap, points=400):
    """False- and true-positive rates of scores N(0, 1) for negatives and N(gap, 1) for positives."""
    t = np.linspace(-6, gap + 6, points)
    return _tail(t), _tail(t - gap)


@figure
def roc_vs_pr_imbalance(fig, *, gap=2.0, shares=(0.5, 0.01), theme):
    """One classifier, two base rates: the ROC curve is identical, the precision-recall curve is not."""
    fpr, tpr = _binormal_roc(gap)
    auc = float(_tail(-gap / np.sqrt(2)))
    axes = fig.subplots(1, 2)
    ax = axes[0]
    ax.plot([0, 1], [0, 1], color=theme.muted, linestyle="--", linewidth=1.6)
    ax.plot(fpr, tpr, color=theme.foreground, linewidth=3)
    ax.text(
        0.97,
        0.42,
        f"same curve at\n{shares[0]:.0%} and {shares[1]:.0%}\npositives",
        ha="right",
        va="top",
    )
    ax.text(0.66, 0.7, "chance", color=theme.muted, ha="center", va="bottom", rotation=45)
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate (recall)")
    ax.set_title(f"ROC (AUC = {auc:.2f})")
    ax = axes[1]
    for colour, share, spot in zip(("C0", "C1"), shares, ((0.05, 0.72), (0.5, 0.33))):
        precision = share * tpr / (share * tpr + (1 - share) * fpr + 1e-300)
        ax.plot(tpr, precision, color=colour, linewidth=3)
        ax.axhline(share, color=colour, linestyle=":", linewidth=1.6)
        ax.text(
            *spot, f"{share:.0%} positives", color=colour, ha="left", va="center", fontweight="bold"
        )
        ax.text(
            0.05 if share < 0.1 else 0.93,
            share + 0.02,
            f"chance: {share:g}",
            color=colour,
            ha="left" if share < 0.1 else "right",
            va="bottom",
        )
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("precision–recall")
    for ax in axes:
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xticks([0, 0.5, 1])
        ax.set_yticks([0, 0.5, 1])
        ax.set_aspect("equal")


@figure
def roc_sweep(ax, *, gap=1.8, reveal=True, theme):
    """An ROC curve with an arrow along it; revealed, the ends are labelled by threshold."""
    fpr, tpr = _binormal_roc(gap)
    ax.plot([0, 1], [0, 1], color=theme.muted, linestyle="--", linewidth=1.6)
    ax.plot(fpr, tpr, color="C0", linewidth=3)
    start, end = float(_tail(1.6)), float(_tail(0.4))
    a = (start, float(_tail(1.6 - gap)))
    b = (end, float(_tail(0.4 - gap)))
    ax.plot(*a, "o", color="C1", markersize=11, zorder=5)
    ax.annotate(
        "",
        xy=b,
        xytext=a,
        arrowprops=dict(
            arrowstyle="-|>", color="C1", lw=3, mutation_scale=22, connectionstyle="arc3,rad=-0.25"
        ),
    )
    if reveal:
        thin = dict(arrowstyle="-", color=theme.foreground, lw=1.2)
        ax.annotate(
            "strict threshold:\nflags almost no one",
            (0.01, 0.01),
            xytext=(0.3, 0.12),
            ha="left",
            va="center",
            arrowprops=thin,
        )
        ax.annotate(
            "lenient threshold:\nflags almost everyone",
            (0.99, 0.99),
            xytext=(0.97, 0.5),
            ha="right",
            va="center",
            arrowprops=thin,
        )
        ax.text(
            0.24, 0.68, "lower the\nthreshold", color="C1", ha="left", va="top", fontweight="bold"
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xticks([0, 0.5, 1])
    ax.set_yticks([0, 0.5, 1])
    ax.set_aspect("equal")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate")

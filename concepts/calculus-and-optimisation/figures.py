"""Figures for calculus-and-optimisation concepts."""

import itertools

import numpy as np
from matplotlib.patches import Circle, Rectangle

from generator import arrow, bare, figure

# --- small helpers (module-private) -------------------------------------------------------------


def _quad_grid(xlim, ylim, curv, n=200):
    x = np.linspace(*xlim, n)
    y = np.linspace(*ylim, n)
    X, Y = np.meshgrid(x, y)
    return X, Y, 0.5 * (curv[0] * X**2 + curv[1] * Y**2)


def _quad_contours(ax, xlim, ylim, curv, theme, levels):
    X, Y, Z = _quad_grid(xlim, ylim, curv)
    ax.contour(X, Y, Z, levels=levels, colors=theme.muted, linewidths=1.0)
    ax.plot([0], [0], marker="*", markersize=14, color=theme.foreground, zorder=5)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    bare(ax)


def _gd_quadratic(start, curv, rate, steps, beta=0.0):
    """Gradient descent (heavy-ball momentum if beta > 0) on f = (a x^2 + b y^2) / 2."""
    curv = np.asarray(curv, float)
    p = np.asarray(start, float)
    v = np.zeros(2)
    path = [p.copy()]
    for _ in range(steps):
        v = beta * v - rate * curv * p
        p = p + v
        path.append(p.copy())
    return np.array(path)


def _path(ax, path, color, **kw):
    ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.8, zorder=3, **kw)
    ax.plot(path[:, 0], path[:, 1], "o", color=color, markersize=4, zorder=4)
    ax.plot(path[0, 0], path[0, 1], "o", color=color, markersize=8, zorder=4)


# --- derivative ------------------------------------------------------------------------------


@figure
def derivative_zoom(fig, *, x0=0.8, theme):
    """A curve and its tangent line, zoomed in (both axes equally) until the two coincide."""

    def f(x):
        return np.sin(2 * x) + 0.4 * x**2

    def df(x):
        return 2 * np.cos(2 * x) + 0.8 * x

    widths = [2.0, 0.4, 0.02]
    tall = 1.8  # panel height / width, so the zoom keeps true proportions
    axes = fig.subplots(1, 3)
    for i, (ax, w) in enumerate(zip(axes, widths, strict=True)):
        x = np.linspace(x0 - w, x0 + w, 400)
        ax.plot(x, f(x0) + df(x0) * (x - x0), "--", color="C1", lw=2.2)
        ax.plot(x, f(x), color="C0", lw=2.6)
        ax.plot([x0], [f(x0)], "o", color=theme.foreground, markersize=6, zorder=5)
        ax.set_xlim(x0 - w, x0 + w)
        ax.set_ylim(f(x0) - tall * w, f(x0) + tall * w)
        if i + 1 < len(widths):
            nw = widths[i + 1]
            ax.add_patch(
                Rectangle(
                    (x0 - nw, f(x0) - tall * nw),
                    2 * nw,
                    2 * tall * nw,
                    fill=False,
                    ec=theme.muted,
                    lw=1.4,
                )
            )
        ax.set_title(["zoom ×1", "zoom ×5", "zoom ×100"][i], loc="center")
        bare(ax)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(True)
            ax.spines[side].set_color(theme.grid)
    axes[0].text(
        0.05, 0.97, "curve", color="C0", transform=axes[0].transAxes, va="top", fontweight="bold"
    )
    axes[0].text(
        0.05, 0.86, "tangent", color="C1", transform=axes[0].transAxes, va="top", fontweight="bold"
    )
    axes[2].text(
        0.5, 0.04, "one line", ha="center", transform=axes[2].transAxes, color=theme.foreground
    )


@figure
def derivative_kink(fig, *, theme):
    """|x| zoomed in: the corner never straightens, so no single line fits."""
    widths = [2.0, 0.4, 0.02]
    axes = fig.subplots(1, 3)
    for i, (ax, w) in enumerate(zip(axes, widths, strict=True)):
        x = np.linspace(-w, w, 301)
        ax.plot(x, np.abs(x), color="C0", lw=2.6)
        ax.plot([0], [0], "o", color=theme.foreground, markersize=6, zorder=5)
        ax.set_xlim(-w, w)
        ax.set_ylim(-0.25 * w, 1.1 * w)
        ax.set_title(["|x|, zoom ×1", "zoom ×5", "zoom ×100"][i], loc="center")
        bare(ax)
        for side in ("left", "bottom", "top", "right"):
            ax.spines[side].set_visible(True)
            ax.spines[side].set_color(theme.grid)
    axes[2].text(
        0.5,
        0.04,
        "still a corner",
        ha="center",
        transform=axes[2].transAxes,
        color=theme.foreground,
    )


# --- gradient --------------------------------------------------------------------------------


@figure
def gradient_contour_arrows(ax, *, theme):
    """Contours of a tilted bowl with gradient arrows: each arrow crosses its contour at a right
    angle, points uphill, and is longest where the contours are packed tightest."""
    c, s = np.cos(np.radians(20)), np.sin(np.radians(20))
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([0.28, 1.6]) @ R.T
    x = np.linspace(-7, 7, 300)
    y = np.linspace(-5, 5, 300)
    X, Y = np.meshgrid(x, y)
    P = np.stack([X, Y], axis=-1)
    Z = 0.5 * np.einsum("...i,ij,...j->...", P, H, P)
    ax.contour(X, Y, Z, levels=[0.5, 1.0, 1.5, 2.0, 2.5], colors=theme.muted, linewidths=1.2)
    ax.plot([0], [0], marker="*", markersize=14, color=theme.foreground, zorder=5)
    scale = 0.55
    spots = [(0.5, 60), (2.5, 60), (1.5, 160), (2.5, 235), (1.0, 300), (2.5, 10)]
    points = []
    for level, angle in spots:
        d = R @ np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        points.append(np.sqrt(2 * level / (d @ H @ d)) * d)
    for p in points:
        ax.annotate(
            "",
            xy=p + scale * (H @ p),
            xytext=p,
            annotation_clip=False,
            arrowprops={"arrowstyle": "-|>", "color": "C1", "lw": 2.6, "mutation_scale": 18},
        )
        ax.plot(*p, "o", color="C1", markersize=5, zorder=4)
    p = points[1]
    u = H @ p / np.linalg.norm(H @ p)
    t = np.array([-u[1], u[0]])
    k = 0.3
    corner = np.array([p + k * t, p + k * t + k * u, p + k * u])
    ax.plot(corner[:, 0], corner[:, 1], color=theme.foreground, lw=1.4)
    tip = points[1] + scale * (H @ points[1])
    ax.text(tip[0] + 0.15, tip[1], r"$\nabla f$", color="C1", fontsize=16, va="center")
    ax.text(-5.3, 3.3, "contours of f", color=theme.muted, va="top")
    ax.text(0.0, -0.3, "min", color=theme.foreground, va="top", ha="center")
    ax.set_xlim(-5.4, 5.4)
    ax.set_ylim(-3.4, 3.4)
    ax.set_aspect("equal")
    bare(ax)


# --- chain rule ------------------------------------------------------------------------------


@figure
def chain_rule_nudges(ax, *, inner=3.0, outer=2.0, theme):
    """A nudge dx stretched by g' into dy, then by f' into dz: the stretches multiply."""
    dx = 0.35
    widths = [dx, dx * inner, dx * inner * outer]
    starts = [1.0, 0.8, 0.5]
    rows = [2.0, 1.0, 0.0]
    names = ["x", "y = g(x)", "z = f(y)"]
    for row, start, width, name in zip(rows, starts, widths, names, strict=True):
        ax.plot([0, 5.0], [row, row], color=theme.muted, lw=1.5)
        ax.plot([start, start + width], [row, row], color="C0", lw=6, solid_capstyle="butt")
        ax.text(-0.15, row, name, ha="right", va="center", color=theme.foreground)
    for k in range(2):
        a0, a1 = starts[k], starts[k] + widths[k]
        b0, b1 = starts[k + 1], starts[k + 1] + widths[k + 1]
        top, bottom = rows[k], rows[k + 1]
        ax.fill([a0, a1, b1, b0], [top, top, bottom, bottom], color="C0", alpha=0.18, lw=0)
    ax.text(3.2, 1.5, rf"$\times\, g'(x) = {inner:g}$", va="center", color=theme.foreground)
    ax.text(3.2, 0.5, rf"$\times\, f'(g(x)) = {outer:g}$", va="center", color=theme.foreground)
    ax.text(
        2.5,
        -0.55,
        rf"overall: $dz/dx = {inner:g} \times {outer:g} = {inner * outer:g}$",
        ha="center",
        va="top",
        color="C1",
    )
    ax.text(starts[0] + dx / 2, 2.18, "$dx$", ha="center", va="bottom", color="C0")
    ax.set_xlim(-1.7, 5.1)
    ax.set_ylim(-1.05, 2.45)
    bare(ax)


@figure
def chain_rule_two_paths(ax, *, theme):
    """x reaches z along two paths: multiply along each path, add the paths."""
    nodes = {"x": (0.0, 0.0), "a": (2.0, 1.0), "b": (2.0, -1.0), "z": (4.0, 0.0)}
    edges = [
        ("x", "a", "2", "C0"),
        ("a", "z", "3", "C0"),
        ("x", "b", "−1", "C1"),
        ("b", "z", "4", "C1"),
    ]
    centre = np.array([2.0, 0.0])
    for u, v, label, color in edges:
        p, q = np.array(nodes[u]), np.array(nodes[v])
        d = (q - p) / np.linalg.norm(q - p)
        ax.annotate(
            "",
            xy=q - 0.32 * d,
            xytext=p + 0.32 * d,
            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 2.6, "mutation_scale": 18},
        )
        mid = (p + q) / 2
        normal = np.array([-d[1], d[0]])
        if normal @ (mid - centre) < 0:
            normal = -normal  # put the label on the outside of the diamond
        ax.text(
            *(mid + 0.32 * normal),
            label,
            ha="center",
            va="center",
            color=color,
            fontsize=14,
            fontweight="bold",
        )
    for name, (px, py) in nodes.items():
        ax.add_patch(
            Circle(
                (px, py),
                0.3,
                facecolor=theme.background,
                edgecolor=theme.foreground,
                lw=1.8,
                zorder=5,
            )
        )
        ax.text(
            px, py, name, ha="center", va="center", color=theme.foreground, fontsize=14, zorder=6
        )
    ax.text(
        2.0,
        -1.75,
        r"$dz/dx = 2 \times 3 \;+\; (-1) \times 4 = 2$",
        ha="center",
        va="top",
        color=theme.foreground,
        fontsize=14,
    )
    ax.set_xlim(-0.5, 4.5)
    ax.set_ylim(-2.45, 1.45)
    ax.set_aspect("equal")
    bare(ax)


# --- gradient descent ------------------------------------------------------------------------


@figure
def gradient_descent_paths(ax, *, rate=0.12, steps=40, theme):
    """Descent paths on a bowl from two starts: each step heads straight downhill, across the
    contours, and the steps shrink as the slope flattens near the minimum."""
    curv = (1.0, 4.0)
    _quad_contours(ax, (-5.2, 5.2), (-3.0, 3.0), curv, theme, levels=[0.5, 2, 4.5, 8, 12.5])
    for start, color in [((-4.6, 1.6), "C0"), ((3.6, -2.3), "C1")]:
        path = _gd_quadratic(start, curv, rate, steps)
        _path(ax, path, color)
    ax.text(-4.6, 1.95, "start", color="C0", ha="center", va="bottom")
    ax.text(3.6, -2.65, "start", color="C1", ha="center", va="top")


@figure
def gradient_descent_1d(ax, *, rate=0.3, steps=6, theme):
    """Steps on a 1-D loss: the step is rate × slope, so it shrinks as the curve flattens."""

    def L(t):
        return 0.5 * t**2

    def dL(t):
        return t

    t = np.linspace(-1.0, 3.4, 300)
    ax.plot(t, L(t), color=theme.muted, lw=2.0)
    theta = [3.0]
    for _ in range(steps):
        theta.append(theta[-1] - rate * dL(theta[-1]))
    theta = np.array(theta)
    for a, b in itertools.pairwise(theta):
        ax.annotate(
            "",
            xy=(b, L(b)),
            xytext=(a, L(a)),
            arrowprops={
                "arrowstyle": "-|>",
                "color": "C1",
                "lw": 2.2,
                "mutation_scale": 16,
                "shrinkA": 5,
                "shrinkB": 5,
                "connectionstyle": "arc3,rad=0.35",
            },
        )
    ax.plot(theta, L(theta), "o", color="C0", markersize=7, zorder=5)
    ax.text(
        theta[0] - 0.25,
        L(theta[0]) + 0.15,
        "steep: big step",
        ha="right",
        va="bottom",
        color=theme.foreground,
    )
    ax.annotate(
        "flatter: smaller steps",
        xy=(0.75, 0.55),
        xytext=(-0.9, 2.9),
        color=theme.foreground,
        arrowprops={"arrowstyle": "->", "color": theme.muted, "lw": 1.4},
    )
    ax.set_xlabel("parameter")
    ax.set_ylabel("loss")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylim(-0.3, max(L(t)) * 1.2)


# --- learning rate -----------------------------------------------------------------------------


@figure
def learning_rate_valley(fig, *, rates=(0.02, 0.19, 0.21), steps=30, verdicts=True, theme):
    """The same narrow valley and start, three learning rates: creep, bounce, diverge."""
    curv = (1.0, 10.0)
    words = ["creeps", "bounces but gets there", "bounces ever wider: diverges"]
    axes = fig.subplots(len(rates), 1)
    for i, (ax, rate) in enumerate(zip(axes, rates, strict=True)):
        _quad_contours(ax, (-5.4, 5.4), (-1.45, 1.45), curv, theme, levels=[0.5, 2, 4.5, 8])
        path = _gd_quadratic((-4.8, 0.6), curv, rate, steps)
        outside = np.nonzero(np.abs(path[:, 1]) > 2.0)[0]
        if outside.size:
            path = path[: outside[0] + 1]  # one segment leaves the frame; the axes clip it
        _path(ax, path, f"C{i}")
        label = rf"$\eta = {rate:g}$" + (f": {words[i]}" if verdicts and i < len(words) else "")
        ax.set_title(label, color=f"C{i}", fontweight="bold", fontsize=12, pad=2)


@figure
def learning_rate_loss_curves(ax, *, rates=(0.02, 0.15, 0.21), steps=60, theme):
    """Loss against step for three learning rates on one narrow valley."""
    curv = np.array([1.0, 10.0])
    words = ["too small", "about right", "too large"]
    for i, rate in enumerate(rates):
        path = _gd_quadratic((-4.8, 0.6), curv, rate, steps)
        loss = 0.5 * (path**2 @ curv)
        ax.semilogy(np.arange(steps + 1), loss, color=f"C{i}")
        ax.text(steps + 1.5, loss[-1], words[i], color=f"C{i}", va="center", fontweight="bold")
    ax.set_xlim(0, steps * 1.35)
    ax.set_xlabel("step")
    ax.set_ylabel("loss (log scale)")
    ax.set_yticks([])
    ax.minorticks_off()
    ax.set_xticks([0, steps // 2, steps])


# --- momentum --------------------------------------------------------------------------------


@figure
def momentum_valley(fig, *, rate=0.075, beta=0.6, steps=25, theme):
    """Same valley, same learning rate and steps: plain descent zig-zags and crawls; with
    momentum the zig-zag dies out and the path runs along the valley floor."""
    curv = (1.0, 25.0)
    axes = fig.subplots(2, 1)
    for ax, b, color, label in [
        (axes[0], 0.0, "C0", "plain gradient descent"),
        (axes[1], beta, "C1", rf"with momentum, $\beta = {beta:g}$"),
    ]:
        _quad_contours(ax, (-5.3, 5.3), (-1.1, 1.1), curv, theme, levels=[0.5, 2, 4.5, 8, 12.5])
        _path(ax, _gd_quadratic((-4.8, 0.8), curv, rate, steps, beta=b), color)
        ax.set_title(label, color=color, fontweight="bold", fontsize=12, pad=2)


@figure
def momentum_averaging(fig, *, beta=0.9, steps=20, theme):
    """The velocity is a running sum of gradients: alternating gradients cancel,
    agreeing gradients pile up (towards 1 / (1 - beta) times one gradient)."""
    axes = fig.subplots(1, 2, sharey=True)
    k = np.arange(1, steps + 1)
    for ax, grads, title in [
        (axes[0], (-1.0) ** (k + 1), "across the valley:\ngradient flips sign"),
        (axes[1], np.ones(steps), "along the valley:\ngradient agrees"),
    ]:
        v, vel = 0.0, []
        for g in grads:
            v = beta * v + g
            vel.append(v)
        ax.bar(k, grads, width=0.6, color=theme.muted, alpha=0.6)
        ax.plot(k, vel, "o-", color="C1", lw=2.6, markersize=5)
        ax.axhline(0, color=theme.muted, lw=1.0)
        ax.set_title(title, loc="center", fontsize=12)
        ax.set_xticks([])
        ax.set_xlabel("step")
        ax.spines["left"].set_visible(ax is axes[0])
    limit = 1 / (1 - beta)
    axes[1].axhline(limit, color=theme.muted, lw=1.2, ls="--")
    axes[1].text(
        0.6,
        limit + 0.25,
        rf"limit $1/(1-\beta) = {limit:g}$",
        ha="left",
        va="bottom",
        color=theme.muted,
    )
    axes[0].set_yticks([0, 1])
    axes[0].set_ylim(-1.6, limit * 1.25)
    axes[0].text(steps + 0.4, 1.6, "velocity stays small", ha="right", va="bottom", color="C1")
    axes[1].text(steps + 0.4, 5.0, "velocity\nbuilds up", ha="right", va="top", color="C1")
    axes[1].text(
        steps / 2 + 0.5, 1.15, "each gradient", ha="center", va="bottom", color=theme.muted
    )
    axes[1].tick_params(left=False)


# --- convexity -------------------------------------------------------------------------------


@figure
def convexity_chords(fig, *, theme):
    """Left: a convex curve, every chord above it, one minimum. Right: a non-convex curve, the
    chord between its two minima passes below the hump, and a local minimum sits beside the global one."""
    axes = fig.subplots(1, 2)
    x = np.linspace(-2.2, 2.2, 300)

    def convex(t):
        return 0.35 * t**2 + 0.25 * t + 0.4

    def wavy(t):
        return 0.12 * t**4 - 0.55 * t**2 + 0.22 * t + 1.0

    # convex: a chord between two points
    ax = axes[0]
    a, b = -1.8, 1.6
    ax.plot(x, convex(x), color="C0", lw=2.6)
    ax.plot([a, b], [convex(a), convex(b)], "--o", color="C1", lw=2.2, markersize=7)
    ax.text(-0.1, 1.22, "chord stays\nabove", ha="center", va="top", color="C1")
    xm = x[np.argmin(convex(x))]
    ax.plot([xm], [convex(xm)], "*", color=theme.foreground, markersize=15, zorder=5)
    ax.text(
        xm, convex(xm) - 0.12, "the only\nminimum", ha="center", va="top", color=theme.foreground
    )
    # non-convex: the chord between its two minima
    ax = axes[1]
    left, right = x[x < 0], x[x > 0]
    g = left[np.argmin(wavy(left))]
    loc = right[np.argmin(wavy(right))]
    ax.plot(x, wavy(x), color="C0", lw=2.6)
    ax.plot([g, loc], [wavy(g), wavy(loc)], "--", color="C1", lw=2.2)
    ax.plot([g], [wavy(g)], "*", color=theme.foreground, markersize=15, zorder=5)
    ax.plot([loc], [wavy(loc)], "o", color=theme.foreground, markersize=8, zorder=5)
    ax.text(g, wavy(g) - 0.12, "global\nmin", ha="center", va="top", color=theme.foreground)
    ax.text(loc, wavy(loc) - 0.12, "local\nmin", ha="center", va="top", color=theme.foreground)
    ax.text(0.1, 1.75, "curve rises\nabove the chord", ha="center", va="bottom", color="C1")
    for ax, title in zip(axes, ["convex", "non-convex"], strict=True):
        ax.set_title(title, loc="center")
        ax.set_ylim(-0.55, 2.45)
        bare(ax)


@figure
def convexity_landscape(ax, *, rate=0.03, steps=120, theme):
    """Gradient descent from four starts on a landscape with two valleys: the start decides
    which valley, and so which final loss, each run ends in."""

    def f(x, y):
        return (x**2 - 1) ** 2 + 0.3 * x + 1.5 * y**2 + 0.5

    def grad(p):
        return np.array([4 * p[0] * (p[0] ** 2 - 1) + 0.3, 3.0 * p[1]])

    x = np.linspace(-1.9, 1.9, 300)
    y = np.linspace(-1.25, 1.25, 300)
    X, Y = np.meshgrid(x, y)
    ax.contour(
        X,
        Y,
        f(X, Y),
        levels=[0.3, 0.6, 1.0, 1.5, 2.2, 3.0, 4.0],
        colors=theme.muted,
        linewidths=1.0,
    )
    ends = []
    for start in [(-1.45, 1.05), (-0.25, -1.05), (0.1, 1.05), (1.55, -1.0)]:
        p = np.array(start, float)
        path = [p.copy()]
        for _ in range(steps):
            p = p - rate * grad(p)
            path.append(p.copy())
        path = np.array(path)
        color = "C0" if path[-1, 0] < 0 else "C1"
        ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=2.4, zorder=3)
        ax.plot(path[::6, 0], path[::6, 1], "o", color=color, markersize=4, zorder=4)
        ax.plot(path[0, 0], path[0, 1], "o", color=color, markersize=9, zorder=4)
        ends.append(path[-1])
    gmin = min(ends, key=lambda q: f(*q))
    lmin = max(ends, key=lambda q: f(*q))
    box = {"fc": theme.background, "ec": "none", "pad": 1.5}
    ax.plot(*gmin, "*", color=theme.foreground, markersize=15, zorder=6)
    ax.plot(*lmin, "o", color=theme.foreground, markersize=8, zorder=6)
    ax.text(
        gmin[0] - 0.22,
        gmin[1],
        "global\nmin",
        ha="right",
        va="center",
        color="C0",
        fontweight="bold",
        bbox=box,
    )
    ax.text(
        lmin[0] + 0.22,
        lmin[1],
        "local\nmin",
        ha="left",
        va="center",
        color="C1",
        fontweight="bold",
        bbox=box,
    )
    ax.set_xlim(-1.9, 1.9)
    ax.set_ylim(-1.25, 1.25)
    ax.set_aspect("equal")
    bare(ax)


# --- ill-conditioning --------------------------------------------------------------------------


@figure
def ill_conditioning_zigzag(ax, *, kappa=10.0, steps=10, tilt=30.0, theme):
    """Gradient descent with the best fixed learning rate, 2 / (largest + smallest curvature):
    a long zig-zag on an elongated bowl; the inset shows a round bowl, where one step suffices."""
    c, s = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([1.0, kappa]) @ R.T
    x = np.linspace(-6, 6, 300)
    y = np.linspace(-4, 4, 300)
    X, Y = np.meshgrid(x, y)
    P = np.stack([X, Y], axis=-1)
    Z = 0.5 * np.einsum("...i,ij,...j->...", P, H, P)
    ax.contour(X, Y, Z, levels=[0.5, 2.0, 4.5, 8.0, 12.5], colors=theme.muted, linewidths=1.0)
    ax.plot([0], [0], marker="*", markersize=14, color=theme.foreground, zorder=5)
    p = R @ np.array([-4.3, 1.05])
    path = [p.copy()]
    for _ in range(steps):
        p = p - 2 / (1 + kappa) * (H @ p)
        path.append(p.copy())
    _path(ax, np.array(path), "C1")
    ax.text(
        5.1,
        -2.9,
        f"elongated bowl:\n{steps} steps, still not there",
        ha="right",
        va="bottom",
        color="C1",
        fontweight="bold",
    )
    ax.set_xlim(-5.1, 5.1)
    ax.set_ylim(-3.3, 3.3)
    ax.set_aspect("equal")
    bare(ax)
    inset = ax.inset_axes([0.0, 0.6, 0.26, 0.4])
    _quad_contours(inset, (-3.2, 3.2), (-3.2, 3.2), (1.0, 1.0), theme, levels=[0.5, 2.0, 4.5])
    _path(inset, _gd_quadratic((-2.2, 1.6), (1.0, 1.0), 1.0, 1), "C0")
    inset.text(
        3.4, 0.0, "round bowl:\n1 step", ha="left", va="center", color="C0", fontweight="bold"
    )


@figure
def ill_conditioning_directions(ax, *, kappa=10.0, tilt=30.0, theme):
    """At a point in an elongated bowl the steepest-descent direction (perpendicular to the
    contour) points mostly across the valley, far from the direction to the minimum."""
    c, s = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))
    R = np.array([[c, -s], [s, c]])
    H = R @ np.diag([1.0, kappa]) @ R.T
    x = np.linspace(-6, 6, 300)
    y = np.linspace(-4, 4, 300)
    X, Y = np.meshgrid(x, y)
    P = np.stack([X, Y], axis=-1)
    Z = 0.5 * np.einsum("...i,ij,...j->...", P, H, P)
    p = R @ np.array([-3.9, 0.75])
    g = H @ p
    here = 0.5 * p @ H @ p
    ax.contour(X, Y, Z, levels=[0.5, 2.0, 4.5, here], colors=theme.muted, linewidths=1.0)
    ax.plot([0], [0], marker="*", markersize=14, color=theme.foreground, zorder=5)
    d = -g / np.linalg.norm(g) * 2.0
    ax.annotate(
        "",
        xy=p + d,
        xytext=p,
        arrowprops={"arrowstyle": "-|>", "color": "C1", "lw": 3, "mutation_scale": 20},
    )
    ax.annotate(
        "",
        xy=(0, 0),
        xytext=p,
        arrowprops={
            "arrowstyle": "-|>",
            "color": "C0",
            "lw": 2.4,
            "ls": "--",
            "mutation_scale": 20,
            "shrinkB": 12,
        },
    )
    ax.plot(*p, "o", color=theme.foreground, markersize=8, zorder=6)
    box = {"fc": theme.background, "ec": "none", "pad": 1.5}
    ax.text(
        *(p + d + np.array([0.2, -0.1])),
        "steepest descent",
        color="C1",
        va="top",
        ha="left",
        fontweight="bold",
        bbox=box,
    )
    angle = np.degrees(np.arctan2(-p[1], -p[0]))
    mid = 0.42 * p + 0.3 * np.array([-np.sin(np.radians(angle)), np.cos(np.radians(angle))])
    ax.text(
        *mid,
        "to the minimum",
        color="C0",
        ha="center",
        va="bottom",
        fontweight="bold",
        rotation=angle,
        rotation_mode="anchor",
        transform_rotates_text=True,
        bbox=box,
    )
    ax.set_xlim(-5.1, 5.1)
    ax.set_ylim(-3.3, 3.3)
    ax.set_aspect("equal")
    bare(ax)


@figure
def convexity_tangents(fig, *, theme):
    """Left: a convex curve with several tangent lines, all below it. Right: a non-convex curve,
    where the tangent at a point on the hump runs above the curve."""
    axes = fig.subplots(1, 2)
    x = np.linspace(-2.2, 2.2, 300)

    def convex(t):
        return 0.35 * t**2 + 0.25 * t + 0.4

    def dconvex(t):
        return 0.7 * t + 0.25

    def wavy(t):
        return 0.12 * t**4 - 0.55 * t**2 + 0.22 * t + 1.0

    def dwavy(t):
        return 0.48 * t**3 - 1.1 * t + 0.22

    ax = axes[0]
    ax.plot(x, convex(x), color="C0", lw=2.6, zorder=3)
    for t0 in (-1.7, -0.6, 0.5, 1.6):
        ax.plot(x, convex(t0) + dconvex(t0) * (x - t0), "--", color="C1", lw=1.8)
        ax.plot([t0], [convex(t0)], "o", color="C1", markersize=6, zorder=4)
    ax.text(0.0, 2.3, "every tangent\nstays below", ha="center", va="top", color="C1")

    ax = axes[1]
    ax.plot(x, wavy(x), color="C0", lw=2.6, zorder=3)
    t0 = 0.2
    ax.plot(x, wavy(t0) + dwavy(t0) * (x - t0), "--", color="C1", lw=1.8)
    ax.plot([t0], [wavy(t0)], "o", color="C1", markersize=6, zorder=4)
    ax.text(0.1, 2.3, "this tangent runs\nabove the curve", ha="center", va="top", color="C1")
    for ax, title in zip(axes, ["convex", "non-convex"], strict=True):
        ax.set_title(title, loc="center")
        ax.set_xlim(-2.2, 2.2)
        ax.set_ylim(-0.3, 2.45)
        bare(ax)


# --- second derivative ---------------------------------------------------------------------


@figure
def second_derivative_taylor(ax, *, x0=0.0, half=1.7, theme):
    """A smooth convex curve (softplus) with its tangent line and its quadratic (second-order)
    approximation at one point: the quadratic bends with the curve and stays close much further."""

    def f(x):
        return np.logaddexp(0.0, 2 * x)

    s = 1 / (1 + np.exp(-2 * x0))
    slope, curv = 2 * s, 4 * s * (1 - s)
    x = np.linspace(x0 - half, x0 + half, 400)
    h = x - x0
    tangent = f(x0) + slope * h
    quadratic = tangent + 0.5 * curv * h**2
    ax.plot(x, f(x), color="C0", lw=3.0, zorder=3)
    ax.plot(x, tangent, "--", color="C1", lw=2.2)
    ax.plot(x, quadratic, "--", color="C2", lw=2.2)
    ax.plot([x0], [f(x0)], "o", color=theme.foreground, markersize=8, zorder=5)
    ax.text(
        x0 - 1.5,
        f(x0 - 1.5) - 0.08,
        "f",
        color="C0",
        fontsize=16,
        fontweight="bold",
        ha="left",
        va="top",
    )
    ax.text(
        x0 + half - 0.05,
        0.1,
        r"tangent: $f + f'h$",
        color="C1",
        ha="right",
        va="center",
        fontweight="bold",
    )
    ax.text(
        x0 - half + 0.05,
        2.9,
        r"quadratic:" + "\n" + r"$f + f'h + \frac{1}{2}f''h^2$",
        color="C2",
        ha="left",
        va="top",
        fontweight="bold",
    )
    ax.set_xlim(x0 - half, x0 + half)
    ax.set_ylim(-0.9, 3.3)
    bare(ax)


@figure
def second_derivative_signs(fig, *, slope=0.35, bend=0.45, theme):
    """A cup (f'' > 0) lies above its tangent line; a cap (f'' < 0) lies below it."""
    axes = fig.subplots(1, 2)
    x = np.linspace(-2.0, 2.0, 300)
    for ax, sign, title in [
        (axes[0], 1.0, "$f'' > 0$: bends up\n(convex)"),
        (axes[1], -1.0, "$f'' < 0$: bends down\n(concave)"),
    ]:
        f = sign * bend * x**2 + slope * x
        tangent = slope * x
        ax.fill_between(x, f, tangent, color="C0", alpha=0.15, lw=0)
        ax.plot(x, tangent, "--", color="C1", lw=2.2)
        ax.plot(x, f, color="C0", lw=2.8)
        ax.plot([0], [0], "o", color=theme.foreground, markersize=7, zorder=5)
        ax.set_title(title, loc="center", fontsize=12)
        ax.set_xlim(-2.0, 2.0)
        ax.set_ylim(-2.3, 2.3)
        bare(ax)
    bold = {"fontweight": "bold"}
    axes[0].text(1.95, -0.05, "tangent", color="C1", ha="right", va="top", **bold)
    axes[0].text(-1.95, 2.1, "curve above", color="C0", ha="left", va="top", **bold)
    axes[1].text(1.95, 0.85, "tangent", color="C1", ha="right", va="bottom", **bold)
    axes[1].text(1.95, -2.1, "curve below", color="C0", ha="right", va="bottom", **bold)


@figure
def second_derivative_valleys(fig, *, curvatures=(2.0, 0.4), slope=1.0, steps=True, theme):
    """Two valleys with the same slope at the marked point but different second derivatives.
    With `steps`, the distance to each bottom (slope / f'') is drawn."""
    axes = fig.subplots(1, 2, sharey=True)
    xp, yp = 3.6, 2.2
    for i, (ax, a) in enumerate(zip(axes, curvatures, strict=True)):
        bottom = xp - slope / a
        yb = yp - slope**2 / (2 * a)
        x = np.linspace(0.0, 5.0, 400)
        ax.plot(x, yb + 0.5 * a * (x - bottom) ** 2, color="C0", lw=2.8)
        tx = np.array([xp - 0.8, xp + 0.7])
        ax.plot(tx, yp + slope * (tx - xp), "--", color="C1", lw=2.2)
        ax.plot([xp], [yp], "o", color=theme.foreground, markersize=8, zorder=5)
        ax.text(xp + 0.15, yp - 0.15, "same\nslope", color="C1", ha="left", va="top")
        ax.set_xlim(0.0, 5.0)
        ax.set_ylim(0.2, 4.2)
        bare(ax)
        name = "valley " + "AB"[i]
        ax.set_title(name + (rf": $f'' = {a:g}$" if steps else ""), loc="center")
        if steps:
            ax.plot([bottom], [yb], "*", color="C2", markersize=15, zorder=5)
            arrow(ax, (xp, yb - 0.25), (bottom, yb - 0.25), "C2", lw=2.2)
            label = f"bottom {slope / a:g} away"
            if xp - bottom < 1.5:  # a short arrow: label to its left
                spot, align = (bottom - 0.25, yb - 0.25), {"ha": "right", "va": "center"}
            else:
                spot, align = ((xp + bottom) / 2, yb - 0.4), {"ha": "center", "va": "top"}
            ax.text(*spot, label, color="C2", fontweight="bold", **align)


# --- hessian -------------------------------------------------------------------------------


def _tilted(curv, tilt):
    c, s = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag(curv) @ R.T, R


def _quad_form_grid(H, lim):
    x = np.linspace(-lim[0], lim[0], 300)
    y = np.linspace(-lim[1], lim[1], 300)
    X, Y = np.meshgrid(x, y)
    P = np.stack([X, Y], axis=-1)
    return X, Y, 0.5 * np.einsum("...i,ij,...j->...", P, H, P)


@figure
def hessian_bowl(ax, *, curv=(1.0, 8.0), tilt=25.0, show_axes=True, theme):
    """Contours of a tilted quadratic bowl; with `show_axes`, the Hessian's eigenvectors drawn as
    the principal axes, labelled with their eigenvalues (curvatures)."""
    H, R = _tilted(curv, tilt)
    X, Y, Z = _quad_form_grid(H, (5.0, 3.3))
    ax.contour(X, Y, Z, levels=[0.5, 2.0, 4.5, 8.0], colors=theme.muted, linewidths=1.2)
    ax.plot([0], [0], marker="*", markersize=14, color=theme.foreground, zorder=5)
    if show_axes:
        box = {"fc": theme.background, "ec": "none", "pad": 1.5}
        gentle, steep = R[:, 0], R[:, 1]
        arrow(ax, (0, 0), 3.6 * gentle, "C0", lw=3)
        arrow(ax, (0, 0), 1.5 * steep, "C1", lw=3)
        ax.text(
            *(3.7 * gentle + np.array([0.05, 0.15])),
            rf"$\lambda = {curv[0]:g}$: gentle",
            color="C0",
            ha="left",
            va="bottom",
            fontweight="bold",
            bbox=box,
        )
        ax.text(
            *(1.55 * steep + np.array([0.0, 0.1])),
            rf"$\lambda = {curv[1]:g}$: steep",
            color="C1",
            ha="center",
            va="bottom",
            fontweight="bold",
            bbox=box,
        )
    ax.set_xlim(-5.0, 5.0)
    ax.set_ylim(-3.2, 3.2)
    ax.set_aspect("equal")
    bare(ax)


@figure
def hessian_saddle(ax, *, tilt=20.0, theme):
    """Contours of a saddle: the Hessian has one positive and one negative eigenvalue, so the
    function curves up along one principal direction and down along the other."""
    H, R = _tilted((1.0, -1.0), tilt)
    X, Y, Z = _quad_form_grid(H, (5.0, 3.3))
    ax.contour(X, Y, Z, levels=[0.5, 2.0, 4.5], colors="C0", linewidths=1.2, alpha=0.55)
    ax.contour(
        X,
        Y,
        Z,
        levels=[-4.5, -2.0, -0.5],
        colors="C1",
        linewidths=1.2,
        alpha=0.55,
        linestyles="solid",
    )
    up, down = R[:, 0], R[:, 1]
    box = {"fc": theme.background, "ec": "none", "pad": 1.5}
    for sign in (1, -1):
        arrow(ax, (0, 0), sign * 3.9 * up, "C0", lw=2.6)
        arrow(ax, (0, 0), sign * 2.6 * down, "C1", lw=2.6)
    ax.plot([0], [0], "o", color=theme.foreground, markersize=9, zorder=6)
    ax.text(-0.5, 0.2, "saddle", color=theme.foreground, ha="right", va="bottom", bbox=box)
    ax.text(
        *(3.9 * up + np.array([0.0, 0.25])),
        r"curves up ($\lambda > 0$)",
        color="C0",
        ha="right",
        va="bottom",
        fontweight="bold",
        bbox=box,
    )
    ax.text(
        *(2.6 * down + np.array([0.2, 0.0])),
        r"curves down ($\lambda < 0$)",
        color="C1",
        ha="left",
        va="center",
        fontweight="bold",
        bbox=box,
    )
    ax.set_xlim(-5.0, 5.0)
    ax.set_ylim(-3.2, 3.2)
    ax.set_aspect("equal")
    bare(ax)


# --- adaptive learning rates ---------------------------------------------------------------


@figure
def adaptive_axis_rescaling(fig, *, stretch=16.0, theme):
    """Rescaling each parameter axis separately (a diagonal preconditioner, the kind of
    correction per-parameter step sizes make) rounds a valley stretched along an axis, but
    leaves a diagonal valley just as narrow."""
    axes = fig.subplots(2, 2)
    aligned = np.diag([1.0, stretch])
    diagonal, _ = _tilted((1.0, stretch), 45.0)
    for row, (H, name) in enumerate([(aligned, "along an axis"), (diagonal, "diagonal")]):
        d = np.sqrt(np.diag(H))
        after = H / np.outer(d, d)
        for col, M in enumerate([H, after]):
            M = M / np.linalg.eigvalsh(M)[0]  # zoom so the long axes fit: smallest curvature 1
            ax = axes[row, col]
            X, Y, Z = _quad_form_grid(M, (3.4, 3.4))
            ax.contour(X, Y, Z, levels=[0.5, 2.0, 4.5], colors=f"C{row}", linewidths=1.6)
            ax.plot([0], [0], marker="*", markersize=11, color=theme.foreground, zorder=5)
            ax.set_xlim(-3.4, 3.4)
            ax.set_ylim(-3.4, 3.4)
            ax.set_aspect("equal")
            bare(ax)
            for side in ("left", "bottom", "top", "right"):
                ax.spines[side].set_visible(True)
                ax.spines[side].set_color(theme.grid)
        axes[row, 0].set_ylabel(name, color=f"C{row}", fontweight="bold")
        axes[row, 0].annotate(
            "",
            xy=(1.62, 0.5),
            xytext=(1.12, 0.5),
            xycoords="axes fraction",
            annotation_clip=False,
            arrowprops={"arrowstyle": "-|>", "color": theme.muted, "lw": 2.4, "mutation_scale": 20},
        )
    axes[0, 0].set_title("valley", loc="center")
    axes[0, 1].set_title("each axis rescaled", loc="center")
    box = {"fc": theme.background, "ec": "none", "pad": 1.5}
    axes[0, 1].text(
        0, -3.2, "round", color="C0", ha="center", va="bottom", fontweight="bold", bbox=box
    )
    axes[1, 1].text(
        0, -3.2, "still narrow", color="C1", ha="center", va="bottom", fontweight="bold", bbox=box
    )

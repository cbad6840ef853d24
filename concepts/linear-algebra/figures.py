"""Figures for linear-algebra concepts."""

import numpy as np
from matplotlib.collections import LineCollection

from generator import arrow, bare, figure

# --- small drawing helpers (not figures) ------------------------------------------------------


def _bare(ax, lim=None):
    """Equal axes, optionally fixed limits, and no ticks or spines."""
    if lim is not None:
        ax.set_xlim(lim[0], lim[1])
        ax.set_ylim(lim[2], lim[3])
    ax.set_aspect("equal")
    bare(ax)


def _right_angle(ax, corner, d1, d2, size, color):
    d1 = np.asarray(d1, float) / np.linalg.norm(d1)
    d2 = np.asarray(d2, float) / np.linalg.norm(d2)
    c = np.asarray(corner, float)
    pts = np.array([c + size * d1, c + size * (d1 + d2), c + size * d2])
    ax.plot(pts[:, 0], pts[:, 1], color=color, lw=1.5)


def _rot(deg):
    t = np.radians(deg)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


def _grid(ax, M, color, lo=-4, hi=4, lw=1.0, zorder=0):
    s = np.linspace(lo, hi, 2)
    for k in range(lo, hi + 1):
        for line in (np.array([s, np.full(2, k)]), np.array([np.full(2, k), s])):
            img = M @ line
            ax.plot(img[0], img[1], color=color, lw=lw, zorder=zorder)


# --- dot product ------------------------------------------------------------------------------


@figure
def dot_product_shadow(ax, *, angle=55, theme):
    """a·b as |b| times the signed length of a's shadow on b's line."""
    b = np.array([3.6, 0.0])
    t = np.radians(angle)
    a = 2.4 * np.array([np.cos(t), np.sin(t)])
    foot = np.array([a[0], 0.0])
    ax.plot([-0.4, 4.2], [0, 0], color=theme.grid, lw=1.5, zorder=0)
    arrow(ax, (0, 0), b, "C1")
    arrow(ax, (0, 0), a, "C0")
    ax.plot([a[0], foot[0]], [a[1], foot[1]], ls="--", color=theme.muted, lw=1.6)
    _right_angle(ax, foot, (-1, 0), (0, 1), 0.15, theme.muted)
    ax.plot([0, foot[0]], [-0.28, -0.28], color="C2", lw=6, solid_capstyle="butt")
    ax.text(foot[0] / 2, -0.45, "shadow = |a| cos θ", color="C2", ha="center", va="top")
    arc = np.linspace(0, t, 30)
    ax.plot(0.55 * np.cos(arc), 0.55 * np.sin(arc), color=theme.foreground, lw=1.5)
    ax.text(0.68 * np.cos(t / 2), 0.68 * np.sin(t / 2), "θ", va="center")
    ax.text(a[0] - 0.12, a[1] + 0.05, "a", color="C0", ha="right", va="bottom")
    ax.text(b[0], 0.12, "b", color="C1", ha="right", va="bottom")
    ax.text(2.0, 1.85, "a·b = |b| × shadow", ha="left", va="center")
    _bare(ax, (-0.4, 4.2, -1.0, 2.3))


# --- matrix as a linear map -------------------------------------------------------------------


@figure
def matrix_as_linear_map_grid(fig, *, theme):
    """The grid before and after A; the columns are where e1 and e2 land, and v = 2e1 + e2
    lands at 2·(column 1) + (column 2)."""
    A = np.array([[1.0, -1.0], [0.5, 1.0]])
    left, right = fig.subplots(1, 2)
    lim = (-1.6, 3.0, -1.0, 3.0)
    for ax, M in ((left, np.eye(2)), (right, A)):
        _grid(ax, M, theme.grid, lw=1.2)
        e1, e2 = M[:, 0], M[:, 1]
        v = M @ np.array([2.0, 1.0])
        ax.plot([0, 2 * e1[0], v[0]], [0, 2 * e1[1], v[1]], ls=":", color="C2", lw=2)
        arrow(ax, (0, 0), v, "C2")
        arrow(ax, (0, 0), e1, "C0")
        arrow(ax, (0, 0), e2, "C1")
        _bare(ax, lim)
    left.text(1.0, -0.15, "e₁", color="C0", ha="center", va="top")
    left.text(-0.1, 1.0, "e₂", color="C1", ha="right", va="center")
    left.text(-1.5, 2.9, "v = 2e₁ + e₂", color="C2", ha="left", va="top")
    left.set_title("before")
    right.text(1.05, 0.45, "col 1", color="C0", ha="left", va="top")
    right.text(-1.0, 1.15, "col 2", color="C1", ha="center", va="bottom")
    right.text(2.9, 2.9, "Av = 2·col 1 + col 2", color="C2", ha="right", va="top")
    right.set_title("after A")


# --- determinant ------------------------------------------------------------------------------


@figure
def determinant_area(fig, *, theme):
    """The unit square, with an F drawn in it, under three maps: area doubled, mirrored
    (det < 0), and flattened onto a line (det = 0)."""
    cases = (
        (np.eye(2), "unit square: det = 1"),
        (np.array([[2.0, 1.0], [0.0, 1.0]]), "det = 2: area doubles"),
        (np.array([[-1.0, 0.5], [0.0, 1.0]]), "det = −1: mirrored"),
        (np.array([[1.0, 2.0], [0.5, 1.0]]), "det = 0: flattened"),
    )
    axes = fig.subplots(2, 2).ravel()
    square = np.array([[0, 1, 1, 0, 0], [0, 0, 1, 1, 0]], float)
    f_shape = (np.array([[0.3, 0.3, 0.72], [0.18, 0.82, 0.82]]), np.array([[0.3, 0.6], [0.5, 0.5]]))
    for ax, (M, title) in zip(axes, cases):
        ax.plot(square[0], square[1], ls="--", color=theme.muted, lw=1.2, zorder=1)
        img = M @ square
        ax.fill(img[0], img[1], color="C2", alpha=0.25, lw=0)
        ax.plot(img[0], img[1], color="C2", lw=2)
        for stroke in f_shape:
            p = M @ stroke
            ax.plot(p[0], p[1], color=theme.foreground, lw=3, solid_capstyle="round", zorder=4)
        arrow(ax, (0, 0), M[:, 0], "C0", lw=2.2, zorder=5)
        arrow(ax, (0, 0), M[:, 1], "C1", lw=2.2, zorder=5)
        ax.set_title(title, fontsize=12)
        _bare(ax, (-1.3, 3.2, -0.35, 1.75))
    axes[0].text(1.05, -0.05, "e₁", color="C0", ha="left", va="center")
    axes[0].text(-0.08, 1.0, "e₂", color="C1", ha="right", va="center")


# --- eigenvectors -----------------------------------------------------------------------------

_EIG_A = np.array([[1.6, 0.6], [0.3, 0.9]])  # eigenvalues 1.8 along (3, 1) and 0.7 along (2, -3)


@figure
def eigenvectors_directions(fig, *, theme):
    """Before and after A: the two eigenvectors stay on their own (dashed) lines, only scaled;
    an ordinary vector is turned off its line."""
    A = _EIG_A
    lam, vecs = np.linalg.eig(A)
    eig = [vecs[:, i] / np.linalg.norm(vecs[:, i]) for i in range(2)]
    eig = [e * np.sign(e[0]) for e in eig]
    g = np.array([np.cos(np.radians(70)), np.sin(np.radians(70))])
    left, right = fig.subplots(1, 2)
    t = np.linspace(0, 2 * np.pi, 200)
    circle = np.vstack([np.cos(t), np.sin(t)])
    for ax, M, title in ((left, np.eye(2), "before"), (right, A, "after A")):
        img = M @ circle
        ax.plot(img[0], img[1], color=theme.grid, lw=1.5, zorder=0)
        for e, color in zip(eig, ("C0", "C1")):
            ax.plot(
                [-2.2 * e[0], 2.2 * e[0]],
                [-2.2 * e[1], 2.2 * e[1]],
                ls="--",
                color=color,
                lw=1.2,
                zorder=1,
            )
            arrow(ax, (0, 0), M @ e, color, lw=3, zorder=4)
        ax.plot(
            [-2.2 * g[0], 2.2 * g[0]],
            [-2.2 * g[1], 2.2 * g[1]],
            ls=":",
            color=theme.muted,
            lw=1.6,
            zorder=1,
        )
        arrow(ax, (0, 0), M @ g, "C2", lw=3, zorder=4)
        ax.set_title(title)
        _bare(ax, (-2.0, 2.0, -1.7, 1.7))
    for e, factor, color in zip(eig, lam, ("C0", "C1")):
        tip = A @ e
        right.text(
            tip[0] + 0.08,
            tip[1] + (0.12 if e[1] > 0 else -0.12),
            f"×{factor:.1f}",
            color=color,
            ha="left",
            va="bottom" if e[1] > 0 else "top",
        )
    fig.text(
        0.5,
        0.03,
        "eigenvectors stay on their dashed lines;\nthe green vector is turned off its dotted line",
        ha="center",
        va="bottom",
        color=theme.foreground,
    )


@figure
def eigenvectors_power_iteration(ax, *, steps=4, theme):
    """x, Ax, A²x, ... rescaled to unit length: the direction swings onto the eigenvector
    with the largest |eigenvalue|."""
    A = _EIG_A
    lam, vecs = np.linalg.eig(A)
    dom = vecs[:, np.argmax(abs(lam))]
    dom = dom / np.linalg.norm(dom) * np.sign(dom[0])
    t = np.linspace(-0.2, np.pi * 0.75, 200)
    ax.plot(np.cos(t), np.sin(t), color=theme.grid, lw=1.2, zorder=0)
    ax.plot([0, 1.35 * dom[0]], [0, 1.35 * dom[1]], ls="--", color="C0", lw=1.6, zorder=0)
    ax.text(
        1.36 * dom[0], 1.36 * dom[1], "dominant\neigenvector", color="C0", ha="left", va="center"
    )
    x = np.array([-0.45, 1.0])
    x = x / np.linalg.norm(x)
    for k in range(steps + 1):
        shade = 0.35 + 0.65 * k / steps
        arrow(ax, (0, 0), x, theme.foreground if k == steps else theme.muted, lw=1.2 + 1.2 * shade)
        off = 1.12
        ax.text(
            off * x[0],
            off * x[1],
            "x" if k == 0 else ("Ax" if k == 1 else f"A{'²³⁴⁵⁶⁷⁸⁹'[k - 2]}x"),
            ha="center",
            va="center",
            color=theme.foreground,
        )
        x = A @ x
        x = x / np.linalg.norm(x)
    ax.text(-0.75, -0.15, "each step rescaled\nto length 1", ha="left", va="top", color=theme.muted)
    _bare(ax, (-0.8, 2.0, -0.45, 1.25))


# --- rank -------------------------------------------------------------------------------------


@figure
def rank_collapse(fig, *, theme):
    """A rank-1 map: every line along the null direction collapses to a single point, and all
    outputs lie on one line, the column space."""
    A = np.array([[1.0, 2.0], [0.5, 1.0]])
    n = np.array([2.0, -1.0]) / np.sqrt(5)
    col = np.array([2.0, 1.0]) / np.sqrt(5)
    left, right = fig.subplots(1, 2)
    s = np.linspace(-1.3, 1.3, 7)
    for k, x0 in enumerate(np.linspace(-1.2, 1.2, 5)):
        p = np.array([0.0, x0])
        pts = p[:, None] + n[:, None] * s[None, :]
        color = f"C{k}"
        left.plot(pts[0], pts[1], "-o", color=color, lw=2, ms=5)
        out = A @ p
        right.plot([out[0]], [out[1]], "o", color=color, ms=11, zorder=5)
    right.plot(
        [-3.2 * col[0], 3.2 * col[0]],
        [-3.2 * col[1], 3.2 * col[1]],
        ls="--",
        color=theme.muted,
        lw=1.6,
        zorder=0,
    )
    arrow(left, (-1.6, -1.75), (-1.6 + 1.1 * n[0], -1.75 + 1.1 * n[1]), theme.foreground, lw=1.8)
    left.text(-0.5, -2.0, "null direction", ha="left", va="top")
    for ax in (left, right):
        ax.plot(0, 0, "+", color=theme.foreground, ms=16, mew=2.2, zorder=6)
    left.text(1.45, -0.75, "null space:\nlands on 0", color="C2", ha="left", va="center")
    right.text(0.3, -0.12, "0", ha="left", va="top")
    left.set_title("input plane")
    right.set_title("output")
    right.text(-2.8, 1.4, "every output lies\non one line:\nrank 1", ha="left", va="top")
    right.text(2.9, -0.95, "each input line\n→ one point", ha="right", va="top", color=theme.muted)
    _bare(left, (-2.9, 2.9, -2.4, 2.0))
    _bare(right, (-2.9, 2.9, -2.4, 2.0))


# --- orthogonal projection --------------------------------------------------------------------


@figure
def orthogonal_projection_closest(ax, *, theme):
    """b, its projection p onto a line, the perpendicular residual, and a circle round b that
    touches the line only at p: every other point of the line is farther away."""
    u = np.array([1.0, 0.35])
    u = u / np.linalg.norm(u)
    b = np.array([1.4, 2.1])
    p = (b @ u) * u
    q = p + 1.3 * u
    r = np.linalg.norm(b - p)
    ax.plot([-0.5 * u[0], 4.6 * u[0]], [-0.5 * u[1], 4.6 * u[1]], color="C0", lw=2.6)
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(b[0] + r * np.cos(t), b[1] + r * np.sin(t), color=theme.muted, lw=1.2, ls=":")
    ax.plot([b[0], p[0]], [b[1], p[1]], color="C1", lw=2.4)
    ax.plot([b[0], q[0]], [b[1], q[1]], color=theme.muted, lw=1.6, ls="--")
    _right_angle(ax, p, -u, b - p, 0.17, theme.foreground)
    ax.plot(*b, "o", color=theme.foreground, ms=8, zorder=5)
    ax.plot(*p, "o", color="C1", ms=9, zorder=5)
    ax.plot(*q, "o", color=theme.muted, ms=7, zorder=5)
    ax.text(b[0] + 0.1, b[1] + 0.08, "b", ha="left", va="bottom")
    ax.text(p[0] + 0.05, p[1] - 0.15, "p: closest point", color="C1", ha="left", va="top")
    ax.text(
        q[0] + 0.05,
        q[1] - 0.15,
        "any other point:\nfarther",
        color=theme.muted,
        ha="left",
        va="top",
    )
    mid = (b + p) / 2
    ax.text(
        mid[0] - 0.12,
        mid[1],
        "residual b − p,\nat right angles",
        color="C1",
        ha="right",
        va="center",
    )
    ax.plot(0, 0, "o", color="C0", ms=6, zorder=5)
    ax.text(-0.05, 0.1, "0", color="C0", ha="right", va="bottom")
    ax.text(0.3, -0.3, "subspace (a line through 0)", color="C0", ha="left", va="top")
    _bare(ax, (-0.5, 4.6, -0.8, 3.75))


@figure
def orthogonal_projection_ls_vs_pca(fig, *, n=14, rng, theme):
    """Same points, two lines: least squares minimises vertical gaps (errors in y only), the first
    principal component minimises perpendicular gaps."""
    x = rng.normal(size=n)
    y = 0.5 * x + 0.75 * rng.normal(size=n)
    x, y = x - x.mean(), y - y.mean()
    slope_ls = (x @ y) / (x @ x)
    C = np.cov(np.vstack([x, y]))
    w, V = np.linalg.eigh(C)
    d = V[:, np.argmax(w)]
    slope_pc = d[1] / d[0]
    left, right = fig.subplots(1, 2, sharex=True, sharey=True)
    xs = np.array([-2.6, 2.6])
    for ax, slope, title in (
        (left, slope_ls, "least squares"),
        (right, slope_pc, "1st principal component"),
    ):
        ax.plot(xs, slope * xs, color="C0", lw=2.4)
        ax.set_title(title)
    for xi, yi in zip(x, y):
        left.plot([xi, xi], [yi, slope_ls * xi], color="C1", lw=1.6)
        t = xi * d[0] + yi * d[1]
        right.plot([xi, t * d[0]], [yi, t * d[1]], color="C1", lw=1.6)
    for ax in (left, right):
        ax.plot(x, y, "o", color=theme.foreground, ms=5, zorder=5)
        _bare(ax, (-2.7, 2.7, -2.2, 2.2))
    left.text(2.6, -2.1, "vertical gaps", color="C1", ha="right", va="bottom")
    right.text(2.6, -2.1, "perpendicular gaps", color="C1", ha="right", va="bottom")


# --- change of basis --------------------------------------------------------------------------


@figure
def change_of_basis_two_grids(fig, *, theme):
    """One arrow, two coordinate systems: coordinates (1, 2) on the standard grid, (1, 1) on the
    grid of b1 = (2, 1), b2 = (-1, 1). The labels name the arrow as a combination of basis
    vectors, never as a pair of numbers, since the numbers depend on the grid."""
    B = np.array([[2.0, -1.0], [1.0, 1.0]])
    v = np.array([1.0, 2.0])
    left, right = fig.subplots(1, 2)
    lim = (-1.8, 2.8, -1.3, 3.7)
    for ax, M in ((left, np.eye(2)), (right, B)):
        _grid(ax, M, theme.grid, lw=1.2)
        c = np.linalg.solve(M, v)
        ax.plot(
            [0, c[0] * M[0, 0], v[0]], [0, c[0] * M[1, 0], v[1]], ls=":", color=theme.muted, lw=2
        )
        arrow(ax, (0, 0), M[:, 0], "C0")
        arrow(ax, (0, 0), M[:, 1], "C1")
        arrow(ax, (0, 0), v, "C2", lw=3)
        _bare(ax, lim)
    left.text(1.0, -0.12, "e₁", color="C0", ha="center", va="top")
    left.text(-0.1, 1.0, "e₂", color="C1", ha="right", va="center")
    left.text(0.5, 3.55, "v = 1·e₁ + 2·e₂", color="C2", ha="center", va="top")
    left.text(0.5, 3.0, "coordinates (1, 2)", color="C2", ha="center", va="top", fontsize=11)
    left.set_title("standard basis")
    right.text(2.05, 0.9, "b₁", color="C0", ha="left", va="top")
    right.text(-1.05, 1.05, "b₂", color="C1", ha="right", va="bottom")
    right.text(0.5, 3.55, "v = 1·b₁ + 1·b₂", color="C2", ha="center", va="top")
    right.text(0.5, 3.0, "coordinates (1, 1)", color="C2", ha="center", va="top", fontsize=11)
    right.set_title("basis b₁, b₂")


# --- SVD --------------------------------------------------------------------------------------


def _ring(ax, M, theme, cmap):
    t = np.linspace(0, 2 * np.pi, 121)
    pts = M @ np.vstack([np.cos(t), np.sin(t)])
    segs = np.stack([pts[:, :-1].T, pts[:, 1:].T], axis=1)
    lc = LineCollection(segs, cmap=cmap, linewidths=4)
    lc.set_array(t[:-1])
    ax.add_collection(lc)


@figure
def svd_rotate_stretch_rotate(fig, *, v_deg=35, u_deg=70, s1=1.9, s2=0.6, theme):
    """The unit circle through Vᵀ (rotate), Σ (stretch along the axes), U (rotate). The coloured
    rim shows the turning; the arrows are v₁, v₂ and where they go."""
    V, U = _rot(v_deg), _rot(u_deg)
    S = np.diag([s1, s2])
    stages = (
        (np.eye(2), "1  input: circle"),
        (V.T, "2  Vᵀ rotates"),
        (S @ V.T, "3  Σ stretches axes"),
        (U @ S @ V.T, "4  U rotates"),
    )
    axes = fig.subplots(2, 2).ravel()
    for ax, (M, title) in zip(axes, stages):
        ax.axhline(0, color=theme.grid, lw=1, zorder=0)
        ax.axvline(0, color=theme.grid, lw=1, zorder=0)
        _ring(ax, M, theme, theme.cmap)
        arrow(ax, (0, 0), M @ V[:, 0], "C1", zorder=4)
        arrow(ax, (0, 0), M @ V[:, 1], "C0", zorder=4)
        ax.set_title(title, fontsize=12)
        _bare(ax, (-2.1, 2.1, -2.1, 2.1))
    axes[0].text(V[0, 0] * 1.15, V[1, 0] * 1.15, "v₁", color="C1", ha="left", va="bottom")
    axes[0].text(V[0, 1] * 1.15, V[1, 1] * 1.15, "v₂", color="C0", ha="right", va="bottom")
    tip1 = U[:, 0] * s1
    axes[3].text(tip1[0] + 0.1, tip1[1], "σ₁u₁", color="C1", ha="left", va="center")
    tip2 = U[:, 1] * s2
    axes[3].text(tip2[0] - 0.1, tip2[1], "σ₂u₂", color="C0", ha="right", va="center")


# --- PCA --------------------------------------------------------------------------------------


def _cloud(rng, n, sd1, sd2, deg, centre=(0.0, 0.0)):
    pts = rng.normal(size=(n, 2)) * np.array([sd1, sd2])
    return pts @ _rot(deg).T + np.asarray(centre)


@figure
def pca_principal_axes(ax, *, n=300, rng, theme):
    """A cloud with its principal axes drawn from the mean, each two standard deviations long."""
    pts = _cloud(rng, n, 1.6, 0.5, 30)
    mu = pts.mean(axis=0)
    w, V = np.linalg.eigh(np.cov(pts.T))
    order = np.argsort(w)[::-1]
    ax.scatter(pts[:, 0], pts[:, 1], s=10, alpha=0.45, color=theme.muted, lw=0)
    for rank, (i, color, label) in enumerate(
        zip(order, ("C0", "C1"), ("1st component:\nmost spread", "2nd component"))
    ):
        d = V[:, i] * np.sign(V[0, i] if rank == 0 else V[1, i])
        tip = mu + 2 * np.sqrt(w[i]) * d
        arrow(ax, mu, tip, color, lw=3.2, zorder=5)
        ax.text(
            tip[0] + 0.1,
            tip[1] + (0.1 if rank == 0 else 0.15),
            label,
            color=color,
            ha="left" if rank == 0 else "center",
            va="bottom",
        )
    ax.plot(*mu, "o", color=theme.foreground, ms=7, zorder=6)
    _bare(ax, (-4.2, 5.0, -3.0, 3.4))


@figure
def pca_centring(ax, *, n=200, rng, theme):
    """A cloud far from the origin. Without centring the top direction points from the origin
    at the mean; after centring, PC1 runs along the spread."""
    mu = np.array([3.2, 2.0])
    pts = _cloud(rng, n, 1.0, 0.22, 125, centre=mu)
    _, _, Vt = np.linalg.svd(pts, full_matrices=False)
    raw = Vt[0] * np.sign(Vt[0] @ mu)
    c = pts - pts.mean(axis=0)
    _, _, Vc = np.linalg.svd(c, full_matrices=False)
    pc = Vc[0] * np.sign(Vc[0, 1])
    ax.scatter(pts[:, 0], pts[:, 1], s=10, alpha=0.45, color=theme.muted, lw=0)
    ax.plot(0, 0, "+", color=theme.foreground, ms=14, mew=2)
    ax.text(0.1, -0.15, "origin", ha="left", va="top")
    m = pts.mean(axis=0)
    arrow(ax, (0, 0), 0.93 * np.linalg.norm(m) * raw, "C1", lw=3)
    ax.text(
        1.5 * raw[0] + 0.25,
        1.5 * raw[1] - 0.1,
        "uncentred:\npoints at the mean",
        color="C1",
        ha="left",
        va="top",
    )
    arrow(ax, m - 1.9 * pc, m + 1.9 * pc, "C0", lw=3, style="<|-|>")
    ax.plot(*m, "o", color=theme.foreground, ms=7, zorder=6)
    ax.text(
        m[0] + 1.9 * pc[0] + 0.4,
        m[1] + 1.9 * pc[1],
        "centred PC1:\nalong the spread",
        color="C0",
        ha="left",
        va="center",
    )
    _bare(ax, (-0.6, 6.6, -0.9, 4.4))


@figure
def pca_two_classes(ax, *, n=120, show_pc=False, theme):
    """Two long, thin classes side by side. They differ only across the thin direction, which
    is the one PCA ranks last. With show_pc the projection onto PC1 shows them mixed.
    The data use a fixed seed so the front (show_pc=False) and back versions show the same points."""
    rng = np.random.default_rng(2024)
    a = np.column_stack([rng.uniform(-4, 4, n), 0.45 + 0.17 * rng.normal(size=n)])
    b = np.column_stack([rng.uniform(-4, 4, n), -0.45 + 0.17 * rng.normal(size=n)])
    ax.scatter(a[:, 0], a[:, 1], s=14, alpha=0.7, color="C0", lw=0)
    ax.scatter(b[:, 0], b[:, 1], s=14, alpha=0.7, color="C1", lw=0, marker="s")
    ax.text(4.3, 0.45, "class A", color="C0", ha="left", va="center")
    ax.text(4.3, -0.45, "class B", color="C1", ha="left", va="center")
    if show_pc:
        both = np.vstack([a, b])
        mu = both.mean(axis=0)
        w, V = np.linalg.eigh(np.cov(both.T))
        d = V[:, np.argmax(w)]
        d = d * np.sign(d[0])
        ax.plot(
            [mu[0] - 4.3 * d[0], mu[0] + 4.3 * d[0]],
            [mu[1] - 4.3 * d[1], mu[1] + 4.3 * d[1]],
            ls="--",
            color=theme.foreground,
            lw=1.6,
        )
        ax.text(-4.75, 0.0, "PC1", ha="right", va="center")
        y0 = -1.9
        ax.scatter(
            (a - mu) @ d, y0 + rng.uniform(-0.12, 0.12, size=n), s=14, alpha=0.7, color="C0", lw=0
        )
        ax.scatter(
            (b - mu) @ d,
            y0 + rng.uniform(-0.12, 0.12, size=n),
            s=14,
            alpha=0.7,
            color="C1",
            lw=0,
            marker="s",
        )
        ax.text(0, y0 - 0.3, "projected onto PC1: classes overlap", ha="center", va="top")
        _bare(ax, (-5.7, 6.2, -2.7, 1.2))
    else:
        _bare(ax, (-5.7, 6.2, -1.3, 1.2))


@figure
def pca_curved(ax, *, n=400, rng, theme):
    """Points along a spiral, coloured by position along it. Projected onto PC1 (strip below),
    the colours mix: points far apart on the curve land on top of each other."""
    t = np.sort(rng.uniform(1.5 * np.pi, 5.5 * np.pi, size=n))
    r = 0.21 * t
    pts = np.column_stack([r * np.cos(t), r * np.sin(t)]) + 0.06 * rng.normal(size=(n, 2))
    mu = pts.mean(axis=0)
    w, V = np.linalg.eigh(np.cov(pts.T))
    d = V[:, np.argmax(w)]
    d = d * np.sign(d[0])
    ax.scatter(pts[:, 0], pts[:, 1], c=t, cmap=theme.cmap, s=12, lw=0)
    proj = (pts - mu) @ d
    y0 = -4.6
    ax.scatter(
        proj + mu[0], y0 + rng.uniform(-0.25, 0.25, size=n), c=t, cmap=theme.cmap, s=12, lw=0
    )
    ax.plot(
        [mu[0] - 4.2 * d[0], mu[0] + 4.2 * d[0]],
        [mu[1] - 4.2 * d[1], mu[1] + 4.2 * d[1]],
        ls="--",
        color=theme.foreground,
        lw=1.4,
    )
    ax.text(mu[0] + 4.2 * d[0], mu[1] + 4.2 * d[1] + 0.15, "PC1", ha="right", va="bottom")
    ax.text(
        mu[0],
        y0 - 0.5,
        "projection onto PC1: far-apart parts of the curve mix",
        ha="center",
        va="top",
    )
    ax.text(-4.3, 4.2, "colour = position along the spiral", ha="left", va="top", color=theme.muted)
    _bare(ax, (-4.4, 4.4, -5.7, 4.3))


# --- high-dimensional near-orthogonality -------------------------------------------------------


def _cosine_density(t, d):
    """Density of the cosine between two independent uniform random directions in d dimensions:
    proportional to (1 - t²)^((d - 3) / 2) on [-1, 1]."""
    from math import exp, lgamma, pi, sqrt

    c = exp(lgamma(d / 2) - lgamma((d - 1) / 2)) / sqrt(pi)
    return c * np.clip(1 - t**2, 0, None) ** ((d - 3) / 2)


@figure
def high_dimensional_orthogonality_cosines(ax, *, dims=(3, 30, 300), theme):
    """How the cosine between two random directions is distributed for growing d: flat in 3-D,
    then a spike at 0 (90°) of width 1/√d."""
    t = np.linspace(-1, 1, 2001)
    for k, d in enumerate(dims):
        y = _cosine_density(t, d)
        color = f"C{k}"
        ax.fill_between(t, y, color=color, alpha=0.18, lw=0)
        ax.plot(t, y, color=color, lw=2.4)
        peak = float(y.max())
        w = 1 / np.sqrt(d)
        if d <= 3:
            ax.text(-0.97, peak + 0.25, f"d = {d}: flat", color=color, ha="left", va="bottom")
        else:
            ax.text(
                w * 1.25 + 0.03,
                0.62 * peak,
                f"d = {d}\nspread 1/√d ≈ {w:.2f}",
                color=color,
                ha="left",
                va="center",
            )
    ax.set_xlim(-1, 1)
    ax.set_ylim(0, 7.6)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1])
    ax.set_xticklabels(["−1", "−0.5", "0", "0.5", "1"])
    ax.set_xlabel("cosine between two random directions")
    top = ax.secondary_xaxis("top")
    top.set_xticks([-1, -0.5, 0, 0.5, 1])
    top.set_xticklabels(["180°", "120°", "90°", "60°", "0°"])
    top.tick_params(colors=theme.muted, labelcolor=theme.muted)
    top.spines["top"].set_visible(False)


# --- vector norms -----------------------------------------------------------------------------


@figure
def vector_norms_unit_balls(ax, *, theme):
    """The L1 diamond inside the L2 circle inside the L∞ square; all touch on the axes. One point
    of the circle carries its three norms."""
    ax.axhline(0, color=theme.grid, lw=1.2, zorder=0)
    ax.axvline(0, color=theme.grid, lw=1.2, zorder=0)
    sq = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1], [1, 1]], float)
    dm = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], float)
    th = np.linspace(0, 2 * np.pi, 400)
    ax.plot(sq[:, 0], sq[:, 1], color="C3", lw=2.6)
    ax.plot(np.cos(th), np.sin(th), color="C0", lw=2.6)
    ax.fill(dm[:, 0], dm[:, 1], color="C1", alpha=0.18, lw=0)
    ax.plot(dm[:, 0], dm[:, 1], color="C1", lw=2.6)
    ax.text(1.1, 0.95, "L∞ = 1:\nsquare", color="C3", ha="left", va="center")
    ax.text(1.1, 0.45, "L2 = 1:\ncircle", color="C0", ha="left", va="center")
    ax.text(1.1, -0.05, "L1 = 1:\ndiamond", color="C1", ha="left", va="center")
    p = np.array([0.6, 0.8])
    ax.plot(*p, "o", color=theme.foreground, ms=9, zorder=6)
    ax.text(p[0] - 0.06, p[1] + 0.06, "p", ha="right", va="bottom")
    ax.text(
        0.3,
        -1.2,
        "p = (0.6, 0.8):\nL1 = 1.4    L2 = 1    L∞ = 0.8",
        ha="center",
        va="top",
    )
    for c in ((1, 0), (0, 1), (-1, 0), (0, -1)):
        ax.plot(*c, "o", color=theme.foreground, ms=6, zorder=6)
    _bare(ax, (-1.15, 1.95, -1.75, 1.15))


@figure
def vector_norms_sparse_solution(fig, *, theme):
    """The solutions of x1 + 2x2 = 2 form a line. The smallest L1 ball reaching it touches at a
    corner on an axis (x1 = 0); the smallest L2 ball touches at the foot of the perpendicular,
    where both coordinates are nonzero."""
    a = np.array([1.0, 2.0])
    rhs = 2.0
    xs = np.array([-0.9, 2.6])
    line = np.column_stack([xs, (rhs - xs) / a[1]])
    left, right = fig.subplots(1, 2)
    l1_point = np.array([0.0, 1.0])  # the line's point of least |x1| + |x2|
    l2_point = a * rhs / (a @ a)  # (0.4, 0.8)
    r2 = float(np.linalg.norm(l2_point))
    th = np.linspace(0, 2 * np.pi, 400)
    for ax, title in ((left, "smallest L1 solution"), (right, "smallest L2 solution")):
        ax.axhline(0, color=theme.grid, lw=1.2, zorder=0)
        ax.axvline(0, color=theme.grid, lw=1.2, zorder=0)
        ax.plot(line[:, 0], line[:, 1], color=theme.foreground, lw=2.4)
        ax.set_title(title)
    ax = left
    for r, alpha in ((0.45, 0.5), (0.75, 0.5)):
        d = r * np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], float)
        ax.plot(d[:, 0], d[:, 1], color="C1", lw=1.2, ls="--", alpha=alpha)
    d = np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], float)
    ax.fill(d[:, 0], d[:, 1], color="C1", alpha=0.2, lw=0)
    ax.plot(d[:, 0], d[:, 1], color="C1", lw=2.6)
    ax.plot(*l1_point, "o", color="C2", ms=11, zorder=6, markeredgecolor=theme.foreground)
    ax.text(0.15, 1.12, "(0, 1): x₁ = 0", color="C2", ha="left", va="bottom")
    ax.text(2.55, 0.5, "x₁ + 2x₂ = 2", ha="right", va="bottom", fontsize=11)
    ax = right
    for r in (0.35, 0.62):
        ax.plot(r * np.cos(th), r * np.sin(th), color="C0", lw=1.2, ls="--", alpha=0.5)
    ax.fill(r2 * np.cos(th), r2 * np.sin(th), color="C0", alpha=0.2, lw=0)
    ax.plot(r2 * np.cos(th), r2 * np.sin(th), color="C0", lw=2.6)
    ax.plot([0, l2_point[0]], [0, l2_point[1]], color=theme.muted, lw=1.4, ls=":")
    _right_angle(ax, l2_point, -l2_point, np.array([2.0, -1.0]), 0.12, theme.muted)
    ax.plot(*l2_point, "o", color="C2", ms=11, zorder=6, markeredgecolor=theme.foreground)
    ax.text(0.55, 0.95, "(0.4, 0.8):\nboth nonzero", color="C2", ha="left", va="bottom")
    for ax in (left, right):
        _bare(ax, (-1.2, 2.6, -1.2, 1.9))

"""Figures for mathematical-thinking concepts."""

import numpy as np

from generator import arrow, bare, figure


@figure
def pythagorean_theorem_cross_term(ax, *, angles=(50, 90, 130), theme):
    """a + b for three angles θ between a and b, one row each: the cross term 2a·b decides whether
    |a+b|² is more than, equal to, or less than |a|² + |b|² = 13."""
    a = np.array([3.0, 0.0])
    step = 2.75
    for row, deg in enumerate(angles):
        y0 = -row * step
        o = np.array([0.0, y0])
        t = np.radians(deg)
        b = 2.0 * np.array([np.cos(t), np.sin(t)])
        tip = o + a
        s = a + b
        dot = float(a @ b)
        # a's direction continued past its tip, so θ is the angle between a and b themselves
        ax.plot([tip[0], tip[0] + 1.15], [y0, y0], ls=":", color=theme.muted, lw=1.8)
        arrow(ax, o, tip, "C0")
        arrow(ax, tip, tip + b, "C1")
        arrow(ax, o, o + s, theme.foreground)
        arc = np.linspace(0, t, 40)
        r = 0.42
        ax.plot(tip[0] + r * np.cos(arc), y0 + r * np.sin(arc), color=theme.foreground, lw=1.4)
        mid = t / 2
        ax.text(
            tip[0] + 0.3 + 0.3 * np.cos(mid),
            y0 + 0.62 * np.sin(mid),
            f"θ = {deg}°",
            ha="left",
            va="center",
            fontsize=11,
        )
        ax.text(1.5, y0 - 0.12, "a", color="C0", ha="center", va="top")
        ax.text(tip[0] + b[0] / 2 - 0.12, y0 + b[1] / 2, "b", color="C1", ha="right", va="center")
        ax.text(s[0] / 2 - 0.2, y0 + s[1] / 2 + 0.1, "a+b", ha="right", va="bottom")
        sq = float(s @ s)
        if abs(dot) < 1e-9:
            line1, line2 = "a·b = 0", f"|a+b|² = {sq:.0f}"
        elif dot > 0:
            line1, line2 = "a·b > 0", f"|a+b|² ≈ {sq:.0f} > 13"
        else:
            line1, line2 = "a·b < 0", f"|a+b|² ≈ {sq:.0f} < 13"
        ax.text(6.0, y0 + 0.75, line1 + "\n" + line2, ha="left", va="center")
    ax.text(6.0, 2.45, "|a|² + |b|² = 9 + 4 = 13", ha="left", va="center", color=theme.muted)
    ax.set_xlim(-0.3, 11.6)
    ax.set_ylim(-2 * step - 0.55, 2.75)
    ax.set_aspect("equal")
    bare(ax)


@figure
def pythagorean_theorem_altitude(ax, *, a=3.0, b=4.0, theme):
    """A right triangle cut by the altitude from its right angle into two smaller copies of
    itself, with hypotenuses a and b; their areas add up to the whole."""
    c = np.hypot(a, b)
    # hypotenuse along the bottom from A = (0, 0) to B = (c, 0); right angle at C above it
    A = np.array([0.0, 0.0])
    B = np.array([c, 0.0])
    foot = np.array([b * b / c, 0.0])  # the altitude's foot splits c into b²/c and a²/c
    C = np.array([foot[0], a * b / c])
    ax.fill([A[0], foot[0], C[0]], [A[1], foot[1], C[1]], color="C0", alpha=0.35, lw=0)
    ax.fill([foot[0], B[0], C[0]], [foot[1], B[1], C[1]], color="C1", alpha=0.35, lw=0)
    ax.plot([A[0], B[0], C[0], A[0]], [A[1], B[1], C[1], A[1]], color=theme.foreground, lw=2.4)
    ax.plot([C[0], foot[0]], [C[1], foot[1]], color=theme.foreground, lw=1.6, ls="--")
    k = 0.22
    ax.plot([foot[0] - k, foot[0] - k, foot[0]], [0, k, k], color=theme.muted, lw=1.4)
    u = (A - C) / np.linalg.norm(A - C)
    v = (B - C) / np.linalg.norm(B - C)
    corner = np.array([C + k * u, C + k * (u + v), C + k * v])
    ax.plot(corner[:, 0], corner[:, 1], color=theme.muted, lw=1.4)
    mid_b, mid_a = (A + C) / 2, (B + C) / 2
    ax.text(mid_b[0] - 0.12, mid_b[1] + 0.05, "b", color="C0", ha="right", va="bottom")
    ax.text(mid_a[0] + 0.12, mid_a[1] + 0.05, "a", color="C1", ha="left", va="bottom")
    ax.text(c / 2, -0.18, "c", ha="center", va="top")
    ax.text(foot[0] * 0.6, 0.5, "copy with\nhypotenuse b", color="C0", ha="center", va="center")
    ax.text(c + 0.35, 0.9, "copy with\nhypotenuse a", color="C1", ha="left", va="center")
    ax.annotate(
        "",
        xy=(foot[0] + (c - foot[0]) * 0.45, 0.55),
        xytext=(c + 0.3, 0.9),
        arrowprops={"arrowstyle": "-", "color": "C1", "lw": 1.2},
    )
    ax.text(
        c / 2,
        -0.85,
        "similar shapes: area ∝ hypotenuse²,\nso  a² + b² = c²",
        ha="center",
        va="top",
    )
    ax.set_xlim(-0.3, c + 2.4)
    ax.set_ylim(-1.75, C[1] + 0.3)
    ax.set_aspect("equal")
    bare(ax)


def _parabola_axes(ax, theme, xlim, ylim):
    ax.axhline(0, color=theme.muted, lw=1.2)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


@figure
def quadratic_formula_symmetry(ax, *, a=1.0, b=-2.0, c=-3.0, theme):
    """A parabola, its symmetry axis at -b/2a, and the two roots one step either side of it."""
    axis = -b / (2 * a)
    disc = b * b - 4 * a * c
    half = np.sqrt(disc) / (2 * abs(a))
    x = np.linspace(axis - 3.2, axis + 3.2, 300)
    ax.plot(x, a * x**2 + b * x + c, color="C0")
    _parabola_axes(ax, theme, (x[0], x[-1]), (-5.5, 7.5))
    ax.axvline(axis, color=theme.muted, ls="--", lw=1.6)
    ax.text(axis + 0.08, 6.9, f"axis  x = −b/2a = {axis:g}", va="top", ha="left")
    ax.plot([axis - half, axis + half], [0, 0], "o", color="C1", ms=9, zorder=5)
    y = 1.2
    arrow(ax, (axis, y), (axis + half, y), "C1", lw=2)
    arrow(ax, (axis, y), (axis - half, y), "C1", lw=2)
    ax.text(axis + half / 2, y + 0.35, "+√Δ / 2a", ha="center", va="bottom", color="C1")
    ax.text(axis - half / 2, y + 0.35, "−√Δ / 2a", ha="center", va="bottom", color="C1")
    ax.text(x[0] + 0.1, -5.3, "Δ = b² − 4ac", ha="left", va="bottom", color=theme.muted)
    vy = c - b * b / (4 * a)
    ax.plot([axis], [vy], "o", color=theme.foreground, ms=6)
    ax.text(axis + 0.15, vy - 0.1, "vertex", va="top", ha="left")
    ax.text(
        axis - half - 0.12,
        -0.45,
        f"root {axis - half:g}".replace("-", "−"),
        ha="right",
        va="top",
        color="C1",
    )
    ax.text(
        axis + half + 0.12,
        -0.45,
        f"root {axis + half:g}".replace("-", "−"),
        ha="left",
        va="top",
        color="C1",
    )
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)


@figure
def quadratic_formula_discriminant(ax, *, a=1.0, b=-2.0, cs=(-3.0, 1.0, 3.0), theme):
    """Same a and b, rising c: the roots close in on the axis, meet, then vanish."""
    axis = -b / (2 * a)
    x = np.linspace(axis - 2.6, axis + 2.6, 300)
    labels = ("Δ > 0: two roots", "Δ = 0: one root", "Δ < 0: no real roots")
    for i, (c, label) in enumerate(zip(cs, labels)):
        color = f"C{i}"
        ax.plot(x, a * x**2 + b * x + c, color=color)
        disc = b * b - 4 * a * c
        if disc >= 0:
            r = np.sqrt(disc) / (2 * a)
            ax.plot(
                sorted({axis - r, axis + r}),
                [0] * len({axis - r, axis + r}),
                "o",
                color=color,
                ms=9,
                zorder=5,
            )
        xr = x[-1]
        ax.text(xr + 0.15, a * xr**2 + b * xr + c, label, color=color, va="center", ha="left")
    _parabola_axes(ax, theme, (x[0], x[-1] + 3.9), (-4.5, 10))
    ax.axvline(axis, color=theme.muted, ls="--", lw=1.6)
    ax.text(axis - 0.1, 9.8, "x = −b/2a", ha="right", va="top", color=theme.muted)
    arrow(ax, (x[-1] + 0.3, -4.0), (x[-1] + 0.3, -0.8), theme.foreground, lw=2)
    ax.text(x[-1] + 0.55, -2.4, "same a and b,\nc rising", ha="left", va="center")
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)


@figure
def solving_equations_intersection(ax, *, theme):
    """Solving f(x) = g(x): the solutions are the x-coordinates where the graphs cross."""
    x = np.linspace(-2.6, 2.8, 400)
    xl = np.linspace(-2.6, 4.6, 50)
    ax.plot(x, x**2 - 1, color="C0")
    ax.plot(xl, 0.5 * xl + 1, color="C1")
    ax.text(-2.45, 5.6, "f(x) = x² − 1", color="C0", va="center")
    ax.text(4.6, 3.65, "g(x) = x/2 + 1", color="C1", va="bottom", ha="right")
    roots = np.roots([1, -0.5, -2])
    ymin = -2.6
    for r in roots:
        ax.plot([r, r], [ymin, r**2 - 1], ls=":", color=theme.muted, lw=1.6)
        ax.plot([r], [r**2 - 1], "o", color=theme.foreground, ms=8, zorder=5)
        ax.plot([r], [ymin], "^", color="C2", ms=11, clip_on=False, zorder=5)
    ax.text(0.25, ymin + 0.35, "solutions: f(x) = g(x)", color="C2", ha="center", va="bottom")
    ax.set_ylim(ymin, 6.4)
    ax.set_xlim(xl[0], xl[-1])
    ax.axhline(ymin, color=theme.muted, lw=1.2)
    bare(ax)


@figure
def solving_equations_squaring(ax, *, theme):
    """√x = x − 2 has one solution; squaring also solves −√x = x − 2 and adds a false one."""
    x = np.linspace(0, 6, 400)
    ax.axhline(0, color=theme.grid, lw=1.2)
    ax.plot(x, np.sqrt(x), color="C0")
    ax.plot(x, -np.sqrt(x), color="C1", ls="--")
    ax.plot(x, x - 2, color="C2")
    ax.text(5.9, np.sqrt(5.9) + 0.25, "√x", color="C0", ha="right", va="bottom")
    ax.text(
        5.9, -np.sqrt(5.9) - 0.25, "−√x  (let in by squaring)", color="C1", ha="right", va="top"
    )
    ax.text(5.2, 3.55, "x − 2", color="C2", ha="right", va="center")
    ax.plot([4], [2], "o", color=theme.foreground, ms=10, zorder=5)
    ax.text(3.85, 2.2, "x = 4  ✓ true solution", ha="right", va="bottom")
    ax.plot([1], [-1], "X", color="C1", ms=12, zorder=5)
    ax.text(1.15, -2.05, "x = 1  ✗ extraneous", ha="left", va="top", color="C1")
    ax.set_title("solving √x = x − 2 by squaring: x = (x − 2)²")
    ax.set_xlim(0, 6)
    ax.set_ylim(-3.3, 4.2)
    ax.set_xticks([0, 1, 2, 3, 4, 5, 6])
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


@figure
def logarithms_equal_ratios(ax, *, theme):
    """1, 10, 100, 1000 on a linear ruler (crowded at the left) and on a log ruler (evenly spaced)."""
    values = [1, 10, 100, 1000]
    y_lin, y_log = 1.0, 0.0
    # linear ruler: position proportional to the value
    ax.plot([0, 1], [y_lin, y_lin], color=theme.muted, lw=2)
    ax.plot([0, 1], [y_log, y_log], color=theme.muted, lw=2)
    for v in values:
        p = v / 1000
        ax.plot([p], [y_lin], "o", color="C0", ms=10, zorder=5)
        q = np.log10(v) / 3
        ax.plot([q], [y_log], "o", color="C1", ms=10, zorder=5)
        ax.text(q, y_log - 0.12, f"{v}", ha="center", va="top")
    ax.text(0.01, y_lin - 0.12, "1, 10, 100", ha="left", va="top")
    ax.text(1.0, y_lin - 0.12, "1000", ha="center", va="top")
    ax.text(
        0.0,
        y_lin + 0.2,
        "linear scale: equal differences are equal steps",
        ha="left",
        va="bottom",
        color="C0",
    )
    ax.text(
        0.0,
        y_log + 0.2,
        "log scale: equal ratios are equal steps",
        ha="left",
        va="bottom",
        color="C1",
    )
    for k in range(3):
        ax.annotate(
            "",
            xy=((k + 1) / 3 - 0.02, y_log - 0.42),
            xytext=(k / 3 + 0.02, y_log - 0.42),
            arrowprops=dict(
                arrowstyle="-|>",
                color="C1",
                lw=2,
                connectionstyle="arc3,rad=0.25",
                mutation_scale=16,
            ),
        )
        ax.text((k + 0.5) / 3, y_log - 0.6, "×10", ha="center", va="top", color="C1")
    ax.set_xlim(-0.06, 1.06)
    ax.set_ylim(-0.9, 1.45)
    bare(ax)


@figure
def exponential_growth_linear_vs_log(fig, *, steps=10, add=20.0, theme):
    """Doubling vs adding a constant, on a linear axis and on a log axis."""
    left, right = fig.subplots(1, 2)
    t = np.arange(steps + 1)
    exp = 2.0**t
    lin = 1 + add * t
    for ax, log in ((left, False), (right, True)):
        ax.plot(t, exp, "o-", color="C0", ms=4)
        ax.plot(t, lin, "o-", color="C1", ms=4)
        ax.set_xlabel("step")
        ax.set_xticks([0, 5, 10])
        if log:
            ax.set_yscale("log")
            ax.set_yticks([1, 10, 100, 1000])
            ax.set_yticklabels(["1", "10", "100", "1000"])
            ax.minorticks_off()
            ax.set_title("log axis")
        else:
            ax.set_yticks([0, 500, 1000])
            ax.set_title("linear axis")
        ax.grid(True, axis="y")
    left.text(0.3, 720, "×2 per step", color="C0", ha="left", va="bottom")
    left.text(0.3, 430, f"+{add:g} per step", color="C1", ha="left", va="bottom")
    right.text(7.6, 60, "×2", color="C0", ha="left", va="top")
    right.text(2.8, 110, f"+{add:g}", color="C1", ha="left", va="bottom")


@figure
def exponential_growth_knee_moves(fig, *, stops=(10, 20), theme):
    """The same doubling curve stopped at two different steps, each plot scaled to its last value:
    the apparent knee is always a few doublings before the end."""
    axes = fig.subplots(1, len(stops))
    for ax, stop in zip(axes, stops):
        t = np.arange(stop + 1)
        y = 2.0**t
        ax.plot(t, y, "o-", color="C0", ms=4)
        ax.axvspan(stop - 3, stop, color="C1", alpha=0.15, lw=0)
        ax.text(
            stop - 3.3,
            0.72 * y[-1],
            "last 3\ndoublings",
            color="C1",
            ha="right",
            va="center",
        )
        ax.set_xlim(0, stop + 0.4)
        ax.set_ylim(0, 1.08 * y[-1])
        ax.set_xticks([0, stop // 2, stop])
        ax.set_yticks([0, y[-1]])
        ax.set_yticklabels(["0", f"{int(y[-1]):,}"])
        ax.set_xlabel("step")
        ax.set_title(f"stopped at step {stop}")

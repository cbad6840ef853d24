"""Figures for probability-and-statistics concepts."""

import math

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.patches import Polygon, Rectangle

from generator import bare, figure

# --- bayes-theorem ---------------------------------------------------------------------------


@figure
def bayes_base_rate_grid(
    ax, *, prevalence=0.01, sensitivity=0.9, false_positive_rate=0.05, reveal=True, theme
):
    """1000 people as squares: the few sick positives are swamped by healthy false alarms."""
    cols, rows = 40, 25
    n = cols * rows
    sick = round(n * prevalence)
    true_pos = round(sick * sensitivity)
    false_pos = round((n - sick) * false_positive_rate)
    gap = 0.18
    groups = {"tp": [], "fn": [], "fp": [], "tn": []}
    for i in range(n):
        c, r = divmod(i, rows)
        x, y = c, rows - 1 - r
        group = (
            "tp" if i < true_pos else "fn" if i < sick else "fp" if i < sick + false_pos else "tn"
        )
        inset = gap / 2 + (0.04 if group == "fn" else 0.0)
        groups[group].append(
            [
                (x + inset, y + inset),
                (x + 1 - inset, y + inset),
                (x + 1 - inset, y + 1 - inset),
                (x + inset, y + 1 - inset),
            ]
        )
    style = {
        "tp": ("C1", "none", 0.0),
        "fn": (theme.background, "C1", 1.4),
        "fp": ("C0", "none", 0.0),
        "tn": (theme.grid, "none", 0.0),
    }
    for group, squares in groups.items():
        if squares:
            face, edge, width = style[group]
            ax.add_collection(
                PolyCollection(squares, facecolors=face, edgecolors=edge, linewidths=width)
            )
    ax.set_xlim(-0.2, cols + 0.2)
    ax.set_ylim(-14.0 if reveal else -11.2, rows + 0.2)
    ax.set_aspect("equal")
    bare(ax)

    def key(y, face, edge, label):
        ax.add_patch(
            Rectangle((0.1, y - 0.45), 1.0, 1.0, facecolor=face, edgecolor=edge, linewidth=1.2)
        )
        ax.text(1.8, y + 0.05, label, va="center", ha="left")

    fn = sick - true_pos
    if reveal:
        key(-2.0, "C1", "C1", f"sick, tests positive: {true_pos}")
        key(-4.6, "C0", "C0", f"healthy, tests positive: {false_pos}")
        key(-7.2, theme.background, "C1", f"sick, tests negative: {fn}")
        key(-9.8, theme.grid, theme.grid, f"healthy, tests negative: {n - sick - false_pos}")
        share = true_pos / (true_pos + false_pos)
        ax.text(
            0.1,
            -12.6,
            f"P(sick | positive) = {true_pos} / ({true_pos} + {false_pos}) ≈ {share:.0%}",
            va="center",
            ha="left",
            fontweight="bold",
        )
    else:
        key(-2.0, "C1", "C1", "sick, tests positive")
        key(-4.6, "C0", "C0", "healthy, tests positive")
        key(-7.2, theme.background, "C1", "sick, tests negative")
        key(-9.8, theme.grid, theme.grid, "healthy, tests negative")


# --- expectation-and-variance ------------------------------------------------------------------


@figure
def expectation_balance_point(ax, *, theme):
    """A right-skewed distribution balanced on a fulcrum at its mean, with median and ±1 SD."""
    x = np.arange(11)
    p = np.array([0.05, 0.21, 0.25, 0.16, 0.11, 0.07, 0.05, 0.04, 0.03, 0.02, 0.01])
    p = p / p.sum()
    mean = float((x * p).sum())
    sd = float(np.sqrt(((x - mean) ** 2 * p).sum()))
    median = float(x[np.searchsorted(np.cumsum(p), 0.5)])
    ax.bar(x, p, width=0.7, color="C0", edgecolor="none")
    ax.plot([-0.6, 10.6], [0, 0], color=theme.foreground, linewidth=3, solid_capstyle="butt")
    ax.add_patch(
        Polygon(
            [[mean, 0], [mean - 0.45, -0.05], [mean + 0.45, -0.05]],
            closed=True,
            facecolor="C1",
            edgecolor="C1",
        )
    )
    ax.annotate(
        f"mean {mean:.1f}: the balance point",
        xy=(mean + 0.35, -0.03),
        xytext=(5.0, -0.045),
        va="center",
        color="C1",
        fontweight="bold",
    )
    ax.plot([median, median], [0, 0.265], color=theme.muted, linewidth=1.6, linestyle="--")
    ax.text(median - 0.4, 0.238, "median", ha="right", va="center", color=theme.muted)
    y = 0.29
    ax.annotate(
        "",
        xy=(mean - sd, y),
        xytext=(mean + sd, y),
        arrowprops=dict(arrowstyle="<->", color="C2", linewidth=2.2),
    )
    ax.text(mean + sd + 0.2, y, "±1 SD: the spread", color="C2", va="center", ha="left")
    ax.text(
        8.2, 0.06, "long tail pulls\nthe mean right", ha="center", va="bottom", color=theme.muted
    )
    ax.set_xlim(-0.8, 10.8)
    ax.set_ylim(-0.07, 0.33)
    bare(ax)


@figure
def expectation_sd_triangle(ax, *, sd_x=3.0, sd_y=4.0, theme):
    """Independent variables: standard deviations combine like the legs of a right triangle."""
    total = math.hypot(sd_x, sd_y)
    ax.plot([0, sd_x], [0, 0], color="C0", linewidth=4, solid_capstyle="round")
    ax.plot([sd_x, sd_x], [0, sd_y], color="C2", linewidth=4, solid_capstyle="round")
    ax.plot([0, sd_x], [0, sd_y], color="C1", linewidth=4, solid_capstyle="round")
    s = 0.35
    ax.plot([sd_x - s, sd_x - s, sd_x], [0, s, s], color=theme.muted, linewidth=1.5)
    ax.text(sd_x / 2, -0.35, f"SD(X) = {sd_x:g}", ha="center", va="top", color="C0")
    ax.text(sd_x + 0.25, sd_y / 2, f"SD(Y) = {sd_y:g}", ha="left", va="center", color="C2")
    ax.text(
        sd_x / 2 - 0.3,
        sd_y / 2 + 0.2,
        f"SD(X+Y) = {total:g}",
        ha="right",
        va="bottom",
        color="C1",
        fontweight="bold",
    )
    ax.text(
        sd_x + 0.25, 0.35, "right angle:\nuncorrelated", ha="left", va="bottom", color=theme.muted
    )
    ax.text(
        -1.6,
        sd_y + 0.1,
        f"variances add: {sd_x**2:g} + {sd_y**2:g} = {total**2:g}\n"
        f"SDs do not: {total:g}, not {sd_x + sd_y:g}",
        ha="left",
        va="top",
    )
    ax.set_xlim(-1.8, sd_x + 2.8)
    ax.set_ylim(-1.2, sd_y + 0.3)
    ax.set_aspect("equal")
    bare(ax)


# --- law-of-large-numbers ----------------------------------------------------------------------


def _plain_log_x(ax, low, high):
    """A log x-axis with plain labels (1, 10, 100, ...) and no minor ticks."""
    from matplotlib.ticker import NullLocator

    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks = [10**k for k in range(8) if low <= 10**k <= high]
    ax.set_xticks(ticks, [f"{t:,}" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())


def _log_indices(length, points=600):
    """Indices that are evenly spaced on a log axis (every index at the start): enough to draw a
    running average on a log scale without plotting every sample."""
    return np.unique(
        np.concatenate(
            [np.arange(min(length, 60)), np.geomspace(1, length, points).astype(int) - 1]
        )
    )


@figure
def lln_running_average(ax, *, paths=5, rolls=5000, rng, theme):
    """Running averages of die rolls wander early, then settle on 3.5 inside a narrowing funnel."""
    n = np.arange(1, rolls + 1)
    keep = _log_indices(rolls)
    sd = math.sqrt(35 / 12)
    band = 2 * sd / np.sqrt(n[keep])
    ax.fill_between(n[keep], 3.5 - band, 3.5 + band, color="C0", alpha=0.15, linewidth=0)
    for k in range(paths):
        rollseq = rng.integers(1, 7, size=rolls)
        ax.plot(n[keep], (np.cumsum(rollseq) / n)[keep], linewidth=1.6, color=f"C{k % 6}")
    ax.axhline(3.5, color=theme.foreground, linewidth=1.4, linestyle="--")
    ax.text(rolls * 0.95, 3.05, "expected value 3.5", ha="right", va="top")
    ax.annotate(
        "shaded: ±2 SD / √n",
        xy=(25, 3.5 - 2 * sd / 5),
        xytext=(40, 1.6),
        color="C0",
        ha="left",
        va="center",
        arrowprops=dict(arrowstyle="-", color="C0", linewidth=1.4),
    )
    _plain_log_x(ax, 1, rolls)
    ax.set_ylim(1, 6)
    ax.set_yticks([1, 2, 3, 4, 5, 6])
    ax.set_xlabel("number of rolls (log scale)")
    ax.set_ylabel("running average")


@figure
def lln_cauchy_running_average(ax, *, draws=100000, rng, theme):
    """A Gaussian running average settles; a Cauchy one (no mean) keeps being knocked off."""
    n = np.arange(1, draws + 1)
    gauss = np.cumsum(rng.normal(size=draws)) / n
    cauchy = np.cumsum(rng.standard_cauchy(size=draws)) / n
    keep = _log_indices(draws, points=1500)
    ax.axhline(0, color=theme.muted, linewidth=1.2, linestyle="--")
    ax.plot(n[keep], cauchy[keep], color="C1", linewidth=1.8)
    ax.plot(n[keep], gauss[keep], color="C0", linewidth=2.2)
    _plain_log_x(ax, 10, draws)
    lim = 4.0
    ax.set_ylim(-lim, lim)
    box = dict(facecolor=theme.background, edgecolor="none", alpha=0.85, pad=2)
    ax.text(
        draws * 0.9,
        -0.5,
        "Gaussian draws: settles",
        color="C0",
        ha="right",
        va="top",
        fontweight="bold",
        bbox=box,
    )
    ax.text(
        draws * 0.55,
        lim * 0.9,
        "Cauchy draws (no mean):\nnever settles",
        color="C1",
        ha="right",
        va="top",
        fontweight="bold",
        bbox=box,
    )
    ax.set_yticks([])
    ax.set_xlabel("number of draws (log scale)")
    ax.set_ylabel("running average")


# --- central-limit-theorem ---------------------------------------------------------------------


@figure
def clt_sample_means(ax, *, sizes=(1, 4, 32), theme):
    """Exact distributions of the mean of n exponential draws: skew fades, spread shrinks."""
    x = np.linspace(0.001, 3.0, 600)
    spots = {1: (0.04, 1.12), 4: (1.45, 0.62), 32: (1.17, 2.0)}
    for k, m in enumerate(sizes):
        # The mean of m Exp(1) draws is Gamma(shape m, rate m).
        logpdf = m * math.log(m) + (m - 1) * np.log(x) - m * x - math.lgamma(m)
        pdf = np.exp(logpdf)
        colour = f"C{k}"
        ax.fill_between(x, 0, pdf, color=colour, alpha=0.18, linewidth=0)
        ax.plot(x, pdf, color=colour)
        label = "1 draw" if m == 1 else f"mean of {m}"
        tx, ty = spots.get(m, (x[np.argmax(pdf)] + 0.2, pdf.max()))
        ax.text(tx, ty, label, color=colour, fontweight="bold", ha="left", va="center")
    ax.axvline(1.0, color=theme.muted, linewidth=1.2, linestyle="--")
    ax.text(1.03, 2.4, "true mean", color=theme.muted, ha="left", va="top")
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 2.45)
    ax.set_yticks([])
    ax.set_xticks([0, 1, 2, 3])
    ax.set_xlabel("value (draws from a skewed exponential)")


# --- maximum-likelihood ------------------------------------------------------------------------


@figure
def mle_likelihood_curve(ax, *, theme):
    """Relative likelihood of P(heads) after 7/10 and 70/100 heads: same peak, narrower curve."""
    p = np.linspace(0.001, 0.999, 800)
    for colour, (h, n), (tx, ty), ha in [
        ("C0", (7, 10), (0.36, 0.55), "right"),
        ("C1", (70, 100), (0.8, 1.13), "left"),
    ]:
        loglik = h * np.log(p) + (n - h) * np.log(1 - p)
        rel = np.exp(loglik - loglik.max())
        ax.plot(p, rel, color=colour)
        tip = float(np.interp(0.735, p, rel))
        ax.annotate(
            f"{h} heads\nin {n} flips",
            xy=(0.735, tip),
            xytext=(tx, ty),
            color=colour,
            ha=ha,
            va="center",
            fontweight="bold",
            arrowprops=None if n == 10 else dict(arrowstyle="-", color=colour, linewidth=1.4),
        )
    ax.axvline(0.7, color=theme.muted, linewidth=1.2, linestyle="--")
    ax.text(0.69, 1.06, "maximum: p = 0.7", ha="right", va="bottom", color=theme.foreground)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.3)
    ax.set_yticks([])
    ax.set_xlabel("p = P(heads), the parameter")
    ax.set_ylabel("relative likelihood\n(each scaled to peak 1)")


# --- entropy ------------------------------------------------------------------------------------


def _bits(p):
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def _fmt_bits(h):
    text = f"{abs(h):.2f}".rstrip("0").rstrip(".")
    return f"{text} bit" if text == "1" else f"{text} bits"


@figure
def entropy_binary(ax, *, theme):
    """Entropy of a coin: 1 bit when fair, falling to 0 as the outcome becomes certain."""
    p = np.linspace(1e-6, 1 - 1e-6, 500)
    h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    ax.plot(p, h, color="C0")
    ax.plot([0.5], [1.0], "o", color="C1", markersize=9)
    ax.text(0.5, 1.06, "fair coin: 1 bit", ha="center", va="bottom", color="C1", fontweight="bold")
    hp = _bits([0.9, 0.1])
    ax.plot([0.9], [hp], "o", color="C2", markersize=9)
    ax.text(0.87, hp, f"90/10 coin:\n{hp:.2f} bits", ha="right", va="center", color="C2")
    ax.plot([0, 1], [0, 0], "o", color=theme.foreground, markersize=8, clip_on=False)
    ax.text(0.03, 0.07, "certain:\n0 bits", ha="left", va="bottom", color=theme.foreground)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.22)
    ax.set_xticks([0, 0.5, 1])
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel("P(heads)")
    ax.set_ylabel("entropy (bits)")


@figure
def entropy_three_distributions(fig, *, reveal=True, theme):
    """Three distributions over four outcomes whose entropies do not follow their looks."""
    dists = {"A": [0.7, 0.1, 0.1, 0.1], "B": [0.4, 0.3, 0.2, 0.1], "C": [0.5, 0.5, 0.0, 0.0]}
    axes = fig.subplots(1, 3, sharey=True)
    for k, (ax, (name, p)) in enumerate(zip(axes, dists.items())):
        ax.bar(range(4), p, width=0.7, color=f"C{k}")
        title = f"{name}: {_fmt_bits(_bits(p))}" if reveal else name
        ax.set_title(title, loc="center", fontweight="bold")
        ax.set_xticks([])
        ax.set_ylim(0, 1.05)
        ax.spines["left"].set_visible(k == 0)
        if k:
            ax.tick_params(axis="y", length=0)
    axes[0].set_yticks([0, 0.5, 1])
    axes[0].set_ylabel("probability")
    fig.supxlabel("four possible outcomes")


# --- cross-entropy-and-kl -------------------------------------------------------------------------


@figure
def ce_wrong_code_cost(ax, *, p=0.8, q_mark=0.5, theme):
    """Bits per flip when coding a p-coin with a code built for q: minimum H(p) at q = p, gap = KL."""
    q = np.linspace(0.02, 0.98, 500)
    ce = -(p * np.log2(q) + (1 - p) * np.log2(1 - q))
    hp = _bits([p, 1 - p])
    ax.plot(q, ce, color="C0")
    ax.axhline(hp, color=theme.muted, linestyle="--", linewidth=1.4)
    ax.text(
        0.03,
        hp - 0.06,
        f"entropy H(p) = {hp:.2f} bits: the best possible",
        color=theme.muted,
        ha="left",
        va="top",
    )
    ce_mark = float(-(p * np.log2(q_mark) + (1 - p) * np.log2(1 - q_mark)))
    ax.annotate(
        "",
        xy=(q_mark, hp),
        xytext=(q_mark, ce_mark),
        arrowprops=dict(arrowstyle="<->", color="C1", linewidth=2.2, shrinkA=0, shrinkB=0),
    )
    ax.annotate(
        f"KL(p‖q) = {ce_mark - hp:.2f} bits\nwasted per flip",
        xy=(q_mark + 0.01, (hp + ce_mark) / 2),
        xytext=(0.56, 1.55),
        color="C1",
        ha="left",
        va="center",
        fontweight="bold",
        arrowprops=dict(arrowstyle="-", color="C1", linewidth=1.4),
    )
    ax.plot([p], [hp], "o", color="C2", markersize=9)
    ax.text(
        p, hp + 0.1, "q = p:\nno waste", ha="center", va="bottom", color="C2", fontweight="bold"
    )
    ax.text(
        0.2, 2.15, "cross-entropy H(p, q)", color="C0", ha="left", va="center", fontweight="bold"
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 2.6)
    ax.set_xticks([0, 0.5, p, 1])
    ax.set_xlabel(f"model's q = P(heads); true p = {p:g}")
    ax.set_ylabel("bits per flip")


@figure
def kl_forward_reverse(ax, *, theme):
    """Fitting one Gaussian q to a two-peaked p: KL(p‖q) covers both, KL(q‖p) picks one."""
    x = np.linspace(-6, 6, 1201)
    dx = x[1] - x[0]

    def gauss(mu, s):
        return np.exp(-0.5 * ((x - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))

    p = 0.5 * gauss(-2, 0.6) + 0.5 * gauss(2, 0.6)
    mean = float((x * p).sum() * dx)
    sd = float(math.sqrt(((x - mean) ** 2 * p).sum() * dx))
    forward = gauss(mean, sd)  # minimising KL(p||q) over Gaussians matches p's mean and variance
    # Minimise KL(q||p) over (mu, s) by grid search; mu >= 0 picks one of the two mirror optima.
    mus, sds = np.meshgrid(np.linspace(0.0, 3.0, 61), np.linspace(0.3, 2.5, 45), indexing="ij")
    mus, sds = mus.ravel()[:, None], sds.ravel()[:, None]
    logq = -0.5 * ((x - mus) / sds) ** 2 - np.log(sds * math.sqrt(2 * math.pi))
    kls = (np.exp(logq) * (logq - np.log(p + 1e-300))).sum(axis=1) * dx
    best = int(np.argmin(kls))
    reverse = gauss(float(mus[best, 0]), float(sds[best, 0]))
    ax.fill_between(x, 0, p, color=theme.muted, alpha=0.35, linewidth=0)
    ax.text(
        -2,
        p.max() + 0.015,
        "true p",
        ha="center",
        va="bottom",
        color=theme.muted,
        fontweight="bold",
    )
    ax.plot(x, forward, color="C0")
    ax.plot(x, reverse, color="C1")
    ax.text(
        -5.8,
        0.5,
        "min KL(p‖q):\ncovers both peaks",
        color="C0",
        ha="left",
        va="top",
        fontweight="bold",
    )
    ax.text(
        3.1, 0.5, "min KL(q‖p):\nlocks onto one", color="C1", ha="left", va="top", fontweight="bold"
    )
    ax.set_xlim(-6, 6.5)
    ax.set_ylim(0, max(reverse.max(), p.max()) * 1.12)
    ax.set_xticks([])
    ax.set_yticks([])


# --- regression-to-the-mean ---------------------------------------------------------------------


@figure
def regression_to_mean_scatter(ax, *, r=0.5, n=800, top=0.1, rng, theme):
    """Two noisy measurements of the same people: the top scorers on the first fall back on the second."""
    skill = rng.normal(size=n)
    first = math.sqrt(r) * skill + math.sqrt(1 - r) * rng.normal(size=n)
    second = math.sqrt(r) * skill + math.sqrt(1 - r) * rng.normal(size=n)
    cut = np.quantile(first, 1 - top)
    chosen = first >= cut
    ax.scatter(first[~chosen], second[~chosen], s=9, color=theme.muted, alpha=0.45, linewidths=0)
    ax.scatter(first[chosen], second[chosen], s=14, color="C1", alpha=0.85, linewidths=0)
    lim = 3.4
    line = np.array([-lim, lim])
    ax.plot(line, line, color=theme.foreground, linewidth=1.4, linestyle="--")
    box = dict(facecolor=theme.background, edgecolor="none", alpha=0.8, pad=1.5)
    ax.text(
        -1.75,
        -3.0,
        "y = x: no regression",
        ha="left",
        va="center",
        color=theme.foreground,
        bbox=box,
    )
    ax.plot(line, r * line, color="C0", linewidth=2.6)
    ax.text(
        3.3,
        -1.3,
        f"average 2nd score\n(slope r = {r:g})",
        ha="right",
        va="top",
        color="C0",
        bbox=box,
    )
    mx, my = float(first[chosen].mean()), float(second[chosen].mean())
    ax.plot([mx], [mx], "o", color=theme.foreground, markersize=8)
    ax.plot([mx], [my], "o", color="C1", markersize=11, markeredgecolor=theme.foreground)
    ax.annotate(
        "",
        xy=(mx, my + 0.1),
        xytext=(mx, mx - 0.1),
        arrowprops=dict(arrowstyle="-|>", color="C1", linewidth=2.4, mutation_scale=18),
    )
    ax.text(
        mx - 0.15,
        3.1,
        f"top {top:.0%} on 1st:\n+{mx:.1f} SD → +{my:.1f} SD",
        ha="right",
        va="top",
        color="C1",
        fontweight="bold",
        bbox=box,
    )
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xticks([-2, 0, 2])
    ax.set_yticks([-2, 0, 2])
    ax.set_xlabel("1st measurement (SD units)")
    ax.set_ylabel("2nd measurement")


# --- jensens-inequality -------------------------------------------------------------------------


@figure
def jensen_chord(ax, *, x1=-1.5, x2=2.0, rate=0.8, theme):
    """X is x1 or x2, equally likely: E[f(X)] is the chord's midpoint, above f(E[X]) on the curve."""
    x = np.linspace(-2.2, 2.6, 400)

    def f(t):
        return np.exp(rate * t)

    mean = (x1 + x2) / 2
    avg_f = (f(x1) + f(x2)) / 2
    ax.plot(x, f(x), color="C0", linewidth=3)
    ax.text(-2.1, f(-2.1) + 0.55, "convex f", color="C0", ha="left", va="bottom", fontweight="bold")
    ax.plot([x1, x2], [f(x1), f(x2)], color="C1", linewidth=2.4)
    ax.plot([x1, x2], [f(x1), f(x2)], "o", color="C1", markersize=9)
    ax.plot([mean, mean], [0, avg_f], color=theme.muted, linewidth=1.2, linestyle=":")
    ax.plot([mean], [avg_f], "o", color="C1", markersize=12, markeredgecolor=theme.foreground)
    ax.plot([mean], [f(mean)], "o", color="C2", markersize=12, markeredgecolor=theme.foreground)
    ax.text(
        mean - 0.12,
        avg_f + 0.15,
        "E[f(X)]: average of f,\nmidpoint of the chord",
        color="C1",
        ha="right",
        va="bottom",
        fontweight="bold",
    )
    ax.text(
        mean + 0.15,
        f(mean) - 0.2,
        "f(E[X]): f at the average",
        color="C2",
        ha="left",
        va="top",
        fontweight="bold",
    )
    ax.annotate(
        "",
        xy=(mean + 0.08, avg_f),
        xytext=(mean + 0.08, f(mean)),
        arrowprops=dict(
            arrowstyle="<->", color=theme.foreground, linewidth=1.8, shrinkA=7, shrinkB=7
        ),
    )
    ax.text(mean + 0.22, (avg_f + f(mean)) / 2, "Jensen gap", ha="left", va="center")
    ax.set_xticks([x1, mean, x2], ["x₁", "E[X]", "x₂"])
    ax.set_yticks([])
    ax.set_xlim(-2.3, 2.7)
    ax.set_ylim(0, f(2.6) * 1.02)
    ax.set_xlabel("X takes the value x₁ or x₂, each with probability ½")
    ax.spines["left"].set_visible(False)


# --- covariance-and-correlation -----------------------------------------------------------------


@figure
def covariance_quadrants(ax, *, r=0.6, n=160, rng, theme):
    """Each point adds the product of its two deviations: positive in two quadrants, negative in two."""
    x = rng.normal(size=n)
    y = r * x + math.sqrt(1 - r**2) * rng.normal(size=n)
    mx, my = float(x.mean()), float(y.mean())
    same = (x - mx) * (y - my) > 0
    ax.axvline(mx, color=theme.muted, linewidth=1.4, linestyle="--")
    ax.axhline(my, color=theme.muted, linewidth=1.4, linestyle="--")
    ax.scatter(x[same], y[same], s=22, color="C0", linewidths=0, alpha=0.9)
    ax.scatter(x[~same], y[~same], s=22, color="C1", linewidths=0, alpha=0.9)
    lim = 4.0
    box = dict(facecolor=theme.background, edgecolor="none", alpha=0.85, pad=2)
    for sx, sy, text, colour in [
        (1, 1, "both above:\nproduct +", "C0"),
        (-1, -1, "both below:\nproduct +", "C0"),
        (-1, 1, "one above, one below:\nproduct −", "C1"),
        (1, -1, "one above, one below:\nproduct −", "C1"),
    ]:
        ax.text(
            sx * (lim - 0.1),
            sy * (lim - 0.1),
            text,
            color=colour,
            ha="right" if sx > 0 else "left",
            va="top" if sy > 0 else "bottom",
            fontweight="bold",
            bbox=box,
        )
    ax.text(mx + 0.08, -lim + 0.05, "mean of x", color=theme.muted, ha="left", va="bottom")
    ax.text(lim - 0.05, my + 0.08, "mean of y", color=theme.muted, ha="right", va="bottom")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_xticks([])
    ax.set_yticks([])


_ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
_ANSCOMBE = [
    (_ANSCOMBE_X, [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68]),
    (_ANSCOMBE_X, [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74]),
    (_ANSCOMBE_X, [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73]),
    (
        [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8],
        [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89],
    ),
]


@figure
def anscombe_quartet(fig, *, theme):
    """Anscombe's four data sets: the same correlation and least-squares line, four different shapes."""
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    line = np.array([3.0, 20.0])
    for k, (ax, (xs, ys)) in enumerate(zip(axes.ravel(), _ANSCOMBE)):
        xs, ys = np.array(xs, dtype=float), np.array(ys, dtype=float)
        r = float(np.corrcoef(xs, ys)[0, 1])
        slope, intercept = np.polyfit(xs, ys, 1)
        ax.plot(line, intercept + slope * line, color=theme.muted, linewidth=1.8)
        ax.plot(xs, ys, "o", color=f"C{k}", markersize=7)
        ax.text(3.5, 13.3, f"r = {r:.2f}", ha="left", va="top", fontweight="bold")
        ax.set_xlim(2, 20.5)
        ax.set_ylim(2, 14)
        ax.set_xticks([])
        ax.set_yticks([])

"""Figure functions of this deck: each draws on the Axes it is given; conceptdeck does the rest
(size, style, light and dark variants, saving). See the conceptdeck README, "Figures"."""

from generator import figure


@figure
def skewed_mean_median(ax, *, rng):
    incomes = rng.lognormal(mean=10.4, sigma=0.6, size=4000) / 1000
    ax.hist(incomes, bins=60, range=(0, 120), color="C5")
    median, mean = float(sorted(incomes)[len(incomes) // 2]), float(incomes.mean())
    top = ax.get_ylim()[1]
    for value, label, color, side in (
        (median, "median", "C0", "right"),
        (mean, "mean", "C1", "left"),
    ):
        ax.axvline(value, color=color, lw=3)
        offset = -1.5 if side == "right" else 1.5
        ax.text(value + offset, top * 0.92, label, color=color, fontsize=13, ha=side)
    ax.set_xlabel("income (thousands)")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)

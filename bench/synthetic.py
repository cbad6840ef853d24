"""Synthetic decks for the scale benchmark: many concepts, realistic card text, some figures.

Deterministic for a given size, so runs compare like with like.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

KINDS = ["attribute", "contrast", "mechanism", "consequence", "failure", "diagnostic", "example"]
WORDS = [
    "gradient",
    "variance",
    "spread",
    "basis",
    "matrix",
    "eigen",
    "vector",
    "signal",
    "noise",
    "sample",
    "estimate",
    "bias",
    "layer",
    "weight",
    "curvature",
    "valley",
    "step",
    "rate",
    "loss",
    "error",
    "model",
    "prior",
    "likelihood",
    "posterior",
    "entropy",
    "code",
    "distance",
    "neighbour",
    "cluster",
    "centre",
    "projection",
    "shadow",
    "angle",
    "norm",
    "scale",
    "drift",
    "tail",
    "mean",
    "median",
]

FIGURES = """from generator import figure


@figure
def curve(ax, *, k=1.0, rng):
    xs = rng.normal(size=200)
    ax.plot(sorted(xs), [k * x * x for x in sorted(xs)])
"""


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_deck(root: Path, cards: int, figures: int = 30, per_concept: int = 7) -> Path:
    """Write a deck of about `cards` cards into `root` (7 per concept, in folders of 100)."""
    rng = random.Random(cards)
    concepts = max(1, cards // per_concept)
    root.mkdir(parents=True, exist_ok=True)
    (root / "deck.yaml").write_text(f"name: Scale {cards}\nid: scale-{cards}\n")
    (root / "figures.py").write_text(FIGURES)
    for c in range(concepts):
        concept = {
            "id": f"concept-{c}",
            "title": f"Concept {c} {_sentence(rng, 2)}",
            "intuition": f"The {_sentence(rng, 12)}.",
            "sources": [{"title": f"Book {c % 17}, section {c % 9}"}],
            "cards": [],
        }
        if c < figures:
            concept["figures"] = {"main": {"plot": "curve", "args": {"k": 1 + c}, "alt": "A curve"}}
        for k in range(per_concept):
            kind = KINDS[k % len(KINDS)]
            card = {
                "id": f"card-{k}",
                "kind": kind,
                "prompt": f"Why does the {_sentence(rng, 5)} of concept {c} change the {rng.choice(WORDS)} (case {k})?",
                "answer": f"Because {_sentence(rng, 9)}.",
            }
            if c < figures and k == 0:
                card["figure"] = "main"
            concept["cards"].append(card)
        folder = root / f"part-{c // 100:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"concept-{c}.yaml").write_text(yaml.safe_dump(concept, sort_keys=False))
    return root

"""Shared fixtures: small rating files written by the tests themselves (no MovieLens files in the
repository), and the `memrec` command for comparisons (MEMREC_BIN, set by ctest)."""
import os
import random
import shutil

import pytest

import memrec  # noqa: F401  (PYTHONPATH points at the built module: build/python)

# Two tastes: users 0..29 like items 0..19 and dislike 20..39, users 30..59 the other way round.
USERS, ITEMS = 60, 40


def taste_rating(user, item):
    likes = (user < USERS // 2) == (item < ITEMS // 2)
    return 5 if likes else 1


def write_taste_ratings(path, fraction=0.7, seed=7):
    """A user,item,rating CSV of the two tastes, each user rating about `fraction` of the items."""
    rng = random.Random(seed)
    lines = ["user,item,rating"]
    for u in range(USERS):
        for i in range(ITEMS):
            if rng.random() < fraction:
                lines.append(f"u{u},i{i},{taste_rating(u, i)}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def ratings_csv(tmp_path):
    return write_taste_ratings(tmp_path / "ratings.csv")


# Few threads and a fixed seed: the machines running the tests are shared, and results should repeat.
FAST = dict(dim=16, epochs=30, lr=0.02, batch=64, threads=1, seed=3)


@pytest.fixture
def rating_model(ratings_csv):
    return memrec.train(ratings_csv, preset="baseline", **FAST)


@pytest.fixture
def memrec_bin():
    path = os.environ.get("MEMREC_BIN") or shutil.which("memrec")
    if not path or not os.path.exists(path):
        pytest.skip("the memrec command is not built (ctest sets MEMREC_BIN)")
    return path

"""memrec.train: the command line's options, its objectives, the epoch callback."""
import numpy as np
import pytest

import memrec
from conftest import FAST, ITEMS, USERS, taste_rating


def test_rating_model_learns_the_two_tastes(rating_model):
    m = rating_model
    assert m.objective == "rating" and not m.fold_in
    assert sorted(m.user_ids) == sorted(f"u{u}" for u in range(USERS))
    # Every pair, rated or not (about 30% were never seen in training): liked pairs predicted near 5.
    errors = [abs(m.predict(f"u{u}", f"i{i}") - taste_rating(u, i)) for u in range(USERS) for i in range(ITEMS)]
    assert np.mean(errors) < 1.0, np.mean(errors)
    info = m.info()
    assert info["eval"]["count"] > 0 and info["eval"]["rmse"] < 1.2
    assert len(info["history"]) == FAST["epochs"]


def test_keywords_are_the_command_options(ratings_csv):
    m = memrec.train(ratings_csv, preset="small", epochs=2, lr=0.005, batch=32, lr_decay=0.5, threads=1,
                     item_table="qr", item_buckets=4, dim=8, biases=True, train_fraction=0.8, split_seed=9)
    info = m.info()
    t = info["training"]
    assert (t["epochs"], t["learningRate"], t["batchSize"], t["lrDecay"]) == (2, 0.005, 32, 0.5)
    assert info["item_table"] == "qr" and info["train_fraction"] == 0.8 and info["split_seed"] == 9
    assert "bias.user" in m.params() and "bias.user" not in memrec.train(ratings_csv, epochs=1, threads=1).params()


def test_lists_become_comma_separated_options(ratings_csv):
    m = memrec.train(ratings_csv, preset="small", epochs=1, threads=1, item_table="md", blocks=[10, 25],
                     block_dims=[16, 8, 4], dim=16)
    p = m.params()  # blocks of 10, 15 and 15 items plus an out-of-vocabulary row each, dims 16, 8, 4
    assert [p[f"item.block{b}"].shape for b in range(3)] == [(11, 16), (16, 8), (16, 4)]
    assert p["item.block2.projection"].shape == (4, 16) and "item.block0.projection" not in p
    assert m.item_vectors().shape == (ITEMS, 16)


@pytest.mark.parametrize("options, flag", [
    (dict(lr=0), "--lr"),
    (dict(epochs=0), "--epochs"),
    (dict(item_table="cube"), "--item-table"),
    (dict(no_such_option=1), "--no-such-option"),
])
def test_bad_options_raise_config_error_naming_the_option(ratings_csv, options, flag):
    with pytest.raises(memrec.ConfigError, match=flag):
        memrec.train(ratings_csv, preset="small", **options)


def test_unknown_preset(ratings_csv):
    with pytest.raises(memrec.ConfigError, match="gigantic"):
        memrec.train(ratings_csv, preset="gigantic")
    assert "small" in memrec.presets()


def test_on_epoch_reports_and_stops(ratings_csv):
    seen = []

    def on_epoch(stats):
        seen.append(stats)
        return len(seen) < 2  # stop after the second epoch

    m = memrec.train(ratings_csv, preset="small", epochs=10, threads=1, on_epoch=on_epoch)
    assert [s["epoch"] for s in seen] == [1, 2]
    assert len(m.info()["history"]) == 2
    assert seen[0]["eval"]["count"] > 0 and seen[0]["train_loss"] > 0


def test_on_epoch_exception_propagates(ratings_csv):
    def on_epoch(stats):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        memrec.train(ratings_csv, preset="small", epochs=3, threads=1, on_epoch=on_epoch)


def liked_first(model, visitor, k=10):
    top = [item for item, _ in model.recommend_visitor(visitor, k=k)]
    return top


@pytest.mark.parametrize("objective", ["als", "bpr"])
def test_ranking_models_fold_visitors_in(ratings_csv, objective):
    options = dict(objective=objective, dim=8, threads=1)
    if objective == "bpr":
        options.update(epochs=20, lr=0.05)
    m = memrec.train(ratings_csv, **options)
    assert m.fold_in and m.objective == ("implicit" if objective == "als" else "bpr")
    assert m.user_vectors().shape == (0, 8)  # the file keeps the item side only
    # A visitor who liked three items of the first taste: the rest of that taste comes first.
    visitor = {"i0": 5, "i1": 5, "i2": 4}
    top = liked_first(m, visitor, k=10)
    assert not set(top) & set(visitor)
    assert all(int(item[1:]) < ITEMS // 2 for item in top), top
    with pytest.raises(KeyError, match="keeps no users"):
        m.recommend("u1")


def test_out_saves_what_train_returns(ratings_csv, tmp_path):
    path = tmp_path / "als.mrec"
    m = memrec.train(ratings_csv, objective="als", dim=8, threads=1, out=path)
    loaded = memrec.load(str(path))
    visitor = {"i30": 5, "i31": 5}
    assert loaded.recommend_visitor(visitor, k=5) == m.recommend_visitor(visitor, k=5)
    assert np.array_equal(loaded.item_vectors(), m.item_vectors())

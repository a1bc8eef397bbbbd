"""Serving: save/load, predictions against the `memrec` command on the same file, visitors, embeddings."""
import gc
import re
import subprocess

import numpy as np
import pytest

import memrec
from conftest import ITEMS, USERS


def test_save_load_round_trip(rating_model, tmp_path):
    path = tmp_path / "m.mrec"
    rating_model.save(str(path))
    loaded = memrec.load(str(path))
    # Stored as `memrec export` stores: the same ids, in ascending order.
    assert sorted(loaded.item_ids) == sorted(rating_model.item_ids) and loaded.info()["format_version"] > 0
    assert loaded.item_ids == sorted(loaded.item_ids) != rating_model.item_ids
    for u, i in [("u0", "i0"), ("u5", "i30"), ("u59", "i39")]:
        assert loaded.predict(u, i) == rating_model.predict(u, i)
    again = memrec.from_bytes(path.read_bytes())
    assert again.predict("u3", "i3") == loaded.predict("u3", "i3")
    small = memrec.from_bytes(rating_model.to_bytes(storage="int8"))
    assert small.info()["storage"] == "int8" and len(rating_model.to_bytes("int8")) < path.stat().st_size
    assert abs(small.predict("u3", "i3") - loaded.predict("u3", "i3")) < 0.1


def cli_prediction(memrec_bin, path, user, item):
    out = subprocess.run([memrec_bin, "predict", str(path), "--user", user, "--movie", item],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"predicted rating ([0-9.]+)", out).group(1))


def test_predictions_match_the_command(rating_model, tmp_path, memrec_bin):
    path = tmp_path / "m.mrec"
    rating_model.save(str(path))
    for u, i in [("u0", "i0"), ("u7", "i25"), ("u40", "i3"), ("u59", "i39")]:
        assert rating_model.predict(u, i) == pytest.approx(cli_prediction(memrec_bin, path, u, i), abs=1e-6)
    # A user the model never saw: the item's mean prediction, on both sides.
    assert rating_model.predict("stranger", "i4") == pytest.approx(
        cli_prediction(memrec_bin, path, "stranger", "i4"), abs=1e-6)


def test_visitor_recommendations_match_the_command(rating_model, tmp_path, memrec_bin):
    path = tmp_path / "m.mrec"
    rating_model.save(str(path))
    visitor = {"i21": 5, "i22": 5, "i3": 1}
    out = subprocess.run([memrec_bin, "recommend", str(path), "--ratings", "i21:5,i22:5,i3:1", "-k", "5", "-q"],
                         capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[1:]]
    cli = [(r[2], float(r[1])) for r in rows]
    ours = rating_model.recommend_visitor(visitor, k=5)
    assert [item for item, _ in ours] == [item for item, _ in cli]
    for (_, a), (_, b) in zip(ours, cli):
        assert a == pytest.approx(b, abs=5e-4)
    assert all(int(item[1:]) >= ITEMS // 2 for item, _ in ours)  # the second taste


def test_recommend_known_user_excludes_and_falls_back(rating_model):
    top = rating_model.recommend("u0", k=5, exclude=["i0", "i1"])
    assert len(top) == 5 and not {"i0", "i1"} & {item for item, _ in top}
    scores = rating_model.scores("u0")
    assert [s for _, s in top] == pytest.approx(sorted((s for s, i in zip(scores, rating_model.item_ids)
                                                        if i not in ("i0", "i1")), reverse=True)[:5])
    with pytest.raises(KeyError, match="stranger"):
        rating_model.recommend("stranger")
    popular = rating_model.popular(3)
    counts = dict(zip(rating_model.item_ids, rating_model.item_counts))
    assert [c for _, c in popular] == sorted(counts.values(), reverse=True)[:3]


def test_explanations(rating_model):
    visitor = {"i21": 5, "i22": 4, "i3": 1}
    top = rating_model.recommend_visitor(visitor, k=3, explain=True)
    assert all(because in ("i21", "i22") for _, _, because in top), top
    terms, rest = rating_model.explain(visitor, top[0][0])
    assert set(terms) == set(visitor) and np.isfinite(rest)
    # A rating model's terms plus rest are its logit: the score is scale * sigmoid(logit).
    logit = sum(terms.values()) + rest
    assert rating_model.scale / (1 + np.exp(-logit)) == pytest.approx(top[0][1], abs=1e-3)


def test_embeddings_are_views_of_the_model(rating_model):
    m = rating_model
    users, items = m.user_vectors(), m.item_vectors()
    assert users.shape == (USERS, m.dim) and items.shape == (ITEMS, m.dim) and users.dtype == np.float32
    assert not items.flags.writeable
    # No copies: repeated calls and the parameter itself share memory (the rows are padded, so strided).
    params = m.params()
    assert np.shares_memory(users, params["user.embedding"]) and np.shares_memory(items, params["item.embedding"])
    assert users.strides[0] % 64 == 0
    # The output from the arrays: scale * sigmoid(<user, item>) (the baseline preset has no biases).
    u, i = m.user_ids.index("u7"), m.item_ids.index("i12")
    expected = m.scale / (1 + np.exp(-np.dot(users[u].astype(np.float64), items[i])))
    assert m.predict("u7", "i12") == pytest.approx(expected, rel=1e-5)
    assert m.scores("u7")[i] == pytest.approx(expected, rel=1e-5)


def test_views_keep_the_model_alive(ratings_csv):
    m = memrec.train(ratings_csv, preset="small", epochs=1, threads=1)
    items = m.item_vectors()
    copy = np.array(items)
    del m
    gc.collect()
    junk = [np.ones(10_000, np.float32) for _ in range(50)]  # reuse freed memory if any was freed
    assert np.array_equal(items, copy) and len(junk) == 50


def test_unknown_item(rating_model):
    with pytest.raises(KeyError, match="i999"):
        rating_model.predict("u0", "i999")
    with pytest.raises(KeyError, match="i999"):
        rating_model.recommend_visitor({"i999": 5})

"""memrec.train is `memrec train`: each of the command's options gives, from Python, the model the command
saves with it (same tables, eval and top-N figures, history but for its timings), on the same small files."""
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import memrec
from conftest import write_taste_ratings

FEW = dict(dim=8, threads=1, seed=3)


def cli_args(options):
    return memrec._option_args(options)


def without_timings(info):
    """info() but for the epochs' timings and the eval file's counts (train(eval_data=...) returns them, a
    file does not store them)."""
    info = dict(info)
    info.pop("eval_data", None)
    info["history"] = [{k: v for k, v in e.items() if k != "seconds"} for e in info["history"]]
    return info


def assert_same_models(a, b):
    assert without_timings(a.info()) == without_timings(b.info())
    pa, pb = a.params(), b.params()
    assert pa.keys() == pb.keys()
    for name in pa:
        assert np.array_equal(pa[name], pb[name]), name


def train_both(memrec_bin, tmp_path, **options):
    """The command's model (--out) and Python's (out=) for the same options."""
    cli_out, py_out = tmp_path / "cli.mrec", tmp_path / "py.mrec"
    subprocess.run([memrec_bin, "train", *cli_args(options), "--out", str(cli_out), "--quiet"], check=True,
                   capture_output=True, text=True)
    returned = memrec.train(out=py_out, **options)
    py = memrec.load(str(py_out))
    assert_same_models(returned, py)  # what train returns is what it saved
    return memrec.load(str(cli_out)), py


@pytest.fixture
def eval_csv(tmp_path):
    return write_taste_ratings(tmp_path / "eval.csv", fraction=0.2, seed=11)


@pytest.mark.parametrize("options", [
    dict(protocol="ratings", epochs=4, lr=0.02),
    dict(protocol="visitors", epochs=4, lr=0.02),
    dict(objective="als", protocol="visitors"),
    dict(objective="als", protocol="ratings", positive_threshold=5),
    dict(objective="bpr", protocol="ratings", epochs=3, lr=0.05),
    dict(preset="small", early_stopping=2, epochs=12, lr=0.05),
], ids=["ratings", "visitors", "als-visitors", "als-threshold", "bpr", "early-stopping"])
def test_train_options_give_the_command_model(memrec_bin, tmp_path, ratings_csv, options):
    cli, py = train_both(memrec_bin, tmp_path, data=ratings_csv, **FEW, **options)
    protocol = options.get("protocol")
    if protocol:
        r = py.info()["ranking"]
        assert r["protocol"] == protocol and r["users"] > 0 and 0 <= r["recall20"] <= 1
        assert r["positive_threshold"] == options.get("positive_threshold", 4)
    else:
        assert py.info()["ranking"] == {}


def test_eval_data(memrec_bin, tmp_path, ratings_csv, eval_csv):
    cli, py = train_both(memrec_bin, tmp_path, data=ratings_csv, eval_data=eval_csv, epochs=3, **FEW)
    info = py.info()
    # Every rating of --data trained on; the eval figures are on the other file's ratings.
    eval_lines = len(eval_csv.read_text().splitlines()) - 1
    assert info["eval"]["count"] == eval_lines
    with pytest.raises(memrec.ConfigError, match="choose one eval set"):
        memrec.train(ratings_csv, eval_data=eval_csv, protocol="visitors", **FEW)


def test_init_continues_a_parent(memrec_bin, tmp_path, ratings_csv):
    parent = tmp_path / "parent.mrec"
    memrec.train(write_taste_ratings(tmp_path / "old.csv", fraction=0.4, seed=5), epochs=2, out=parent, **FEW)
    cli, py = train_both(memrec_bin, tmp_path, data=ratings_csv, init=parent, epochs=2, threads=1)
    assert py.info()["parent_hash"] != "" and py.info()["parent_hash"] == cli.info()["parent_hash"]
    with pytest.raises(memrec.ConfigError, match="--dim"):
        memrec.train(ratings_csv, init=parent, dim=4)


def test_history_file(tmp_path, ratings_csv):
    path = tmp_path / "h.json"
    m = memrec.train(ratings_csv, epochs=3, history=path, **FEW)
    written = json.loads(path.read_text())
    assert len(written) == 3 and len(m.info()["history"]) == 3


def test_checkpoint_then_resume_equals_one_run(tmp_path, ratings_csv):
    ckpt = tmp_path / "ckpt"
    whole = memrec.train(ratings_csv, epochs=5, lr=0.02, **FEW)
    first = memrec.train(ratings_csv, epochs=2, lr=0.02, checkpoint=ckpt, **FEW)
    assert len(first.info()["history"]) == 2 and (ckpt / "checkpoint.mrck").exists()
    resumed = memrec.train(resume=ckpt, epochs=5, threads=1)
    assert [e["epoch"] for e in resumed.info()["history"]] == [1, 2, 3, 4, 5]
    for name, w in whole.params().items():
        assert np.array_equal(w, resumed.params()[name]), name
    with pytest.raises(memrec.ConfigError, match="differ"):
        memrec.train(resume=ckpt, epochs=6, dim=4)
    with pytest.raises(memrec.ConfigError, match="do not apply to --objective als"):
        memrec.train(ratings_csv, objective="als", checkpoint=tmp_path / "c2")


# A run of many long epochs in a child interpreter, interrupted by SIGINT once its first checkpoint is on disk.
CHILD = textwrap.dedent("""
    import sys, memrec
    data, ckpt = sys.argv[1:3]
    try:  # no Python code runs while it trains: the signal is seen by memrec's poll only
        memrec.train(data, epochs=100000, dim=32, batch=32, threads=1, checkpoint=ckpt)
    except KeyboardInterrupt:
        print("KeyboardInterrupt")
        sys.exit(3)
    print("finished")
""")

def many_ratings(path, users=400, items=300):
    rows = ["user,item,rating"] + [f"u{u},i{i},{1 + (u * 7 + i * 3) % 5}" for u in range(users) for i in range(items)
                                   if (u + i) % 3 == 0]
    path.write_text("\n".join(rows) + "\n")
    return path


def test_ctrl_c_raises_keyboard_interrupt_and_the_checkpoint_resumes(tmp_path):
    data, ckpt = many_ratings(tmp_path / "many.csv"), tmp_path / "ckpt"
    env = dict(os.environ)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data), str(ckpt)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (ckpt / "checkpoint.mrck").exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "no checkpoint after 60 s"
            time.sleep(0.05)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=30)
        waited = time.monotonic() - sent
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 3 and out.strip() == "KeyboardInterrupt", (child.returncode, out, err)
    assert waited < 10, waited  # an epoch here takes well under a second; the poll is within it
    # The epochs the checkpoint holds: the command names them when asked for fewer.
    try:
        memrec.train(resume=ckpt, epochs=1, threads=1)
        done = 1
    except memrec.ConfigError as e:
        done = int(re.search(r"already has (\d+) epochs", str(e)).group(1))
    resumed = memrec.train(resume=ckpt, epochs=done + 1, threads=1)
    assert [e["epoch"] for e in resumed.info()["history"]] == list(range(1, done + 2))


@pytest.mark.parametrize("options, flags", [
    (dict(), []),
    (dict(storage="int8", titles=False), ["--quantize", "int8", "--no-titles"]),
    (dict(storage="pq", pq_subspaces=4, pq_bits=6), ["--quantize", "pq", "--pq-subspaces", "4", "--pq-bits", "6"]),
    (dict(storage="pq", pq_subspaces=2, pq_bits=4, pq_codebook="f16", pq_seed=5, pq_iterations=3),
     ["--quantize", "pq", "--pq-subspaces", "2", "--pq-bits", "4", "--pq-codebook", "f16", "--pq-seed", "5",
      "--pq-iterations", "3"]),
], ids=["f32", "int8-no-titles", "pq", "pq-every-option"])
def test_save_is_export(memrec_bin, tmp_path, ratings_csv, options, flags):
    source = tmp_path / "m.mrec"
    m = memrec.train(ratings_csv, epochs=2, out=source, **FEW)
    exported, saved = tmp_path / "exported.mrec", tmp_path / "saved.mrec"
    subprocess.run([memrec_bin, "export", str(source), "--out", str(exported), "-q", *flags], check=True)
    m.save(saved, **options)
    assert saved.read_bytes() == exported.read_bytes()
    assert m.to_bytes(**options) == exported.read_bytes()
    # The model as loaded from its file stores the same.
    assert memrec.load(str(source)).to_bytes(**options) == exported.read_bytes()


@pytest.mark.parametrize("options, message", [
    (dict(storage="pq"), "--pq-subspaces"),
    (dict(storage="int8", pq_subspaces=4), "applies to --quantize pq"),
    (dict(storage="pq", pq_subspaces=4, pq_bits=9), "--pq-bits"),
    (dict(storage="f64"), "f64"),
])
def test_save_options_are_checked(rating_model, tmp_path, options, message):
    with pytest.raises(memrec.ConfigError, match=message):
        rating_model.save(tmp_path / "x.mrec", **options)

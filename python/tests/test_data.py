"""On real MovieLens data (MEMREC_DATA, skipped when unset): ml-100k trains to the command's accuracy."""
import os
import pathlib

import pytest

import memrec

DATA = os.environ.get("MEMREC_DATA")


@pytest.mark.skipif(not DATA or not (pathlib.Path(DATA) / "ml-100k").is_dir(),
                    reason="MEMREC_DATA with ml-100k is not set")
def test_ml100k_small_preset():
    m = memrec.train(pathlib.Path(DATA) / "ml-100k", preset="small", epochs=3, threads=2)
    info = m.info()
    assert info["data_source"] == "ml-100k" and info["items"] > 1600
    assert info["eval"]["rmse"] < 1.05, info["eval"]
    assert 1 <= m.predict("196", "242") <= 5

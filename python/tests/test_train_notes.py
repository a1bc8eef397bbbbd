"""What memrec.train says besides its model: the eval file's counts in info() and its warnings as Python
warnings (not on stderr), and Ctrl-C noticed inside an ALS iteration or a BPR epoch, not only after it."""
import signal
import warnings

import pytest

import memrec
from conftest import write_taste_ratings
from test_train_cli import many_ratings

FEW = dict(dim=8, threads=1, seed=3)


def test_eval_data_counts_are_in_info_and_dropped_ratings_warn(tmp_path, ratings_csv, capfd):
    # 3 ratings the model can score, 2 of a user it never saw, 1 of an item it never saw.
    eval_csv = tmp_path / "eval.csv"
    eval_csv.write_text("user,item,rating\nu1,i2,5\nu2,i3,5\nu3,i30,1\nnew,i1,4\nnew,i2,3\nu4,new,2\n")
    with pytest.warns(RuntimeWarning, match=r"6 ratings, 1 users \(2 ratings\) and 1 items \(1 ratings\) unseen "
                                            r"in training, 3 ratings not evaluated, 3 evaluated"):
        model = memrec.train(ratings_csv, eval_data=eval_csv, epochs=2, **FEW)
    assert capfd.readouterr().err == ""
    assert model.info()["eval_data"] == dict(path=str(eval_csv), lines=6, kept=3, dropped=3, unseen_users=1,
                                             user_ratings=2, unseen_items=1, item_ratings=1)
    assert model.info()["eval"]["count"] == 3
    # Every rating known: no warning, and the counts still there.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = memrec.train(ratings_csv, eval_data=write_taste_ratings(tmp_path / "e2.csv", 0.2, 11), epochs=1,
                             **FEW)
    assert clean.info()["eval_data"]["dropped"] == 0
    assert memrec.train(ratings_csv, epochs=1, **FEW).info()["eval_data"] is None


@pytest.mark.parametrize("options", [dict(objective="bpr", epochs=1, batch=64), dict(objective="als", iterations=1)])
def test_ctrl_c_is_noticed_within_an_iteration(tmp_path, options):
    # One long epoch (iteration); the signal comes while the data is read, so the run's first poll sees it.
    # Polled only between epochs, the epoch would finish first and on_epoch be called.
    data = many_ratings(tmp_path / "many.csv", users=3000, items=400)
    epochs = []

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        with pytest.raises(KeyboardInterrupt):
            memrec.train(data, on_epoch=epochs.append, dim=32, threads=1, **options)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert epochs == []

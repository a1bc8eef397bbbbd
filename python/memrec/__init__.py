"""memrec: small recommenders from Python.

Train with the command line's options, load and save .mrec model files, predict ratings, recommend for a
known user or for a visitor folded in from a few ratings, and read the embeddings as NumPy arrays:

    import memrec
    model = memrec.train("ratings.csv", preset="small", epochs=3)
    model.predict("user1", "item7")
    model.recommend_visitor({"item7": 5, "item9": 4}, k=10)

The work is done by memrec's C++ core (the compiled module memrec._memrec). Errors are memrec.Error and its
kinds (DataError, FormatError, ConfigError: also ValueErrors; TrainingDiverged), carrying the core's message.
"""
import os as _os

from ._memrec import (  # noqa: F401
    ConfigError,
    DataError,
    Error,
    FormatError,
    Model,
    TrainingDiverged,
    __version__,
    from_bytes,
    kernels,
    load,
    presets,
)
from . import _memrec

__all__ = ["train", "load", "from_bytes", "presets", "Model", "Error", "DataError", "FormatError",
           "ConfigError", "TrainingDiverged"]


def _option_args(options):
    """Keyword arguments as `memrec train` options: lr_decay=0.9 -> --lr-decay 0.9, biases=True -> --biases,
    blocks=[400, 1700] -> --blocks 400,1700; None and False leave an option out."""
    args = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, _os.PathLike):
            value = _os.fspath(value)
        args += [flag, str(value)]
    return args


def train(data=None, preset=None, *, on_epoch=None, **options):
    """Trains a model as `memrec train --data DATA --preset PRESET ...` does and returns it.

    It is the command's own run with the command's own options: every other keyword is the option of that
    name with '_' for '-' (epochs=10, lr=0.01, item_table="md", blocks=[400, 1700], objective="als",
    threads=2, train_fraction=0.9, delimiter="tab", eval_data="u1.test", protocol="visitors",
    init="parent.mrec", checkpoint="ckpt", resume="ckpt", history="h.json", out="m.mrec", ...;
    `memrec train --help` lists them). `data` and `preset` left out are the command's defaults (with
    resume=, the checkpoint's). The values are checked as the command checks them: a bad one raises
    ConfigError naming the option. The run prints nothing; its figures are the model's info() (history,
    eval, ranking with protocol=). `on_epoch(stats)` is called after each epoch (ALS: iteration) with a dict
    (epoch, train_loss, train_mae, eval, seconds); returning False stops training. Ctrl-C raises
    KeyboardInterrupt within a few thousand ratings; with checkpoint=, resume= continues from the last
    finished epoch.
    """
    args = _option_args(dict(data=data, preset=preset, **options))
    return _memrec._train(args, on_epoch)


def _save(self, path, storage="f32", titles=True, **options):
    """Writes the model to `path` (atomically) as `memrec export MODEL --out PATH` does: ids in ascending
    order, tables at `storage` (f32 | f16 | int8 | int4 | pq), titles unless titles=False (--no-titles).
    The other keywords are export's options with '_' for '-': pq_subspaces=M (needed by storage="pq"),
    pq_bits, pq_codebook ("int8" | "f16"), pq_seed, pq_iterations; bad values raise ConfigError."""
    self._store(_store_args(storage, titles, options), _os.fspath(path))


def _to_bytes(self, storage="f32", titles=True, **options):
    """The bytes save() would write, as `bytes`."""
    return self._store(_store_args(storage, titles, options))


def _store_args(storage, titles, options):
    return _option_args(dict(quantize=storage, no_titles=not titles, **options))


Model.save = _save
Model.to_bytes = _to_bytes

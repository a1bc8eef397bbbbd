"""Bad input becomes a Python exception carrying the core's message and its context."""
import pytest

import memrec


def test_malformed_ratings_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("user,item,rating\nu1,i1,5\nu2,i2,4\nu3,i3,five\nu4,i4,3\n")
    with pytest.raises(memrec.DataError) as e:
        memrec.train(path, preset="small", epochs=1)
    assert e.value.line == 4 and e.value.file.endswith("bad.csv")
    assert f"{path}:4:" in str(e.value)
    assert isinstance(e.value, ValueError) and isinstance(e.value, memrec.Error)


def test_missing_ratings_file(tmp_path):
    with pytest.raises(memrec.DataError, match="nowhere.csv"):
        memrec.train(tmp_path / "nowhere.csv", preset="small")


@pytest.fixture
def model_bytes(rating_model):
    return rating_model.to_bytes()


def test_bad_magic_names_the_field(model_bytes, tmp_path):
    path = tmp_path / "bad.mrec"
    path.write_bytes(b"XXXX" + model_bytes[4:])
    with pytest.raises(memrec.FormatError, match="magic") as e:
        memrec.load(str(path))
    assert e.value.field == "magic" and "bad.mrec" in str(e.value)


def test_flipped_byte_fails_the_checksum(model_bytes):
    data = bytearray(model_bytes)
    data[len(data) // 2] ^= 0x40
    with pytest.raises(memrec.FormatError) as e:
        memrec.from_bytes(bytes(data))
    assert e.value.field == "checksum"


def test_truncated_file(model_bytes):
    with pytest.raises(memrec.FormatError, match="model file") as e:
        memrec.from_bytes(model_bytes[: len(model_bytes) // 3])
    assert e.value.field


def test_unknown_storage(rating_model, tmp_path):
    with pytest.raises(memrec.ConfigError, match="f64"):
        rating_model.save(str(tmp_path / "m.mrec"), storage="f64")

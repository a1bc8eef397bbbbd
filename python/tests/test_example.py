"""The Python example of docs/embedding.md is python/examples/quickstart.py, and it runs."""
import ast
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "python" / "examples" / "quickstart.py"


def test_docs_show_the_example_verbatim():
    docs = (ROOT / "docs" / "embedding.md").read_text()
    assert "```python\n" + EXAMPLE.read_text() + "```" in docs


def test_example_runs_and_recommends_the_visitors_taste():
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=True,
                         env=dict(os.environ)).stdout
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    visitor = ast.literal_eval(lines["for a visitor"])
    assert len(visitor) == 3
    for item, score, because in visitor:
        assert int(item[1:]) >= 15 and because in ("i20", "i21") and score > 3.5, visitor
    known = ast.literal_eval(lines["for u1"])
    assert [int(item[1:]) < 15 for item, _ in known] == [True] * 3 and "i0" not in dict(known)
    assert lines["item vectors"].startswith("(30, ")
    assert lines["not a model file"] == "magic"

# memrec from Python: train on a ratings file, save and load the model, predict, recommend for a known user
# and for a visitor, read the embeddings as NumPy arrays, and catch an error.
import pathlib
import tempfile

import memrec

work = pathlib.Path(tempfile.mkdtemp())
# A ratings file of your own (any delimited text with user, item and rating columns): two tastes here.
lines = ["user,item,rating"]
for u in range(40):
    for i in range(30):
        if (u * 7 + i * 3) % 4:  # each user rates three items in four
            likes = (u < 20) == (i < 15)
            lines.append(f"u{u},i{i},{5 if likes else 1}")
(work / "ratings.csv").write_text("\n".join(lines) + "\n")

# The options of `memrec train`, "-" written "_": --preset baseline --dim 16 --epochs 30 --lr 0.02 ...
model = memrec.train(work / "ratings.csv", preset="baseline", dim=16, epochs=30, lr=0.02, batch=64, threads=1)
print(model, "eval RMSE", round(model.info()["eval"]["rmse"], 3))

model.save(str(work / "model.mrec"), storage="int8")
model = memrec.load(str(work / "model.mrec"))
print("u1 rates i2:", round(model.predict("u1", "i2"), 2))
print("for u1:", model.recommend("u1", k=3, exclude=["i0"]))
# A visitor the model never saw, folded in from two ratings; explain=True adds the liked item behind each.
print("for a visitor:", model.recommend_visitor({"i20": 5, "i21": 4}, k=3, explain=True))

items = model.item_vectors()  # a read-only view of the model's own vectors, no copy
print("item vectors:", items.shape, items.dtype)

try:
    memrec.load(str(work / "ratings.csv"))
except memrec.FormatError as e:  # also a ValueError; e.field names what failed
    print("not a model file:", e.field)

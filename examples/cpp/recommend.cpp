// A complete program against the installed memrec library (docs/embedding.md): train an implicit ALS
// model on a few ratings, save it, load it back and fold a new visitor in, as the demo page does.
//   cmake -S examples/cpp -B build-example -DCMAKE_PREFIX_PATH=<memrec install prefix>
//   cmake --build build-example && build-example/recommend
#include <cstdio>
#include <string>

#include "memrec/als.h"
#include "memrec/fold_in.h"
#include "memrec/model_file.h"
#include "memrec/reader.h"
#include "memrec/recommend.h"
#include "memrec/split.h"

int main() {
    using namespace memrec;
    // Two tastes: users 1-20 love movies a1..a8, users 21-40 love b1..b8; everyone dislikes the other kind.
    std::string text = "user,item,rating\n";
    for (int u = 1; u <= 40; ++u)
        for (int i = 1; i <= 8; ++i) {
            const bool likes_a = u <= 20;
            const int skip = u % 8 + 1;  // each user leaves one movie of each kind unrated
            if (i == skip) continue;
            text += std::to_string(u) + ",a" + std::to_string(i) + "," + (likes_a ? "5" : "1") + "\n";
            text += std::to_string(u) + ",b" + std::to_string(i) + "," + (likes_a ? "1" : "5") + "\n";
        }
    ReadOptions options;
    options.format = RatingFormat::Delimited;
    Dataset data;
    parse_ratings(text, "example ratings", RatingFormat::Delimited, options, data);

    AlsConfig config;
    config.factors = 4;
    config.iterations = 10;
    config.threads = 1;
    config.feedback.lambda = 0.5;  // a few ratings per user: little regularisation
    Model model = als_model(config, data.users.size(), data.items.size(), data.max_rating);
    std::vector<uint32_t> all(data.size());
    for (uint32_t k = 0; k < all.size(); ++k) all[k] = k;
    train_als(model, data, all, config);

    ModelFile file;
    file.model = std::make_unique<Model>(std::move(model));
    file.users = data.users;
    file.items = data.items;
    file.item_counts = count_items(data, all);
    save_model(file, "example.mrec", Storage::Int8);
    const ModelFile loaded = load_model("example.mrec");

    // A visitor who gave a1 and a2 five stars: the other "a" movies should come first.
    const FoldIn fold_in(*loaded.model);
    const std::vector<VisitorRating> visitor{{loaded.items.find("a1"), 5.0f}, {loaded.items.find("a2"), 5.0f}};
    const auto top = top_k(fold_in.scores(visitor), 3, {visitor[0].item, visitor[1].item});
    int a_first = 0;
    for (const ScoredItem& s : top) {
        const std::string& id = loaded.items.id(s.item);
        std::printf("%s %.3f\n", id.c_str(), s.score);
        a_first += id[0] == 'a';
    }
    std::remove("example.mrec");
    return a_first == 3 ? 0 : 1;
}

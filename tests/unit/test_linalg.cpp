// The dense solves: Eigen's LLT (the native build) and the scalar reference (the browser build) agree,
// solve what they claim, and refuse matrices that are not positive definite.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "memrec/linalg.h"
#include "memrec/rng.h"

using namespace memrec;

namespace {

// M M' + n I for a seeded uniform M: symmetric positive definite and reasonably conditioned.
std::vector<double> spd_matrix(int n, uint64_t seed) {
    Rng rng(seed);
    std::vector<double> m(size_t(n) * size_t(n)), a(size_t(n) * size_t(n), 0.0);
    for (double& x : m) x = rng.uniform(-1.0f, 1.0f);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            double s = i == j ? n : 0.0;
            for (int k = 0; k < n; ++k) s += m[size_t(i) * n + k] * m[size_t(j) * n + k];
            a[size_t(i) * n + j] = s;
        }
    return a;
}

std::vector<double> times(const std::vector<double>& A, const std::vector<double>& x) {
    const size_t n = x.size();
    std::vector<double> y(n, 0.0);
    for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < n; ++k) y[i] += A[i * n + k] * x[k];
    return y;
}

}  // namespace

TEST_CASE("solve_spd: Eigen and the scalar reference solve A x = b and agree", "[linalg]") {
    for (int n : {1, 2, 7, 31, 33, 65, 129}) {
        const std::vector<double> A = spd_matrix(n, 7 + n);
        std::vector<double> b(static_cast<size_t>(n)), work(static_cast<size_t>(n) * static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) b[size_t(i)] = std::sin(1.0 + i);
        std::vector<double> x_eigen = b, x_ref = b, x = b;
        REQUIRE(linalg::solve_spd_eigen(A.data(), x_eigen.data(), n, work.data()));
        REQUIRE(linalg::reference::solve_spd(A.data(), x_ref.data(), n, work.data()));
        REQUIRE(linalg::solve_spd(A.data(), x.data(), n, work.data()));
        const std::vector<double> back = times(A, x_eigen);
        for (int i = 0; i < n; ++i) {
            INFO("n " << n << " row " << i);
            CHECK(back[size_t(i)] == Approx(b[size_t(i)]).margin(1e-9));
            CHECK(x_ref[size_t(i)] == Approx(x_eigen[size_t(i)]).epsilon(1e-10).margin(1e-12));
            CHECK(x[size_t(i)] == x_eigen[size_t(i)]);  // the native build's solve_spd is Eigen's
        }
    }
}

TEST_CASE("solve_spd refuses a matrix that is not positive definite and leaves b alone", "[linalg]") {
    const int n = 3;
    std::vector<double> work(9);
    const std::vector<double> indefinite = {1, 2, 0, 2, 1, 0, 0, 0, 1};  // eigenvalues 3, -1, 1
    std::vector<double> with_nan = spd_matrix(n, 3);
    with_nan[4] = std::numeric_limits<double>::quiet_NaN();
    for (const std::vector<double>* A : std::vector<const std::vector<double>*>{&indefinite, &with_nan}) {
        std::vector<double> b = {1, 2, 3}, c = b, d = b;
        CHECK_FALSE(linalg::solve_spd_eigen(A->data(), b.data(), n, work.data()));
        CHECK_FALSE(linalg::reference::solve_spd(A->data(), c.data(), n, work.data()));
        CHECK(b == std::vector<double>{1, 2, 3});
        CHECK(c == std::vector<double>{1, 2, 3});
        std::vector<double> inv(9, -1.0);
        CHECK_FALSE(linalg::invert_spd(A->data(), inv.data(), n, work.data()));
        CHECK(inv == std::vector<double>(9, -1.0));
    }
}

TEST_CASE("invert_spd gives A^-1", "[linalg]") {
    for (int n : {1, 4, 40, 65}) {
        const std::vector<double> A = spd_matrix(n, 11 + n);
        std::vector<double> inv(A.size()), work(A.size());
        REQUIRE(linalg::invert_spd(A.data(), inv.data(), n, work.data()));
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                double s = 0;
                for (int k = 0; k < n; ++k) s += A[size_t(i) * n + k] * inv[size_t(k) * n + j];
                INFO("n " << n << " (" << i << ", " << j << ")");
                CHECK(s == Approx(i == j ? 1.0 : 0.0).margin(1e-10));
            }
    }
}

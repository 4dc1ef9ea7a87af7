// RFC 9162 §2.1: hashes, roots, inclusion and consistency proofs against vectors computed
// independently (the RFC 6962 test leaves), then exhaustively on every tree of 1..64 leaves,
// and the verifiers refusing every altered proof.
#include "journal/merkle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace idara::journal;

namespace {

const std::vector<std::string> kLeaves = {
    std::string(""),
    std::string("\x00", 1),
    std::string("\x10"),
    std::string("\x20\x21"),
    std::string("\x30\x31"),
    std::string("\x40\x41\x42\x43"),
    std::string("\x50\x51\x52\x53\x54\x55\x56\x57"),
    std::string("\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"),
};

const char* kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> hashes(std::size_t n) {
    std::vector<Hash> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(leaf_hash(kLeaves[i]));
    return out;
}

std::vector<Hash> generated(std::size_t n) {
    std::vector<Hash> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(leaf_hash("leaf " + std::to_string(i)));
    return out;
}

// The recursive definition of MTH, independent of RootBuilder.
Hash reference_root(const std::vector<Hash>& l, std::size_t b, std::size_t e) {
    if (e - b == 1) return l[b];
    std::size_t k = 1;
    while (k * 2 < e - b) k *= 2;
    return node_hash(reference_root(l, b, b + k), reference_root(l, b + k, e));
}

std::vector<std::string> hex_all(const std::vector<Hash>& v) {
    std::vector<std::string> out;
    for (const auto& h : v) out.push_back(to_hex(h));
    return out;
}

}  // namespace

TEST(Merkle, EmptyTreeAndLeafHashes) {
    EXPECT_EQ(to_hex(empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(to_hex(root_of({})), to_hex(empty_root()));
    EXPECT_EQ(to_hex(leaf_hash("")), kRoots[0]);
    Hash back{};
    ASSERT_TRUE(from_hex(kRoots[1], back));
    EXPECT_EQ(to_hex(back), kRoots[1]);
    EXPECT_FALSE(from_hex("zz", back));
    EXPECT_FALSE(from_hex(std::string(64, 'g'), back));
}

TEST(Merkle, RootsMatchVectors) {
    for (std::size_t n = 1; n <= 8; ++n) EXPECT_EQ(to_hex(root_of(hashes(n))), kRoots[n - 1]) << n;
}

TEST(Merkle, InclusionVectors) {
    auto l8 = hashes(8);
    EXPECT_EQ(hex_all(inclusion_path(vector_range_root(l8), 0, 8)),
              (std::vector<std::string>{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                                        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                                        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}));
    auto l7 = hashes(7);
    EXPECT_EQ(hex_all(inclusion_path(vector_range_root(l7), 5, 7)),
              (std::vector<std::string>{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                                        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                                        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}));
    EXPECT_TRUE(inclusion_path(vector_range_root(l7), 0, 1).empty());
}

TEST(Merkle, ConsistencyVectors) {
    auto l7 = hashes(7);
    EXPECT_EQ(hex_all(consistency_path(vector_range_root(l7), 3, 7)),
              (std::vector<std::string>{"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
                                        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
                                        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                        "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}));
    EXPECT_EQ(hex_all(consistency_path(vector_range_root(l7), 4, 7)),
              (std::vector<std::string>{"837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}));
    EXPECT_TRUE(consistency_path(vector_range_root(l7), 7, 7).empty());
    EXPECT_TRUE(consistency_path(vector_range_root(l7), 0, 7).empty());
}

TEST(Merkle, RootBuilderMatchesTheDefinitionAtEveryPrefix) {
    auto l = generated(300);
    RootBuilder b;
    for (std::size_t n = 1; n <= l.size(); ++n) {
        b.push(l[n - 1]);
        ASSERT_EQ(b.size(), n);
        ASSERT_EQ(b.root(), reference_root(l, 0, n)) << n;
    }
}

TEST(Merkle, PushSubtreeEqualsPushingItsLeaves) {
    auto l = generated(300);
    RootBuilder b;
    b.push_subtree(reference_root(l, 0, 256), 8);
    for (std::size_t i = 256; i < 288; ++i) b.push(l[i]);
    b.push_subtree(reference_root(l, 288, 296), 3);
    for (std::size_t i = 296; i < 300; ++i) b.push(l[i]);
    EXPECT_EQ(b.root(), reference_root(l, 0, 300));
    RootBuilder unaligned;
    unaligned.push(l[0]);
    EXPECT_THROW(unaligned.push_subtree(l[1], 1), std::logic_error);
}

TEST(Merkle, EveryInclusionProofOfEveryTreeUpTo64Verifies) {
    auto all = generated(64);
    for (std::uint64_t n = 1; n <= 64; ++n) {
        std::vector<Hash> l(all.begin(), all.begin() + static_cast<long>(n));
        const Hash root = root_of(l);
        for (std::uint64_t m = 0; m < n; ++m) {
            auto path = inclusion_path(vector_range_root(l), m, n);
            ASSERT_TRUE(verify_inclusion(m, n, l[m], path, root)) << m << "/" << n;
            // Wrong leaf, wrong index, wrong size, wrong root: refused.
            EXPECT_FALSE(verify_inclusion(m, n, leaf_hash("other"), path, root));
            if (n > 1) {
                EXPECT_FALSE(verify_inclusion((m + 1) % n, n, l[m], path, root)) << m << "/" << n;
            }
            EXPECT_FALSE(verify_inclusion(n, n, l[m], path, root));
            Hash bad_root = root;
            bad_root[0] ^= 1;
            EXPECT_FALSE(verify_inclusion(m, n, l[m], path, bad_root));
            // Every element altered, one missing, one too many: refused.
            for (std::size_t i = 0; i < path.size(); ++i) {
                auto altered = path;
                altered[i][31] ^= 0x80;
                EXPECT_FALSE(verify_inclusion(m, n, l[m], altered, root));
            }
            if (!path.empty()) {
                auto shorter = path;
                shorter.pop_back();
                EXPECT_FALSE(verify_inclusion(m, n, l[m], shorter, root));
            }
            auto longer = path;
            longer.push_back(root);
            EXPECT_FALSE(verify_inclusion(m, n, l[m], longer, root));
        }
    }
}

TEST(Merkle, EveryConsistencyProofOfEveryPairUpTo64Verifies) {
    auto all = generated(64);
    std::vector<Hash> roots(65);
    for (std::size_t n = 1; n <= 64; ++n) roots[n] = reference_root(all, 0, n);
    for (std::uint64_t n = 1; n <= 64; ++n) {
        std::vector<Hash> l(all.begin(), all.begin() + static_cast<long>(n));
        for (std::uint64_t m = 1; m <= n; ++m) {
            auto path = consistency_path(vector_range_root(l), m, n);
            ASSERT_TRUE(verify_consistency(m, n, roots[m], roots[n], path)) << m << "/" << n;
            if (m == n) {
                EXPECT_TRUE(path.empty());
                EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], {roots[m]}));
                continue;
            }
            // A different old tree, a different new tree: refused.
            EXPECT_FALSE(verify_consistency(m, n, leaf_hash("x"), roots[n], path));
            EXPECT_FALSE(verify_consistency(m, n, roots[m], leaf_hash("x"), path));
            if (m > 1) {
                EXPECT_FALSE(verify_consistency(m - 1, n, roots[m], roots[n], path)) << m << "/" << n;
            }
            EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], {}));
            for (std::size_t i = 0; i < path.size(); ++i) {
                auto altered = path;
                altered[i][0] ^= 1;
                EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], altered)) << m << "/" << n << " #" << i;
            }
            auto longer = path;
            longer.push_back(roots[n]);
            EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], longer));
        }
    }
    EXPECT_FALSE(verify_consistency(0, 4, empty_root(), roots[4], {}));
    EXPECT_FALSE(verify_consistency(5, 4, roots[5], roots[4], {}));
}

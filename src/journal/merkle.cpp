#include "journal/merkle.hpp"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace idara::journal {
namespace {

Hash sha256_parts(unsigned char prefix, const void* a, std::size_t an, const void* b, std::size_t bn) {
    Hash out{};
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx) throw std::bad_alloc();
    unsigned int len = 0;
    const bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 && EVP_DigestUpdate(ctx, &prefix, 1) == 1 &&
                    (an == 0 || EVP_DigestUpdate(ctx, a, an) == 1) && (bn == 0 || EVP_DigestUpdate(ctx, b, bn) == 1) &&
                    EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok || len != out.size()) throw std::runtime_error("journal: SHA-256 failed");
    return out;
}

// The largest power of two strictly smaller than n (n >= 2).
std::uint64_t split_point(std::uint64_t n) {
    std::uint64_t k = 1;
    while ((k << 1) < n) k <<= 1;
    return k;
}

// §2.1.3.1 PATH(m, D[begin:begin+n]).
void path_rec(const RangeRoot& root, std::uint64_t m, std::uint64_t begin, std::uint64_t n,
              std::vector<Hash>& out) {
    if (n <= 1) return;
    const std::uint64_t k = split_point(n);
    if (m < k) {
        path_rec(root, m, begin, k, out);
        out.push_back(root(begin + k, begin + n));
    } else {
        path_rec(root, m - k, begin + k, n - k, out);
        out.push_back(root(begin, begin + k));
    }
}

// §2.1.4.1 SUBPROOF(m, D[begin:begin+n], b).
void subproof(const RangeRoot& root, std::uint64_t m, std::uint64_t begin, std::uint64_t n, bool b,
              std::vector<Hash>& out) {
    if (m == n) {
        if (!b) out.push_back(root(begin, begin + n));
        return;
    }
    const std::uint64_t k = split_point(n);
    if (m <= k) {
        subproof(root, m, begin, k, b, out);
        out.push_back(root(begin + k, begin + n));
    } else {
        subproof(root, m - k, begin + k, n - k, false, out);
        out.push_back(root(begin, begin + k));
    }
}

}  // namespace

Hash leaf_hash(std::string_view data) { return sha256_parts(0x00, data.data(), data.size(), nullptr, 0); }

Hash node_hash(const Hash& left, const Hash& right) {
    return sha256_parts(0x01, left.data(), left.size(), right.data(), right.size());
}

Hash empty_root() {
    Hash out{};
    unsigned int len = 0;
    if (EVP_Digest("", 0, out.data(), &len, EVP_sha256(), nullptr) != 1) throw std::runtime_error("journal: SHA-256 failed");
    return out;
}

Hash root_of(const std::vector<Hash>& leaves) {
    RootBuilder b;
    for (const auto& h : leaves) b.push(h);
    return b.root();
}

std::string to_hex(const Hash& h) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(64);
    for (unsigned char c : h) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

bool from_hex(std::string_view hex, Hash& out) {
    if (hex.size() != 64) return false;
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < 32; ++i) {
        const int hi = val(hex[2 * i]), lo = val(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}

std::vector<Hash> inclusion_path(const RangeRoot& root, std::uint64_t m, std::uint64_t n) {
    std::vector<Hash> out;
    if (m >= n) return out;
    path_rec(root, m, 0, n, out);
    return out;
}

std::vector<Hash> consistency_path(const RangeRoot& root, std::uint64_t m, std::uint64_t n) {
    std::vector<Hash> out;
    if (m == 0 || m > n) return out;
    subproof(root, m, 0, n, true, out);
    return out;
}

bool verify_inclusion(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf,
                      const std::vector<Hash>& path, const Hash& root) {
    if (leaf_index >= tree_size) return false;
    std::uint64_t fn = leaf_index, sn = tree_size - 1;
    Hash r = leaf;
    for (const Hash& p : path) {
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            r = node_hash(p, r);
            if (!(fn & 1)) {
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node_hash(r, p);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && r == root;
}

bool verify_consistency(std::uint64_t first, std::uint64_t second, const Hash& first_root,
                        const Hash& second_root, const std::vector<Hash>& path) {
    if (first == 0 || first > second) return false;
    if (first == second) return path.empty() && first_root == second_root;
    if (path.empty()) return false;
    std::vector<Hash> p = path;
    // If first is an exact power of two, prepend first_root.
    if ((first & (first - 1)) == 0) p.insert(p.begin(), first_root);
    std::uint64_t fn = first - 1, sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    Hash fr = p[0], sr = p[0];
    for (std::size_t i = 1; i < p.size(); ++i) {
        const Hash& c = p[i];
        if (sn == 0) return false;
        if ((fn & 1) || fn == sn) {
            fr = node_hash(c, fr);
            sr = node_hash(c, sr);
            if (!(fn & 1)) {
                while (fn != 0 && !(fn & 1)) {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node_hash(sr, c);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && fr == first_root && sr == second_root;
}

void RootBuilder::push_subtree(const Hash& root, unsigned height) {
    if (height >= 63 || (size_ & ((std::uint64_t{1} << height) - 1)) != 0)
        throw std::logic_error("journal: subtree pushed at an unaligned position");
    Node cur{root, height};
    // Merge equal-sized complete subtrees (a binary carry).
    while (!stack_.empty() && stack_.back().height == cur.height) {
        cur = Node{node_hash(stack_.back().hash, cur.hash), cur.height + 1};
        stack_.pop_back();
    }
    stack_.push_back(cur);
    size_ += std::uint64_t{1} << height;
}

Hash RootBuilder::root() const {
    if (stack_.empty()) return empty_root();
    // Fold from the smallest (rightmost) subtree to the largest.
    Hash r = stack_.back().hash;
    for (std::size_t i = stack_.size() - 1; i-- > 0;) r = node_hash(stack_[i].hash, r);
    return r;
}

RangeRoot vector_range_root(const std::vector<Hash>& leaves) {
    return [&leaves](std::uint64_t begin, std::uint64_t end) {
        RootBuilder b;
        for (std::uint64_t i = begin; i < end && i < leaves.size(); ++i) b.push(leaves[i]);
        return b.root();
    };
}

}  // namespace idara::journal

// RFC 9162 §2.1 Merkle trees, pure functions over SHA-256 (OpenSSL).
//
//   leaf hash  = SHA-256(0x00 || data)
//   node hash  = SHA-256(0x01 || left || right)
//   MTH({})    = SHA-256("")
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
//
// Proofs (§2.1.3 inclusion, §2.1.4 consistency) are generated through a RangeRoot,
// which gives MTH of any range of leaves [begin, end). A proof needs O(log n) such
// ranges. vector_range_root() computes them from leaves in memory; the journal
// (journal.cpp) combines cached roots of complete 1024-leaf blocks with at most
// 1023 leaf hashes read per range, so a proof on a 1M-leaf tree reads O(log n)
// small ranges and hashes O((n/1024 + 1024) log n) nodes — see docs/design/journal.md.
//
// RootBuilder folds leaf hashes (or complete aligned subtrees) in order with a
// stack of complete-subtree roots (O(log n) memory) and gives MTH of the prefix
// read so far at any point: this is how `idara audit verify` recomputes the roots
// of 1M+ leaves while streaming.
//
// Verification functions return false on any malformed or non-matching proof.
// Thread-safety: pure functions; a RootBuilder belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::journal {

using Hash = std::array<unsigned char, 32>;

Hash leaf_hash(std::string_view data);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_root();  // SHA-256 of the empty string

// MTH over leaf hashes (already hashed with leaf_hash).
Hash root_of(const std::vector<Hash>& leaves);

// Lower-case hex of a hash, and back (false when not 64 hex digits).
std::string to_hex(const Hash& h);
bool from_hex(std::string_view hex, Hash& out);

// MTH of leaves [begin, end) (begin < end), however the caller obtains it.
using RangeRoot = std::function<Hash(std::uint64_t begin, std::uint64_t end)>;

// Audit path for leaf m in a tree of n leaves (empty when m >= n). §2.1.3.1
std::vector<Hash> inclusion_path(const RangeRoot& root, std::uint64_t m, std::uint64_t n);
// Consistency proof between sizes m and n (empty unless 0 < m < n). §2.1.4.1
std::vector<Hash> consistency_path(const RangeRoot& root, std::uint64_t m, std::uint64_t n);

// §2.1.3.2
bool verify_inclusion(std::uint64_t leaf_index, std::uint64_t tree_size, const Hash& leaf,
                      const std::vector<Hash>& path, const Hash& root);
// §2.1.4.2
bool verify_consistency(std::uint64_t first, std::uint64_t second, const Hash& first_root,
                        const Hash& second_root, const std::vector<Hash>& path);

// Streaming MTH: push leaf hashes in order; root() is MTH of the leaves pushed so far.
class RootBuilder {
public:
    void push(const Hash& leaf) { push_subtree(leaf, 0); }
    // Pushes the root of a complete subtree of 2^height leaves; size() must be a
    // multiple of 2^height (otherwise std::logic_error).
    void push_subtree(const Hash& root, unsigned height);
    std::uint64_t size() const { return size_; }
    Hash root() const;

private:
    struct Node {
        Hash hash;
        unsigned height;
    };
    std::vector<Node> stack_;  // complete subtrees, largest first (one per set bit of size_)
    std::uint64_t size_ = 0;
};

// MTH of slices of an in-memory vector of leaf hashes (tests, small trees).
RangeRoot vector_range_root(const std::vector<Hash>& leaves);

}  // namespace idara::journal

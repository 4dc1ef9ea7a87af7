#include "storage/blob_store.hpp"

#include "core/random.hpp"

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <unistd.h>
#include <utility>
#include <vector>

namespace fs = std::filesystem;

namespace idara::storage {

namespace {

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool valid_digest(std::string_view d) {
    if (d.size() != 64) return false;
    for (char c : d)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Whether the blobs table records this digest (both stores keep a row per blob).
Result<bool> recorded(Tx& tx, std::string_view digest) {
    if (!valid_digest(digest)) return false;
    auto row = tx.query_one("SELECT 1 FROM blobs WHERE digest = $1", {std::string(digest)});
    if (!row) return row.error();
    return row->has_value();
}

Error corrupt(std::string_view digest) { return {"storage.corrupt", 500, "blob " + std::string(digest) + " is corrupt"}; }

bool fsync_path(const fs::path& p, int flags) {
    int fd = ::open(p.c_str(), flags);
    if (fd < 0) return false;
    bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

class FileBlobStore final : public BlobStore {
public:
    explicit FileBlobStore(fs::path dir) : dir_(std::move(dir)) {}

    // The file is written before its row is recorded, so a committed row always has
    // its file (a failure in between leaves at worst an unreferenced file). A file
    // left by an earlier rolled-back or crashed put is reused only if intact.
    Result<std::string> put(Tx& tx, std::string_view bytes) override {
        std::string digest = random::sha256_hex(bytes);
        const fs::path file = path_of(digest);
        auto known = recorded(tx, digest);
        if (!known) return known.error();
        auto on_disk = read_file(file);
        const bool intact = on_disk && on_disk->size() == bytes.size() && *on_disk == bytes;
        if (*known && intact) return digest;
        if (!intact) {
            if (auto s = write_durably(file, bytes); !s) return s.error();
            // A repaired file of a committed blob stays; a new one goes with a rollback.
            if (!*known) tx.on_rollback([file] {
                std::error_code ignore;
                fs::remove(file, ignore);
            });
        }
        auto row = tx.exec("INSERT INTO blobs (digest, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING",
                           {digest, static_cast<std::int64_t>(bytes.size()), now_ms()});
        if (!row) return row.error();
        return digest;
    }

    Result<std::optional<std::string>> get(Tx& tx, std::string_view digest) override {
        if (!valid_digest(digest)) return std::optional<std::string>{};
        auto known = exists(tx, digest);
        if (!known) return known.error();
        if (!*known) return std::optional<std::string>{};
        auto data = read_file(path_of(digest));
        if (!data || random::sha256_hex(*data) != digest) return corrupt(digest);
        return data;
    }

    Result<bool> exists(Tx& tx, std::string_view digest) override { return recorded(tx, digest); }

    Result<std::size_t> remove_unreferenced(Database& db) override {
        std::error_code ec;
        if (!fs::exists(dir_, ec)) return std::size_t{0};
        std::vector<std::pair<fs::path, std::string>> files;  // path, digest ("" for a temporary file)
        for (auto it = fs::recursive_directory_iterator(dir_, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (!it->is_regular_file()) continue;
            const fs::path& p = it->path();
            const std::string name = p.filename().string();
            const std::string digest = p.parent_path().filename().string() + name;
            files.emplace_back(p, name.find(".tmp-") == std::string::npos && valid_digest(digest) ? digest : "");
        }
        if (ec) return Error{"storage.unavailable", 503, "list " + dir_.string() + ": " + ec.message()};
        std::size_t removed = 0;
        auto s = db.read_tx([&](Tx& tx) -> Status {
            for (const auto& [path, digest] : files) {
                if (!digest.empty()) {
                    auto known = recorded(tx, digest);
                    if (!known) return known.error();
                    if (*known) continue;
                }
                std::error_code rm;
                if (fs::remove(path, rm)) ++removed;
            }
            return {};
        });
        if (!s) return s.error();
        return removed;
    }

private:
    // The whole file, or nullopt when it cannot be read.
    static std::optional<std::string> read_file(const fs::path& p) {
        std::ifstream in(p, std::ios::binary | std::ios::ate);
        if (!in) return std::nullopt;
        const auto size = in.tellg();
        if (size < 0) return std::nullopt;
        std::string data(static_cast<std::size_t>(size), '\0');
        in.seekg(0);
        if (!in.read(data.data(), size)) return std::nullopt;
        return data;
    }

    fs::path path_of(std::string_view digest) const {
        return dir_ / std::string(digest.substr(0, 2)) / std::string(digest.substr(2));
    }

    static Status write_durably(const fs::path& file, std::string_view bytes) {
        std::error_code ec;
        fs::create_directories(file.parent_path(), ec);
        if (ec) return Error{"storage.unavailable", 503, "create " + file.parent_path().string() + ": " + ec.message()};
        const fs::path tmp = file.string() + ".tmp-" + random::hex_token(6);
        {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            out.flush();
            if (!out) {
                fs::remove(tmp, ec);
                return Error{"storage.unavailable", 503, "write " + tmp.string()};
            }
        }
        if (!fsync_path(tmp, O_RDONLY)) {
            fs::remove(tmp, ec);
            return Error{"storage.unavailable", 503, "fsync " + tmp.string()};
        }
        fs::rename(tmp, file, ec);
        if (ec) {
            fs::remove(tmp, ec);
            return Error{"storage.unavailable", 503, "rename " + file.string()};
        }
        fsync_path(file.parent_path(), O_RDONLY | O_DIRECTORY);
        return {};
    }

    fs::path dir_;
};

class DbBlobStore final : public BlobStore {
public:
    Result<std::string> put(Tx& tx, std::string_view bytes) override {
        const std::string digest = random::sha256_hex(bytes);
        // Storing the same bytes again repairs a damaged copy (and otherwise changes nothing).
        auto r = tx.exec("INSERT INTO blobs (digest, size, created_at, data) VALUES ($1, $2, $3, $4) "
                         "ON CONFLICT (digest) DO UPDATE SET data = excluded.data, size = excluded.size "
                         "WHERE blobs.data IS DISTINCT FROM excluded.data",
                         {digest, static_cast<std::int64_t>(bytes.size()), now_ms(), Blob{std::string(bytes)}});
        if (!r) return r.error();
        return digest;
    }

    Result<std::optional<std::string>> get(Tx& tx, std::string_view digest) override {
        if (!valid_digest(digest)) return std::optional<std::string>{};
        auto row = tx.query_one("SELECT data FROM blobs WHERE digest = $1", {std::string(digest)});
        if (!row) return row.error();
        if (!*row || (*row)->is_null(0)) return std::optional<std::string>{};
        std::string data = (*row)->as_blob(0).bytes;
        if (random::sha256_hex(data) != digest) return corrupt(digest);
        return std::optional<std::string>{std::move(data)};
    }

    Result<bool> exists(Tx& tx, std::string_view digest) override { return recorded(tx, digest); }

    Result<std::size_t> remove_unreferenced(Database&) override { return std::size_t{0}; }
};

}  // namespace

std::unique_ptr<BlobStore> make_file_blob_store(fs::path dir) { return std::make_unique<FileBlobStore>(std::move(dir)); }
std::unique_ptr<BlobStore> make_db_blob_store() { return std::make_unique<DbBlobStore>(); }
std::unique_ptr<BlobStore> make_blob_store(Backend b, fs::path dir) {
    if (b == Backend::postgres) return make_db_blob_store();
    return make_file_blob_store(std::move(dir));
}

}  // namespace idara::storage

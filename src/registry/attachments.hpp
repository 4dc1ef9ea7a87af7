// Attachments of a deposit: their type is sniffed from the content (libmagic),
// never taken from the file name or the declared Content-Type, and the content
// is checked to really be what it claims: a PDF must be parsed by qpdf (every
// page reachable; without a password), a JPEG must decode with libjpeg (header
// and every scan, so truncated files are caught), a PNG must decode with libpng
// (every row, and every chunk's CRC must be right). Images over 20000 pixels on
// a side or 100 megapixels are refused as corrupt.
//
// File names are cleaned: path up to the last '/' or '\' removed, spaces
// trimmed, NFC-normalised (ICU). C0/C1 control characters and DEL are refused.
//
// Errors (each has a bilingual message in web/i18n/*/attachments.json):
//   deposit.attachment_type      415  not PDF, JPEG or PNG
//   deposit.attachment_too_large 413  over limits.max_bytes
//   deposit.attachment_empty     400  zero bytes
//   deposit.attachment_corrupt   422  claims to be PDF/JPEG/PNG but does not parse
//                                     (also: encrypted PDFs that cannot be opened without a password)
//   deposit.attachment_name      400  file name empty after cleaning, too long (> 200 bytes),
//                                     not UTF-8, or with control characters
//   deposit.too_many_files       413  more than limits.max_count (check_all)
//   deposit.total_too_large      413  sum over limits.max_total_bytes (check_all)
// The Error's detail names the file (for logs). check_attachment tests, in this
// order: empty, too large, name, type, content. If libmagic's database cannot be
// loaded, the error is "internal" (500).
//
// Thread-safety: functions may be called from any number of threads at once.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace idara::registry {

enum class MediaType { pdf, jpeg, png };
std::string_view media_type_name(MediaType t);  // "application/pdf", "image/jpeg", "image/png"

struct AttachmentLimits {
    std::size_t max_count = 10;
    std::size_t max_bytes = 5 * 1024 * 1024;        // per file
    std::size_t max_total_bytes = 20 * 1024 * 1024; // all files of one deposit
};

struct IncomingFile {
    std::string name;   // as given by the client
    std::string bytes;
};

struct CheckedFile {
    std::string name;   // cleaned: path removed, trimmed, NFC-normalised
    MediaType type = MediaType::pdf;
    std::string bytes;
    std::string sha256; // lowercase hex of bytes
};

// Sniffs the type of `bytes` from their content; nullopt when not one of ours.
std::optional<MediaType> sniff(std::string_view bytes);

// Checks one file against the limits and its claimed type.
Result<CheckedFile> check_attachment(IncomingFile f, const AttachmentLimits& limits);

// Checks the count, each file, then the total; the first error wins. Files keep their order.
Result<std::vector<CheckedFile>> check_all(std::vector<IncomingFile> files, const AttachmentLimits& limits);

}  // namespace idara::registry

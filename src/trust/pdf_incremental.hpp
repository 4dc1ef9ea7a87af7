// Internal to trust/: an incremental update of a PDF (ISO 32000-1 §7.5.6). The original
// bytes are kept as they are; the update appends whole objects (new ones and new versions of
// changed ones, same number and generation), then a cross-reference section in the form of
// the previous one (a table, or a cross-reference stream when the file used one) and a
// trailer with /Prev, /Root, /Info, /ID and the new /Size.
//
// Thread-safety: pure functions.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace idara::trust::incremental {

// What the update needs from the existing file's last trailer.
struct Base {
    std::size_t startxref = 0;  // offset of the last cross-reference section
    bool xref_stream = false;   // that section is a cross-reference stream
    int size = 0;               // first free object number for new objects
    std::string root;           // "n g R"
    std::string info;           // "n g R", or empty
    std::string id0;            // first /ID element as a PDF hex string "<…>", or empty
};

// Locates the last startxref and checks it points at "xref" or at an "n g obj" stream.
// Errors: trust.sign_input (400) when it does not (a damaged file qpdf had to reconstruct).
Result<std::size_t> last_startxref(std::string_view pdf, bool& is_stream);

struct Object {
    int id = 0;
    int gen = 0;
    std::string body;  // what goes between "n g obj" and "endobj"
};

struct Update {
    std::string pdf;                    // the original bytes followed by the update
    std::vector<std::size_t> offsets;   // of each object of the update, in the order given
};

// The objects must have distinct numbers; new ones from base.size upwards.
Update append(std::string_view pdf, const Base& base, const std::vector<Object>& objects);

}  // namespace idara::trust::incremental

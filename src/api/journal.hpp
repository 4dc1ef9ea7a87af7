// The tamper-evident journal over HTTP (rules in journal/journal.hpp). JSON; errors in
// the one shape {"error":{"code","message":{"ar","fr"}}}.
//
//   GET  /api/v1/journal/sth            public: the latest signed tree head
//        200 {"tree_size","root_hash"(hex),"timestamp"(ms),"kid","signature"(base64url, Ed25519 over
//        journal::sth_signing_input)}; 404 journal.no_sth before the first one.
//   POST /api/v1/journal/sth            a platform operator or an administration's admin: signs one
//        now; 201 with the same body. 401 auth.required, 403 auth.forbidden (auth.csrf for cookies).
//   GET  /api/v1/journal/proof/inclusion?leaf_index=N[&tree_size=M]
//        public: 200 {"leaf_index","tree_size","leaf_hash","audit_path":[hex],"sth":{...}} against the
//        STH of size M (the latest without M); staff of the leaf's administration also get "kind",
//        "subject" and "leaf_data" (base64url of the leaf data). 400 journal.bad_parameter (missing,
//        not a number, negative, more than 2^53), 400 journal.bad_range (leaf_index >= tree size),
//        404 journal.not_found (no STH of size M), 404 journal.no_sth.
//   GET  /api/v1/entries/{number}/journal-proof[?tree_size=M]
//        the entry's depositor or the receiving administration's staff (the rules of
//        GET /api/v1/deposits/{number}; 404 resource.not_found for anyone else): the inclusion proof
//        of its registration leaf with its data; 400 journal.bad_range while no signed tree head
//        covers it yet, 404 journal.not_found (no STH of size M), 404 journal.no_sth.
//   GET  /api/v1/journal/proof/consistency?first=A&second=B
//        public: 200 {"first","second","proof":[hex],"first_sth","second_sth"} (STHs or null);
//        400 journal.bad_parameter, 400 journal.bad_range unless 0 < A <= B <= journal size.
//
// Thread-safety: handlers may run concurrently (Journal and the services are thread-safe).
#pragma once

#include "http/router.hpp"

namespace idara::identity {
class Service;
}
namespace idara::registry {
class DepositService;
}
namespace idara::storage {
class Database;
}
namespace idara::journal {
class Journal;
}

namespace idara::api {

struct JournalApi {
    identity::Service& ids;
    registry::DepositService& deposits;
    storage::Database& db;
    journal::Journal& journal;
};

void register_journal(http::Router& r, JournalApi api);

}  // namespace idara::api

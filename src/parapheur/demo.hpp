// Demo circuit templates for `idara init --demo` (docs/DEMO.md): for every administration,
//   hr_decision      visa by a unit head of the initiator's unit (any), visa by an admin (any),
//                    signature by a signer (any), the administration's seal
//   purchase_order   visa by a unit head (any), signature by every signer (all)
//   internal_note    visa by a unit head (any)
//   outgoing_letter  visa by a unit head of the author's unit (any), signature by a signer (any)
//   evaluation_decision  visa by a unit head (any), signature by a signer (any), the administration's
//                    seal: signs the ranking decisions of calls for projects (procedures/evaluation.hpp)
// Names and step labels come from web/i18n/*/parapheur.json (parapheur.demo.*).
// Idempotent: an existing template of the same code is replaced.
// Errors: storage errors, parapheur.template_invalid.
// Thread-safety: runs in its own write transaction.
#pragma once

#include "core/error.hpp"
#include "storage/db.hpp"

#include <cstdint>

namespace idara::parapheur {

Status seed_demo_templates(storage::Database& db, std::int64_t now_ms);
// The outgoing_letter template alone, for one administration, in the caller's transaction
// (letters need it; tests and new administrations use it).
Status put_outgoing_letter_template(storage::Tx& tx, std::int64_t administration_id, std::int64_t now_ms);

}  // namespace idara::parapheur

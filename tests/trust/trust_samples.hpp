// Small inputs for the trust tests: a minimal one-page PDF written by hand with a
// correct cross-reference table, optionally with /Info /Keywords.
#pragma once

#include "receipt/render.hpp"
#include "sample_pdf.hpp"

#include <string>
#include <vector>

namespace idara::trust::samples {

// `keywords_token` is a PDF string token, e.g. "(IDR1.abc)" or "<FEFF0645>", or "" for none.
inline std::string minimal_pdf(const std::string& keywords_token = "") {
    const std::string content = "0 0 1 rg 20 20 160 160 re f\n";
    std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
        "<< /Title (Sample)" + (keywords_token.empty() ? std::string() : " /Keywords " + keywords_token) + " >>",
    };
    return testing::assemble_pdf(objects, "/Info 5 0 R");
}

// The content of a typical receipt, to render and seal.
inline receipt::ReceiptContent receipt_content(const std::string& qr_payload) {
    receipt::ReceiptContent c;
    c.register_number = "MEF-2026-000123";
    c.registered_at = {"14 ماي 2026، 10:42", "14 mai 2026 à 10:42"};
    c.administration = {"وزارة الاقتصاد والمالية", "Ministère de l'Économie et des Finances"};
    c.unit = {"مكتب الضبط", "Bureau d'ordre"};
    c.depositor = "Youssef Benali";
    c.subject = "Demande d'attestation";
    c.type = {"طلب", "Demande"};
    c.qr_payload = qr_payload;
    return c;
}

}  // namespace idara::trust::samples

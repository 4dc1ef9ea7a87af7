#include "api/attestation.hpp"

#include "api/auth.hpp"
#include "api/json_io.hpp"
#include "processing/attestation.hpp"

#include <cctype>
#include <string>

namespace idara::api {

void register_attestation(http::Router& r, identity::Service& ids, processing::AttestationService& attestations) {
    r.get("/api/v1/entries/{number}/silence-attestation.pdf",
          [&ids, &attestations](http::Request& req) -> http::Response {
              auto who = authenticate(req, ids);
              if (!who) return error_response(who.error());
              const std::string number(req.param("number"));
              auto pdf = attestations.silence_attestation(*who, number, "api " + req.remote_addr);
              if (!pdf) return error_response(pdf.error());
              http::Response out;
              out.status = 200;
              out.body = std::move(*pdf);
              out.headers.set("Content-Type", "application/pdf");
              std::string name;  // only [A-Za-z0-9-] of the number in the header
              for (char c : number)
                  if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') name += c;
              out.headers.set("Content-Disposition", "attachment; filename=\"silence-attestation-" + name + ".pdf\"");
              out.headers.set("Cache-Control", "no-store");
              return out;
          });
}

}  // namespace idara::api

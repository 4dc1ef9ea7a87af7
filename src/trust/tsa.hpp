// RFC 3161 time-stamping: the TimeStamper interface that signing code calls, a
// built-in authority (OpenSSL TS over a TSA signing identity) and an HTTP client
// for an external authority (POST application/timestamp-query, libcurl).
//
// timestamp() returns a DER TimeStampToken (a CMS ContentInfo) over a SHA-256
// message imprint, with a fresh nonce. Errors: trust.tsa_unavailable (503) when the
// authority cannot be reached, answers an error status, or answers something that
// does not match the request (imprint, nonce, not a token); never a silent downgrade.
//
// The built-in authority also answers whole DER TimeStampReq messages (respond()),
// so the server can offer it over HTTP and tests can run a loopback HTTP TSA.
// respond() errors: trust.tsa_request (400) for a request that is not a DER
// TimeStampReq; a well-formed but unacceptable request (e.g. SHA-1 imprint) gets a
// DER TimeStampResp with a "rejection" status, as RFC 3161 asks.
//
// The policy OID (BuiltinTsaOptions) defaults to 1.3.6.1.4.1.99999.1, a placeholder arc;
// serial numbers are random 128-bit; accuracy 1 s; SHA-256/384/512 imprints accepted; the
// TSA certificate and chain are in every token (ESS signing-certificate-v2, SHA-256).
//
// Thread-safety: every TimeStamper is safe to call from several threads.
#pragma once

#include "core/clock.hpp"
#include "core/error.hpp"
#include "trust/keys.hpp"

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace idara::trust {

class TimeStamper {
public:
    virtual ~TimeStamper() = default;
    // An RFC 3161 TimeStampToken (DER ContentInfo) over a SHA-256 message imprint.
    virtual Result<std::string> timestamp(std::span<const unsigned char, 32> sha256) = 0;
};

// Placeholder private-enterprise arc for idara's time-stamp policy (1.3.6.1.4.1.99999 is not
// an assigned IANA number); a deployment configures its own policy OID.
inline constexpr const char* kDefaultTsaPolicyOid = "1.3.6.1.4.1.99999.1";

struct BuiltinTsaOptions {
    std::string policy_oid = kDefaultTsaPolicyOid;
    int accuracy_seconds = 1;       // the accuracy field of every token
};

class BuiltinTsa : public TimeStamper {
public:
    // Answers a DER TimeStampReq with a DER TimeStampResp (granted with a token, or a rejection).
    virtual Result<std::string> respond(std::string_view der_request) = 0;
};

// The TSA identity's certificate must carry the critical extended key usage timeStamping.
// Never null. An identity that cannot serve as a TSA (no key, no certificate, no
// timeStamping usage) gives an authority whose every timestamp() answers
// trust.tsa_unavailable and whose respond() answers a "rejection" response. The clock must
// outlive the authority; genTime comes from it (tests move it).
std::unique_ptr<BuiltinTsa> make_builtin_tsa(SigningIdentity tsa, const Clock& clock, BuiltinTsaOptions o = {});

struct HttpTsaOptions {
    std::string url;                                   // e.g. "https://tsa.example.ma/tsr"
    std::chrono::milliseconds timeout{10000};          // connect + transfer
    std::string ca_file;                               // for https; empty: the system store
};
std::unique_ptr<TimeStamper> make_http_tsa(HttpTsaOptions o);

}  // namespace idara::trust

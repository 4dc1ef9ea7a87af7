// E-mail delivery: the outbox filled by approval, sent over SMTP with STARTTLS to a
// loopback server written here; no STARTTLS, no delivery, and the message stays queued.
#include "outgoing_fixture.hpp"

#include "outgoing/mailer.hpp"
#include "smtp_server.hpp"

#include <openssl/evp.h>

#include <gtest/gtest.h>

namespace idara::testing {
namespace {

using outgoing::MailStatus;

std::string unbase64(std::string text) {
    std::erase_if(text, [](char c) { return c == '\r' || c == '\n' || c == ' '; });
    std::string out(text.size() / 4 * 3 + 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return {};
    std::size_t pad = 0;
    while (pad < 2 && text.size() > pad && text[text.size() - 1 - pad] == '=') ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

// The base64 body of the first part with this content type.
std::string part_body(const std::string& data, const std::string& type) {
    auto at = data.find("Content-Type: " + type);
    if (at == std::string::npos) return {};
    auto start = data.find("\r\n\r\n", at);
    auto end = data.find("\r\n--", start);
    return unbase64(data.substr(start + 4, end - start - 4));
}

// The Subject header, unfolded, its RFC 2047 encoded words decoded.
std::string subject_of(const std::string& data) {
    auto at = data.starts_with("Subject: ") ? 0 : data.find("\r\nSubject: ") + 2;
    std::string raw;
    for (auto pos = at + 9;;) {
        auto eol = data.find("\r\n", pos);
        raw += data.substr(pos, eol - pos);
        if (data[eol + 2] != ' ' && data[eol + 2] != '\t') break;
        pos = eol + 3;
    }
    std::string out;
    for (std::size_t p = 0; p < raw.size();) {
        auto w = raw.find("=?UTF-8?B?", p);
        if (w == std::string::npos) {
            out += raw.substr(p);
            break;
        }
        auto e = raw.find("?=", w + 10);
        out += unbase64(raw.substr(w + 10, e - w - 10));
        p = e + 2;
    }
    return out;
}

class MailTest : public OutgoingTest {
protected:
    outgoing::MailConfig config(const LoopbackSmtp& s) {
        outgoing::MailConfig c;
        c.smtp_url = s.url();
        c.from = "bureau.ordre@mef.gov.ma";
        c.ca_file = s.ca_file().string();
        c.timeout = std::chrono::seconds(10);
        c.max_attempts = 2;
        return c;
    }
    std::unique_ptr<outgoing::Mailer> mailer(const outgoing::MailConfig& c) {
        return std::make_unique<outgoing::Mailer>(*db_, *blobs_, outgoing::make_smtp_transport(c).value(), c);
    }
    outgoing::Letter approved_reply() {
        auto l = pending(incoming(), mef_agent_);
        return approve(l).value();
    }
};

TEST_P(MailTest, SealedLetterIsDeliveredOverStartTls) {
    LoopbackSmtp server(true);
    const auto l = approved_reply();
    auto m = mailer(config(server));
    auto queued = m->for_letter(l.id).value();
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].to, "amina@example.ma");  // the depositor's login
    EXPECT_EQ(queued[0].status, MailStatus::queued);

    auto report = m->deliver_pending(clock_.now_ms()).value();
    EXPECT_EQ(report.sent, 1);
    const auto got = server.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].over_tls);
    EXPECT_EQ(got[0].to, "<amina@example.ma>");
    EXPECT_EQ(got[0].from, "<bureau.ordre@mef.gov.ma>");
    EXPECT_EQ(subject_of(got[0].data), "الرسالة MEF-S-2026-000001 — جواب على طلب شهادة إدارية");
    EXPECT_NE(got[0].data.find("filename=\"MEF-S-2026-000001.pdf\""), std::string::npos);
    EXPECT_EQ(part_body(got[0].data, "application/pdf"), out_->pdf(principal(citizen_), l.id).value());
    EXPECT_NE(part_body(got[0].data, "text/plain").find("MEF-S-2026-000001"), std::string::npos);

    auto sent = m->for_letter(l.id).value();
    EXPECT_EQ(sent[0].status, MailStatus::sent);
    EXPECT_EQ(sent[0].attempts, 1);
    EXPECT_TRUE(sent[0].sent_at_ms);
    EXPECT_EQ(m->deliver_pending(clock_.now_ms()).value().sent, 0);  // sent once
    EXPECT_EQ(server.messages().size(), 1u);
}

TEST_P(MailTest, NoStartTlsNoDeliveryAndTheMessageStaysQueued) {
    LoopbackSmtp server(false);
    const auto l = approved_reply();
    auto m = mailer(config(server));
    const auto now = clock_.now_ms();
    auto report = m->deliver_pending(now).value();
    EXPECT_EQ(report.sent, 0);
    EXPECT_EQ(report.retrying, 1);
    EXPECT_EQ(server.sessions(), 1);
    EXPECT_TRUE(server.messages().empty());  // nothing went in plaintext
    auto rec = m->for_letter(l.id).value();
    ASSERT_EQ(rec.size(), 1u);
    EXPECT_EQ(rec[0].status, MailStatus::queued);
    EXPECT_EQ(rec[0].attempts, 1);
    EXPECT_NE(rec[0].last_error.find("outgoing.mail_send"), std::string::npos) << rec[0].last_error;
    EXPECT_GT(rec[0].next_attempt_at_ms, now);
    EXPECT_EQ(m->deliver_pending(now).value().retrying, 0);  // not due yet
    // The last attempt marks it failed, kept; an operator can queue it again.
    const auto later = rec[0].next_attempt_at_ms;
    EXPECT_EQ(m->deliver_pending(later).value().failed, 1);
    rec = m->for_letter(l.id).value();
    EXPECT_EQ(rec[0].status, MailStatus::failed);
    EXPECT_EQ(rec[0].attempts, 2);
    EXPECT_TRUE(m->requeue(rec[0].id, later));
    EXPECT_EQ(m->for_letter(l.id).value()[0].status, MailStatus::queued);
    // A server with STARTTLS then takes it.
    LoopbackSmtp good(true);
    auto m2 = mailer(config(good));
    EXPECT_EQ(m2->deliver_pending(later).value().sent, 1);
    EXPECT_EQ(good.messages().size(), 1u);
}

TEST_P(MailTest, UntrustedCertificateIsRefused) {
    LoopbackSmtp server(true);
    approved_reply();
    auto c = config(server);
    LoopbackSmtp other(true);
    c.ca_file = other.ca_file().string();  // a certificate that is not the server's
    auto m = mailer(c);
    EXPECT_EQ(m->deliver_pending(clock_.now_ms()).value().retrying, 1);
    EXPECT_TRUE(server.messages().empty());
}

TEST(Mailer, ConfigurationAndAddresses) {
    outgoing::MailConfig c;
    c.smtp_url = "http://mail.example.ma";
    c.from = "a@b.ma";
    EXPECT_EQ(outgoing::make_smtp_transport(c).error().code, "outgoing.mail_config");
    c.smtp_url = "smtp://mail.example.ma:587";
    c.from = "nobody";
    EXPECT_EQ(outgoing::make_smtp_transport(c).error().code, "outgoing.mail_config");
    c.from = "bureau@mef.gov.ma";
    EXPECT_TRUE(outgoing::make_smtp_transport(c));
    EXPECT_TRUE(outgoing::email_ok("amina@example.ma"));
    EXPECT_FALSE(outgoing::email_ok("amina@example"));
    EXPECT_FALSE(outgoing::email_ok("a b@example.ma"));
    EXPECT_FALSE(outgoing::email_ok("a@example.ma\r\nBcc: x@y.ma"));
    EXPECT_FALSE(outgoing::email_ok("<a@example.ma>"));
}

INSTANTIATE_TEST_SUITE_P(Backends, MailTest, ::testing::ValuesIn(all_backends()), backend_param_name);

}  // namespace
}  // namespace idara::testing

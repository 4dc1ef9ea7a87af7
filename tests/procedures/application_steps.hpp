// Helpers for the application tests: the reference procedure loaded, and the journey of the demo
// citizen (Amina) through it, step by step. Header-only.
#pragma once

#include "portal_fixture.hpp"
#include "sample_pdf.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace idara::testing {

class ApplicationTest : public PortalTest {
protected:
    using Form = std::map<std::string, std::string>;

    void SetUp() override {
        PortalTest::SetUp();
        env().load_reference();
    }

    procedures::ApplicationService& apps() { return *env().apps; }

    // A new draft of student-registration by Amina.
    procedures::Application start() {
        auto a = apps().start(env().amina(), "student-registration");
        EXPECT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
        return a ? *a : procedures::Application{};
    }
    procedures::Application get(const std::string& id) {
        auto a = apps().get(env().amina(), id);
        EXPECT_TRUE(a.has_value()) << a.error().code << ": " << a.error().detail;
        return a ? *a : procedures::Application{};
    }
    // Answers one step; expects no problem.
    void answer(const std::string& id, const std::string& step, const Form& form) {
        auto r = apps().answer(env().amina(), id, step, form);
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
        ASSERT_TRUE(r->empty()) << step << ": " << r->front().field << " " << r->front().code << " " << r->front().detail;
    }
    procedures::Next next(const std::string& id) {
        const auto a = get(id);
        auto p = apps().procedure_of(a);
        EXPECT_TRUE(p.has_value());
        return procedures::ApplicationService::next(*p->procedure, a);
    }
    // Every step answered with valid data; the bac lookup agreed (or declined).
    void fill(const std::string& id, bool agree = true, const std::string& student = kDemoStudent) {
        answer(id, "student", {{"student_number", student}});
        auto d = apps().decide_lookup(env().amina(), id, "bac", agree);
        ASSERT_TRUE(d.has_value()) << d.error().code << ": " << d.error().detail;
        answer(id, "faculty", {{"faculty", "fsr"}});
        answer(id, "programme", {{"programme", "Mathématiques et informatique"}});
        answer(id, "contact", {{"phone", "0612345678"}});
    }
    // A small valid PDF as an upload.
    static registry::IncomingFile pdf(const std::string& name = "photo.pdf", const std::string& marker = "photo") {
        return {name, sample_pdf(1, marker)};
    }
    void put(const std::string& id, const std::string& code, registry::IncomingFile f) {
        auto r = apps().put_document(env().amina(), id, code, std::move(f));
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    }
    // The applicant has seen the documents page.
    void seen(const std::string& id) {
        auto r = apps().documents_seen(env().amina(), id);
        ASSERT_TRUE(r.has_value()) << r.error().code << ": " << r.error().detail;
    }
    // A complete application ready to submit.
    std::string complete() {
        const auto a = start();
        fill(a.id);
        put(a.id, "photo", pdf());
        seen(a.id);
        return a.id;
    }
};

inline std::string next_name(const procedures::Next& n) {
    using K = procedures::Next::Kind;
    switch (n.kind) {
    case K::step: return "step:" + n.id;
    case K::lookup: return "lookup:" + n.id;
    case K::documents: return "documents";
    case K::check: return "check";
    }
    return "?";
}

}  // namespace idara::testing

// Procedure files: shape (procedure.schema.json through valijson), then consistency.
#include "procedures/procedure.hpp"

#include "core/resources.hpp"
#include "deadline/casablanca_day.hpp"
#include "procedures/form_schema.hpp"
#include "procedures/json_text.hpp"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <set>

namespace idara::procedures {

namespace json = boost::json;

std::string_view widget_name(Widget w) {
    switch (w) {
    case Widget::text: return "text";
    case Widget::textarea: return "textarea";
    case Widget::number: return "number";
    case Widget::date: return "date";
    case Widget::radio: return "radio";
    case Widget::select: return "select";
    case Widget::checkbox: return "checkbox";
    case Widget::administration: return "administration";
    }
    return "text";
}

const Field* Procedure::field(std::string_view name) const {
    for (const auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}
const Lookup* Procedure::lookup(std::string_view id) const {
    for (const auto& l : lookups)
        if (l.id == id) return &l;
    return nullptr;
}
const Step* Procedure::step(std::string_view id) const {
    for (const auto& s : steps)
        if (s.id == id) return &s;
    return nullptr;
}
std::vector<const Document*> Procedure::uploads() const {
    std::vector<const Document*> out;
    for (const auto& d : documents)
        if (!d.fetched_by) out.push_back(&d);
    return out;
}

std::optional<int> option_points(std::string_view v) {
    if (v.empty() || v.size() > 3 || (v.size() > 1 && v[0] == '0')) return std::nullopt;
    int n = 0;
    for (char ch : v) {
        if (ch < '0' || ch > '9') return std::nullopt;
        n = n * 10 + (ch - '0');
    }
    if (n > 100) return std::nullopt;
    return n;
}

namespace {

constexpr std::size_t kMaxFile = 1024 * 1024;

// The schema of procedure files, compiled once.
Result<std::shared_ptr<const JsonSchema>> file_schema() {
    static std::mutex mu;
    static std::shared_ptr<const JsonSchema> compiled;
    std::lock_guard lock(mu);
    if (compiled) return compiled;
    auto text = resources::find("procedures/procedure.schema.json");
    if (!text) return errors::internal("procedures/procedure.schema.json is not embedded");
    auto v = json::parse(*text);
    auto s = JsonSchema::compile(v);
    if (!s) return errors::internal("procedure.schema.json: " + s.error().detail);
    compiled = *s;
    return compiled;
}

class Checker {
public:
    Checker(std::string_view text, std::string_view file) : text_(text), file_(file) {}

    Error fail(const std::string& pointer, const std::string& reason) const {
        const Position p = locate(text_, pointer);
        return Error{"procedure.invalid", 400,
                     std::string(file_) + ": line " + std::to_string(p.line) + ", column " + std::to_string(p.column) + ": " +
                         (pointer.empty() ? std::string("/") : pointer) + ": " + reason};
    }

private:
    std::string_view text_, file_;
};

Text text_of(const json::value& v) {
    const auto& o = v.as_object();
    return Text{std::string(o.at("ar").as_string()), std::string(o.at("fr").as_string())};
}
Text opt_text(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() ? Text{} : text_of(it->value());
}
std::optional<std::string> opt_string(const json::object& o, std::string_view key) {
    auto it = o.find(key);
    if (it == o.end()) return std::nullopt;
    return std::string(it->value().as_string());
}

Widget widget_of(std::string_view s) {
    if (s == "textarea") return Widget::textarea;
    if (s == "number") return Widget::number;
    if (s == "date") return Widget::date;
    if (s == "radio") return Widget::radio;
    if (s == "select") return Widget::select;
    if (s == "checkbox") return Widget::checkbox;
    if (s == "administration") return Widget::administration;
    return Widget::text;
}

// "{name}" placeholders of a template.
std::vector<std::string> placeholders(std::string_view t) {
    std::vector<std::string> out;
    for (std::size_t i = t.find('{'); i != std::string_view::npos; i = t.find('{', i + 1)) {
        const auto j = t.find('}', i);
        if (j == std::string_view::npos) break;
        out.emplace_back(t.substr(i + 1, j - i - 1));
    }
    return out;
}

int int_of(const json::object& o, std::string_view key, int fallback) {
    auto it = o.find(key);
    return it == o.end() ? fallback : static_cast<int>(it->value().as_int64());
}
std::vector<std::string> names_of(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& n : v.as_array()) out.emplace_back(n.as_string());
    return out;
}

Scoring scoring_of(const json::object& o) {
    Scoring sc;
    for (const auto& dv : o.at("dimensions").as_array()) {
        const auto& d = dv.as_object();
        sc.dimensions.push_back({std::string(d.at("id").as_string()), text_of(d.at("title")), names_of(d.at("fields")),
                                 text_of(d.at("advice"))});
    }
    for (const auto& lv : o.at("levels").as_array()) {
        const auto& l = lv.as_object();
        sc.levels.push_back({static_cast<int>(l.at("from_percent").as_int64()), text_of(l.at("title")), text_of(l.at("summary"))});
    }
    sc.advice_below = int_of(o, "advice_below", sc.advice_below);
    return sc;
}

Evaluation evaluation_of(const json::object& o) {
    Evaluation ev;
    for (const auto& cv : o.at("criteria").as_array()) {
        const auto& c = cv.as_object();
        ev.criteria.push_back({std::string(c.at("id").as_string()), text_of(c.at("title")), opt_text(c, "hint"),
                               static_cast<int>(c.at("max").as_int64()), int_of(c, "weight", 1)});
    }
    ev.reviews = static_cast<int>(o.at("reviews").as_int64());
    ev.pass_mark = static_cast<int>(o.at("pass_mark").as_int64());
    ev.decision = o.at("decision").as_string() == "ranking" ? DecisionMode::ranking : DecisionMode::each;
    ev.granted = text_of(o.at("granted"));
    ev.refused = text_of(o.at("refused"));
    ev.circuit = opt_string(o, "circuit");
    if (auto it = o.find("directory"); it != o.end()) {
        const auto& d = it->value().as_object();
        ev.directory = PublicDirectory{text_of(d.at("title")), names_of(d.at("fields"))};
    }
    return ev;
}

// Builds the Procedure from a document that passed the file schema.
Procedure build(const json::object& o) {
    Procedure p;
    p.code = std::string(o.at("code").as_string());
    p.version = static_cast<int>(o.at("version").as_int64());
    p.title = text_of(o.at("title"));
    p.summary = text_of(o.at("summary"));
    p.audience = text_of(o.at("audience"));
    p.legal_basis = text_of(o.at("legal_basis"));
    p.cost = text_of(o.at("cost"));
    for (const auto& e : o.at("life_events").as_array()) p.life_events.emplace_back(e.as_string());
    if (auto it = o.find("keywords"); it != o.end())
        for (const auto& k : it->value().as_array()) p.keywords.emplace_back(k.as_string());
    p.administration = std::string(o.at("administration").as_string());
    p.administration_field = opt_string(o, "administration_field");
    p.unit = opt_string(o, "unit");
    if (auto t = opt_string(o, "deposit_type")) p.deposit_type = *t;
    const auto& dl = o.at("deadline").as_object();
    p.deadline_days = static_cast<int>(dl.at("days").as_int64());
    if (auto it = dl.find("working_days"); it != dl.end()) p.working_days = it->value().as_bool();
    p.silence = dl.at("silence").as_string() == "approval" ? Silence::approval : Silence::rejection;
    if (auto it = o.find("fee"); it != o.end()) {
        const auto& f = it->value().as_object();
        p.fee = Fee{f.at("amount_centimes").as_int64(), std::string(f.at("currency").as_string()), text_of(f.at("label"))};
    }
    if (auto it = o.find("window"); it != o.end()) {
        const auto& w = it->value().as_object();
        p.window = Window{std::string(w.at("opens_on").as_string()), std::string(w.at("closes_on").as_string())};
    }
    if (auto it = o.find("documents"); it != o.end())
        for (const auto& dv : it->value().as_array()) {
            const auto& d = dv.as_object();
            Document doc;
            doc.code = std::string(d.at("code").as_string());
            doc.title = text_of(d.at("title"));
            if (auto r = d.find("required"); r != d.end()) doc.required = r->value().as_bool();
            doc.fetched_by = opt_string(d, "fetched_by");
            p.documents.push_back(std::move(doc));
        }
    if (auto it = o.find("lookups"); it != o.end())
        for (const auto& lv : it->value().as_array()) {
            const auto& l = lv.as_object();
            Lookup lk;
            lk.id = std::string(l.at("id").as_string());
            lk.service = std::string(l.at("service").as_string());
            lk.path = std::string(l.at("path").as_string());
            lk.provider = text_of(l.at("provider"));
            lk.purpose = text_of(l.at("purpose"));
            for (const auto& [k, v] : l.at("fills").as_object()) lk.fills[std::string(k)] = std::string(v.as_string());
            p.lookups.push_back(std::move(lk));
        }
    for (const auto& [name, fv] : o.at("fields").as_object()) {
        const auto& f = fv.as_object();
        Field fd;
        fd.name = std::string(name);
        fd.label = text_of(f.at("label"));
        fd.hint = opt_text(f, "hint");
        fd.error = text_of(f.at("error"));
        if (auto w = opt_string(f, "widget")) fd.widget = widget_of(*w);
        if (auto it = f.find("options"); it != f.end())
            for (const auto& ov : it->value().as_array())
                fd.options.push_back({std::string(ov.at("value").as_string()), text_of(ov.at("label"))});
        fd.from = opt_string(f, "from");
        if (auto it = f.find("in_receipt"); it != f.end()) fd.in_receipt = it->value().as_bool();
        p.fields.push_back(std::move(fd));
    }
    for (const auto& sv : o.at("steps").as_array()) {
        const auto& s = sv.as_object();
        Step st;
        st.id = std::string(s.at("id").as_string());
        st.title = text_of(s.at("title"));
        for (const auto& f : s.at("fields").as_array()) st.fields.emplace_back(f.as_string());
        st.lookup = opt_string(s, "lookup");
        p.steps.push_back(std::move(st));
    }
    p.form_schema = json::serialize(o.at("form"));
    p.receipt_subject = text_of(o.at("receipt").as_object().at("subject"));
    if (auto it = o.find("scoring"); it != o.end()) p.scoring = scoring_of(it->value().as_object());
    if (auto it = o.find("evaluation"); it != o.end()) p.evaluation = evaluation_of(it->value().as_object());
    return p;
}

Status check_scoring(const Procedure& p, const Scoring& sc, const Checker& c) {
    std::set<std::string> ids, scored;
    for (std::size_t i = 0; i < sc.dimensions.size(); ++i) {
        const auto& d = sc.dimensions[i];
        const std::string dp = "/scoring/dimensions/" + std::to_string(i);
        if (!ids.insert(d.id).second) return c.fail(dp + "/id", "dimension \"" + d.id + "\" is declared twice");
        for (std::size_t j = 0; j < d.fields.size(); ++j) {
            const std::string fp = dp + "/fields/" + std::to_string(j);
            const Field* f = p.field(d.fields[j]);
            if (!f) return c.fail(fp, "unknown field \"" + d.fields[j] + "\"");
            if (f->widget != Widget::radio && f->widget != Widget::select)
                return c.fail(fp, "a scored field must be a radio or select field");
            for (const auto& o : f->options) {
                if (!option_points(o.value))
                    return c.fail(fp, "option \"" + o.value + "\" of \"" + f->name + "\" is not a whole number of points (0..100)");
            }
            if (!scored.insert(f->name).second) return c.fail(fp, "field \"" + f->name + "\" is scored in two dimensions");
        }
    }
    for (std::size_t i = 0; i < sc.levels.size(); ++i) {
        const std::string lp = "/scoring/levels/" + std::to_string(i) + "/from_percent";
        if (i == 0 && sc.levels[i].from_percent != 0) return c.fail(lp, "the first level starts at 0");
        if (i > 0 && sc.levels[i].from_percent <= sc.levels[i - 1].from_percent)
            return c.fail(lp, "levels must start at increasing percentages");
    }
    return {};
}

Status check_evaluation(const Procedure& p, const Evaluation& ev, const std::map<std::string, std::size_t>& asked_in,
                        const Checker& c) {
    if (p.administration == "*") return c.fail("/evaluation", "an evaluated procedure needs a fixed administration");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < ev.criteria.size(); ++i)
        if (!ids.insert(ev.criteria[i].id).second)
            return c.fail("/evaluation/criteria/" + std::to_string(i) + "/id", "criterion \"" + ev.criteria[i].id + "\" is declared twice");
    if (ev.decision == DecisionMode::ranking && !ev.circuit)
        return c.fail("/evaluation/decision", "a ranking decision is signed in the parapheur: name its \"circuit\"");
    if (ev.decision == DecisionMode::ranking && ev.directory)
        return c.fail("/evaluation/directory", "a public directory needs \"decision\": \"each\"");
    if (ev.directory)
        for (std::size_t i = 0; i < ev.directory->fields.size(); ++i) {
            const auto& name = ev.directory->fields[i];
            if (!asked_in.count(name))
                return c.fail("/evaluation/directory/fields/" + std::to_string(i), "\"" + name + "\" must be a field asked in a step");
        }
    return {};
}

// Consistency between the parts of a well-shaped procedure.
Status check(const Procedure& p, const json::object& doc, const Checker& c) {
    const auto& props = doc.at("form").as_object().at("properties").as_object();
    std::set<std::string> required;
    if (auto it = doc.at("form").as_object().find("required"); it != doc.at("form").as_object().end())
        for (const auto& r : it->value().as_array()) required.insert(std::string(r.as_string()));
    for (const auto& r : required)
        if (!p.field(r)) return c.fail("/form/required", "\"" + r + "\" is required but no field declares it");
    for (const auto& [name, _] : props)
        if (!p.field(name)) return c.fail("/form/properties/" + pointer_segment(name), "no field in \"fields\" describes \"" + std::string(name) + "\"");

    std::set<std::string> lookup_ids;
    for (std::size_t i = 0; i < p.lookups.size(); ++i)
        if (!lookup_ids.insert(p.lookups[i].id).second)
            return c.fail("/lookups/" + std::to_string(i) + "/id", "lookup \"" + p.lookups[i].id + "\" is declared twice");

    for (const auto& f : p.fields) {
        const std::string fp = "/fields/" + pointer_segment(f.name);
        auto prop = props.find(f.name);
        if (prop == props.end()) return c.fail(fp, "field \"" + f.name + "\" is not in form.properties");
        if (f.from && !p.lookup(*f.from)) return c.fail(fp + "/from", "unknown lookup \"" + *f.from + "\"");
        if (f.from) {
            const auto* l = p.lookup(*f.from);
            if (!l->fills.count(f.name)) return c.fail(fp + "/from", "lookup \"" + l->id + "\" does not fill \"" + f.name + "\"");
        }
        if ((f.widget == Widget::radio || f.widget == Widget::select) && f.options.empty())
            return c.fail(fp, "a " + std::string(widget_name(f.widget)) + " field needs options");
        if (prop->value().is_object()) {
            const auto& po = prop->value().as_object();
            if (auto en = po.find("enum"); en != po.end() && en->value().is_array())
                for (std::size_t i = 0; i < f.options.size(); ++i) {
                    bool in = false;
                    for (const auto& e : en->value().as_array())
                        if (e.is_string() && e.as_string() == f.options[i].value) in = true;
                    if (!in) return c.fail(fp + "/options/" + std::to_string(i) + "/value",
                                           "option \"" + f.options[i].value + "\" is not in the form schema's enum");
                }
        }
    }

    // Steps: unique ids, known fields, each asked field in exactly one step, lookups after their inputs.
    std::set<std::string> step_ids;
    std::map<std::string, std::size_t> asked_in;  // field -> step index
    std::map<std::string, std::size_t> lookup_step;
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
        const auto& s = p.steps[i];
        const std::string sp = "/steps/" + std::to_string(i);
        if (!step_ids.insert(s.id).second) return c.fail(sp + "/id", "step \"" + s.id + "\" is declared twice");
        if (s.id == "check" || s.id == "documents" || s.id == "submit")
            return c.fail(sp + "/id", "\"" + s.id + "\" is reserved for the journey's own pages");
        for (std::size_t j = 0; j < s.fields.size(); ++j) {
            const auto* f = p.field(s.fields[j]);
            const std::string fp = sp + "/fields/" + std::to_string(j);
            if (!f) return c.fail(fp, "unknown field \"" + s.fields[j] + "\"");
            if (f->from) return c.fail(fp, "field \"" + f->name + "\" is filled by lookup \"" + *f->from + "\" and cannot be asked");
            if (asked_in.count(f->name)) return c.fail(fp, "field \"" + f->name + "\" is asked in two steps");
            asked_in[f->name] = i;
        }
        if (s.lookup) {
            const auto* l = p.lookup(*s.lookup);
            if (!l) return c.fail(sp + "/lookup", "unknown lookup \"" + *s.lookup + "\"");
            if (lookup_step.count(l->id)) return c.fail(sp + "/lookup", "lookup \"" + l->id + "\" follows two steps");
            lookup_step[l->id] = i;
        }
    }
    for (const auto& f : p.fields)
        if (!f.from && !asked_in.count(f.name)) return c.fail("/fields/" + pointer_segment(f.name), "field \"" + f.name + "\" is asked in no step");
    for (std::size_t i = 0; i < p.lookups.size(); ++i) {
        const auto& l = p.lookups[i];
        const std::string lp = "/lookups/" + std::to_string(i);
        if (!lookup_step.count(l.id)) return c.fail(lp + "/id", "no step is followed by lookup \"" + l.id + "\"");
        for (const auto& ph : placeholders(l.path)) {
            if (ph == kAccountNationalId) continue;  // known from the account, never asked
            auto it = asked_in.find(ph);
            if (it == asked_in.end() || it->second > lookup_step[l.id])
                return c.fail(lp + "/path", "\"{" + ph + "}\" must be a field asked at or before step \"" + p.steps[lookup_step[l.id]].id + "\"");
        }
        for (const auto& [field, _] : l.fills) {
            const auto* f = p.field(field);
            if (!f || f->from != l.id)
                return c.fail(lp + "/fills/" + pointer_segment(field), "\"" + field + "\" must be a field with \"from\": \"" + l.id + "\"");
        }
    }

    // Routing chosen by the applicant: "*" with a required administration field asked in a step.
    if ((p.administration == "*") != p.administration_field.has_value())
        return c.fail(p.administration_field ? "/administration_field" : "/administration",
                      "\"administration\": \"*\" and \"administration_field\" go together");
    if (p.administration_field) {
        const Field* f = p.field(*p.administration_field);
        if (!f || f->widget != Widget::administration || !asked_in.count(f->name) || !required.count(f->name))
            return c.fail("/administration_field", "\"" + *p.administration_field +
                                                       "\" must be a required field with widget \"administration\" asked in a step");
        if (p.unit) return c.fail("/unit", "a unit needs a fixed administration");
    }

    std::set<std::string> docs;
    for (std::size_t i = 0; i < p.documents.size(); ++i) {
        const auto& d = p.documents[i];
        const std::string dp = "/documents/" + std::to_string(i);
        if (!docs.insert(d.code).second) return c.fail(dp + "/code", "document \"" + d.code + "\" is declared twice");
        if (d.fetched_by && !p.lookup(*d.fetched_by)) return c.fail(dp + "/fetched_by", "unknown lookup \"" + *d.fetched_by + "\"");
    }
    if (p.window) {
        if (!deadline::parse_civil_date(p.window->opens_on)) return c.fail("/window/opens_on", "not a real date");
        if (!deadline::parse_civil_date(p.window->closes_on)) return c.fail("/window/closes_on", "not a real date");
        if (p.window->closes_on < p.window->opens_on) return c.fail("/window/closes_on", "closes before it opens");
    }
    for (const auto* lang : {"ar", "fr"})
        for (const auto& ph : placeholders(lang[0] == 'a' ? p.receipt_subject.ar : p.receipt_subject.fr))
            if (!p.field(ph)) return c.fail(std::string("/receipt/subject/") + lang, "\"{" + ph + "}\" is not a field");
    if (p.scoring)
        if (auto s = check_scoring(p, *p.scoring, c); !s) return s;
    if (p.evaluation)
        if (auto s = check_evaluation(p, *p.evaluation, asked_in, c); !s) return s;
    return {};
}

}  // namespace

Result<Procedure> parse_procedure(std::string_view text, std::string_view file_name) {
    if (text.size() > kMaxFile) return Error{"procedure.too_large", 413, std::string(file_name) + ": over 1 MiB"};
    auto doc = parse_json_located(text, file_name);
    if (!doc) return doc.error();
    const Checker c(text, file_name);
    auto schema = file_schema();
    if (!schema) return schema.error();
    if (auto v = (*schema)->validate(*doc); !v.empty()) return c.fail(v.front().pointer, v.front().reason);
    const auto& o = doc->as_object();
    Procedure p = build(o);
    if (auto s = check(p, o, c); !s) return s.error();
    auto form = JsonSchema::compile(o.at("form"));
    if (!form) return c.fail("/form", form.error().detail);
    return p;
}

}  // namespace idara::procedures

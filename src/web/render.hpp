// Server-side HTML rendering from the mustache templates in web/templates/.
//
// Templates are read from the embedded resources (core/resources.hpp) and
// parsed once, on first use, into a process-wide cache; rendering is then
// read-only and may run on any number of threads at once. Variables are
// HTML-escaped ({{name}}); triple braces ({{{name}}}) insert HTML that C++
// code built with html_escape()/bdi() or another render() call.
//
// Inside any template, {{t.<key>}} is the catalogue message <key> in the
// language of the render ("{{t.web.nav.home}}"), escaped like any variable.
// Every t.<key> used by a template must exist in both catalogues: load fails
// (std::runtime_error) otherwise, and tests/web checks it.
//
// Templates must not use partials ({{> x}}) or lambdas: those make the
// kainjow renderer mutate shared state. Compose by rendering a template to a
// string and passing it as a {{{variable}}} instead.
#pragma once

#include "core/i18n.hpp"

#include <kainjow/mustache.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace idara::web {

using Data = kainjow::mustache::data;

// Renders web/templates/<name>.mustache. Throws std::runtime_error when the
// template does not exist or does not parse (a defect, not a user error).
std::string render(std::string_view name, const Data& data, i18n::Lang lang);

// Names of all templates ("layout", "login", ...), sorted.
std::vector<std::string> template_names();

// Keys referenced as {{t.<key>}} by template `name` (for tests).
std::vector<std::string> template_keys(std::string_view name);

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view s);

// A list of strings as mustache data ({{#list}}{{.}}{{/list}}).
Data string_list(const std::vector<std::string>& items);

}  // namespace idara::web

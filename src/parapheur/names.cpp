// Names of the parapheur's enumerations (stored in the database and shown in the API).
#include "parapheur/circuits.hpp"

namespace idara::parapheur {

std::string_view step_kind_name(StepKind k) {
    switch (k) {
        case StepKind::visa: return "visa";
        case StepKind::signature: return "signature";
        case StepKind::seal: return "seal";
    }
    return "visa";
}
std::optional<StepKind> parse_step_kind(std::string_view s) {
    for (auto k : {StepKind::visa, StepKind::signature, StepKind::seal})
        if (step_kind_name(k) == s) return k;
    return std::nullopt;
}

std::string_view step_mode_name(StepMode m) { return m == StepMode::all ? "all" : "any"; }
std::optional<StepMode> parse_step_mode(std::string_view s) {
    if (s == "all") return StepMode::all;
    if (s == "any") return StepMode::any;
    return std::nullopt;
}

std::string_view circuit_state_name(CircuitState s) {
    switch (s) {
        case CircuitState::in_progress: return "in_progress";
        case CircuitState::completed: return "completed";
        case CircuitState::rejected: return "rejected";
        case CircuitState::cancelled: return "cancelled";
    }
    return "in_progress";
}
std::optional<CircuitState> parse_circuit_state(std::string_view s) {
    for (auto k : {CircuitState::in_progress, CircuitState::completed, CircuitState::rejected, CircuitState::cancelled})
        if (circuit_state_name(k) == s) return k;
    return std::nullopt;
}

std::string_view assignee_status_name(AssigneeStatus s) {
    switch (s) {
        case AssigneeStatus::waiting: return "waiting";
        case AssigneeStatus::pending: return "pending";
        case AssigneeStatus::done: return "done";
        case AssigneeStatus::skipped: return "skipped";
        case AssigneeStatus::rejected: return "rejected";
    }
    return "waiting";
}

std::optional<Box> parse_box(std::string_view s) {
    if (s == "mine") return Box::mine;
    if (s == "started") return Box::started;
    if (s == "all") return Box::all;
    return std::nullopt;
}
std::string_view box_name(Box b) {
    switch (b) {
        case Box::mine: return "mine";
        case Box::started: return "started";
        case Box::all: return "all";
    }
    return "mine";
}

}  // namespace idara::parapheur

#pragma once
// Listings of the parameter registry (`sovcap params`) and of a resolved scenario
// (`sovcap validate`), so that every front end shows the same text.

#include <string>

#include "sovcap/scenario.hpp"

namespace sovcap {

// Every parameter with its unit, default, allowed values and meaning: grouped by scope as
// text, or one Markdown table (docs/scenarios.md's parameter reference).
std::string parameter_listing(bool markdown);

// "scenario PATH: OK, ...", then every resolved value per section and country, each with
// where it came from (the scenario's `origin`).
std::string describe_scenario(const Scenario& scenario);

}  // namespace sovcap

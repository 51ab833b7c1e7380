#pragma once
// `sovcap compare`: the metrics of `sovcap summarize` for a few countries side by side,
// one column per country and one row per metric. The metrics and their formatting are
// summarize()'s and render()'s (summary_io.hpp, summary.hpp); a comparison only picks the
// countries and turns the rendered table around.

#include <cstddef>
#include <string>
#include <vector>

#include "sovcap/answer.hpp"
#include "sovcap/summary.hpp"
#include "sovcap/summary_io.hpp"

namespace sovcap {

// The countries of "KOR, fra,GBR" (ISO3 codes, any case, separated by commas) as indices
// into `iso3`, in the order given. Throws RequestError naming --countries for an unknown
// code (with a "did you mean" hint), a code given twice, or none.
std::vector<std::size_t> pick_countries(const std::string& text, const std::vector<std::string>& iso3);

// The summary `s` turned around: a row per metric, a column per country of `s`, in order.
// Text aligns the columns; Markdown right-aligns the countries' columns; CSV has a
// `metric` column first; JSON is {"runs", "countries", "metrics": {METRIC: {ISO3: VALUE}}}
// with numbers as numbers and "never" or missing values as null.
std::string render_compare(const Summary& s, SummaryFormat format);

// `sovcap compare PATH --countries TEXT`: a line naming the file (text format), then the
// comparison of the countries over the complete runs, per policy unless pooled (see
// join_policies; JSON's key is "comparison"). Throws RequestError when there is no file at
// `path`, a country is not in it or a year is outside the run.
Answer compare_countries(const std::string& path, const std::string& countries,
                         const SummaryRequest& request);

}  // namespace sovcap

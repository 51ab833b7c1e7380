#pragma once
// Text helpers shared by every writer of tables: CSV cells, JSON strings, word lists,
// numbers for listings.

#include <string>
#include <vector>

namespace sovcap {

// A CSV cell (RFC 4180): quoted, with quotes doubled, when it holds a comma, quote or
// line break; otherwise as is.
std::string csv_cell(const std::string& v);

// A JSON string literal, with quotes, backslashes and control characters escaped.
std::string json_string(const std::string& s);

// The whitespace-separated words of `text` (e.g. the file's lever_keys attribute).
std::vector<std::string> split_words(const std::string& text);

// A number for listings (parameters, capacities): up to 10 significant digits, or 4 when
// it is very large (>= 1e7) or very small (< 1e-3), where it takes exponent form.
std::string format_number(double v);

}  // namespace sovcap

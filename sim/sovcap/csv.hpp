#pragma once
// A small reader for the project's CSV data files: RFC 4180 quoting, '#' comment lines and
// blank lines skipped, and every field remembering the line and column it started at, so
// that errors in the data can point at the exact cell.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sovcap {

// One field of a record.
struct CsvField {
  std::string text;  // content without quotes ("" unescaped); unquoted fields are trimmed
  int line = 0;      // 1-based file line where the field starts
  int column = 0;    // 1-based character column where the field starts
  int index = 0;     // 0-based position within its record
  bool quoted = false;
};

// One record: usually one line, more when a quoted field holds line breaks.
struct CsvRecord {
  int line = 0;  // 1-based file line where the record starts
  std::vector<CsvField> fields;
};

// A syntax problem (unterminated quote, text after a closing quote, stray quote).
struct CsvError {
  int line = 0;
  int column = 0;
  std::string message;
};

// Every record of a file in order (the header, if the file has one, is the first), and
// the syntax problems met; parsing goes on after a problem so that all are reported.
struct CsvDocument {
  std::vector<CsvRecord> records;
  std::vector<CsvError> errors;
};

// Parses CSV text. Lines whose first character is '#' and lines holding only blanks are
// skipped when they start a record; a leading UTF-8 byte order mark is ignored.
CsvDocument parse_csv(std::string_view text);

// `text` without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);

// The whole cell as a finite number ("12", "-0.5", "1e6", "+3"; surrounding blanks
// allowed), or nullopt: partial numbers like "12x", "nan" and "inf" are rejected.
std::optional<double> parse_number(std::string_view cell);

// The whole cell as an integer ("2", "-7"), or nullopt ("2.0" and "2x" are rejected).
std::optional<long long> parse_integer(std::string_view cell);

}  // namespace sovcap

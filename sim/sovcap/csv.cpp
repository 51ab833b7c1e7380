#include "sovcap/csv.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace sovcap {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Walks the text once, keeping the line and the column (in characters, not bytes, so
// UTF-8 names do not shift it): counted as it goes, a line of many fields stays linear.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {
    // A byte order mark from spreadsheet exports is not part of the first header name.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  bool done() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  bool at(char c) const { return !done() && text_[pos_] == c; }
  int line() const { return line_; }
  std::size_t pos() const { return pos_; }
  std::string_view slice(std::size_t from, std::size_t to) const {
    return text_.substr(from, to - from);
  }

  // 1-based character column of the current byte.
  int column() const { return column_; }

  void advance() {
    if (done()) return;
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) {
      ++column_;  // a character ends with the bytes that continue it
    }
    ++pos_;
  }

  // Consumes a line break ("\n" or "\r\n") if one is next; true if it did.
  bool eat_newline() {
    if (at('\r') && peek(1) == '\n') advance();
    if (at('\n')) {
      advance();
      return true;
    }
    return false;
  }

  void skip_line() {
    while (!done() && !at('\n')) advance();
    advance();
  }

  // True if the rest of the current line holds only blanks (and maybe a '\r').
  bool rest_of_line_blank() const {
    for (std::size_t k = pos_; k < text_.size() && text_[k] != '\n'; ++k)
      if (!is_blank(text_[k]) && text_[k] != '\r') return false;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// Reads a quoted field; the scanner stands on the opening quote. Returns false if the
// quote is never closed.
bool read_quoted(Scanner& s, CsvField& f) {
  s.advance();
  while (!s.done()) {
    const char c = s.peek();
    if (c == '"') {
      if (s.peek(1) == '"') {
        f.text += '"';
        s.advance();
        s.advance();
        continue;
      }
      s.advance();
      return true;
    }
    if (c == '\r' && s.peek(1) == '\n') {  // keep line breaks inside fields as "\n"
      s.advance();
      continue;
    }
    f.text += c;
    s.advance();
  }
  return false;
}

}  // namespace

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && (is_blank(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

CsvDocument parse_csv(std::string_view text) {
  CsvDocument doc;
  Scanner s(text);
  while (!s.done()) {
    if (s.at('#') || s.rest_of_line_blank()) {
      s.skip_line();
      continue;
    }
    CsvRecord rec;
    rec.line = s.line();
    for (int index = 0;; ++index) {
      CsvField f;
      f.index = index;
      // Blanks before an opening quote are tolerated: hand-written files have them.
      std::size_t look = 0;
      while (is_blank(s.peek(look))) ++look;
      if (s.peek(look) == '"') {
        for (std::size_t k = 0; k < look; ++k) s.advance();
        f.quoted = true;
        f.line = s.line();
        f.column = s.column();
        if (!read_quoted(s, f)) {
          doc.errors.push_back({f.line, f.column,
                                "unterminated quoted field: the quote opened here is never "
                                "closed; a quote inside a quoted field is written \"\""});
          rec.fields.push_back(std::move(f));
          break;
        }
        while (is_blank(s.peek())) s.advance();
        if (!s.done() && !s.at(',') && !s.at('\n') && !(s.at('\r') && s.peek(1) == '\n')) {
          doc.errors.push_back({s.line(), s.column(),
                                "unexpected text after the closing quote of a field: quote the "
                                "whole field, writing a quote inside it as \"\""});
          while (!s.done() && !s.at(',') && !s.at('\n')) s.advance();
        }
      } else {
        const std::size_t start = s.pos();
        const int start_column = s.column();
        f.line = s.line();
        bool stray_reported = false;
        while (!s.done() && !s.at(',') && !s.at('\n')) {
          if (s.at('"') && !stray_reported) {
            doc.errors.push_back({s.line(), s.column(),
                                  "stray quote inside an unquoted field: quote the whole field, "
                                  "writing a quote inside it as \"\""});
            stray_reported = true;
          }
          s.advance();
        }
        const std::string_view raw = s.slice(start, s.pos());
        const std::string_view trimmed = trim_blanks(raw);
        std::size_t lead = 0;
        while (lead < raw.size() && is_blank(raw[lead])) ++lead;
        f.column = start_column + static_cast<int>(trimmed.empty() ? 0 : lead);  // blanks: 1 byte
        f.text = std::string(trimmed);
      }
      rec.fields.push_back(std::move(f));
      if (s.at(',')) {
        s.advance();
        continue;
      }
      s.eat_newline();
      break;
    }
    doc.records.push_back(std::move(rec));
  }
  return doc;
}

std::optional<double> parse_number(std::string_view cell) {
  cell = trim_blanks(cell);
  // from_chars takes no '+', but "+3" is a fair way to write a number in a data file.
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '-' && cell[1] != '+') cell.remove_prefix(1);
  if (cell.empty()) return std::nullopt;
  double v = 0.0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || end != cell.data() + cell.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<long long> parse_integer(std::string_view cell) {
  cell = trim_blanks(cell);
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '-' && cell[1] != '+') cell.remove_prefix(1);
  if (cell.empty()) return std::nullopt;
  long long v = 0;
  const auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || end != cell.data() + cell.size()) return std::nullopt;
  return v;
}

}  // namespace sovcap

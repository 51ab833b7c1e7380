// The input's bytes before any parser sees them: files are read only when they are regular
// files of bounded size (a device or a FIFO would read forever or block), and the text is
// checked for what the parsers do not survive or report badly: bytes that are not UTF-8,
// brackets nested deeper than toml11's recursion can take, CR-only line ends.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "sovcap/loader/loader.hpp"

namespace sovcap::loader {
namespace {

// Where byte `offset` of `text` stands: line and character column in a file, or the
// --set value itself (its character is named in the message instead).
Loc locate(std::string_view text, std::size_t offset, const Loc& origin) {
  if (origin.file == kSetFile) return origin;
  int line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {origin.file, origin.line + line - 1, line == 1 ? origin.column + column - 1 : column};
}

// " (character N of the value)" for --set, where the location says only "--set".
std::string where_in_set(std::string_view text, std::size_t offset, const Loc& origin) {
  if (origin.file != kSetFile) return "";
  std::size_t chars = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++chars;
  return " (character " + std::to_string(chars) + " of the value)";
}

// Length of the UTF-8 sequence at text[i], or 0 when it is not one (overlong forms,
// surrogates and code points past U+10FFFF included).
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto b = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
  };
  const unsigned c = b(0);
  if (c < 0x80) return 1;
  auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

// The end of the TOML string that opens at text[i] (one past its closing quote), or npos
// when it is not closed on its line (toml11 reports that).
std::size_t toml_string_end(std::string_view text, std::size_t i) {
  const char q = text[i];
  const bool basic = q == '"';
  if (text.substr(i, 3) == std::string(3, q)) {
    for (std::size_t k = i + 3; k + 3 <= text.size(); ++k) {
      if (basic && text[k] == '\\') {
        ++k;
        continue;
      }
      if (text.substr(k, 3) == std::string(3, q)) {
        // Up to two more quotes belong to the string ("""a""""" ends with a"").
        std::size_t end = k + 3;
        while (end < text.size() && end < k + 5 && text[end] == q) ++end;
        return end;
      }
    }
    return std::string_view::npos;
  }
  for (std::size_t k = i + 1; k < text.size() && text[k] != '\n'; ++k) {
    if (basic && text[k] == '\\') {
      ++k;
      continue;
    }
    if (text[k] == q) return k + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
  // O_NONBLOCK: opening a FIFO without a writer would block; fstat then refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    error = std::strerror(errno);
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    error = "it is a directory";
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "it is not a regular file (a device, FIFO or socket): only regular files are read";
    return std::nullopt;
  }
  const std::string limit =
      "input files are read up to " + std::to_string(kMaxInputBytes / (1024 * 1024)) + " MiB";
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxInputBytes) {
    error = "it is " + std::to_string(st.st_size) + " bytes: " + limit;
    return std::nullopt;
  }
  // Read to the end rather than trust st_size: files under /proc say 0 and are not.
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::string("read error: ") + std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxInputBytes) {
      error = "it holds more than " + std::to_string(kMaxInputBytes) + " bytes: " + limit;
      return std::nullopt;
    }
  }
  return text;
}

bool check_utf8(std::string_view text, const Loc& origin, const std::string& key,
                Diags& diags) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n > 0) {
      i += n;
      continue;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[i]));
    diags.add(locate(text, i, origin), key,
              std::string("byte ") + hex + where_in_set(text, i, origin) +
                  " is not UTF-8: allowed UTF-8 text (save the file as UTF-8)");
    return false;
  }
  return true;
}

std::optional<std::string> prepare_toml(std::string_view text, const Loc& origin,
                                        const std::string& key,
                                        std::vector<std::size_t>& inserted, Diags& diags) {
  std::string out;
  out.reserve(text.size());
  std::vector<char> open;  // the brackets and braces open at this point, innermost last
  std::vector<int> entries;  // per open brace: its commas so far
  int dots = 0;  // of the dotted key (or number) being read: a.b.c nests tables as deep
  std::size_t line_start = 0;  // in `out`
  auto refuse = [&](std::size_t i, const std::string& what) {
    diags.add(locate(text, i, origin), key, what);
    return std::nullopt;
  };
  auto key_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' ||
           c == '\t';
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && ++dots >= kMaxNesting)
      return refuse(i, "a dotted key" + where_in_set(text, i, origin) + " of more than " +
                           std::to_string(kMaxNesting) + " parts: allowed at most " +
                           std::to_string(kMaxNesting));
    if (c != '.' && !key_char(c) && c != '"' && c != '\'') dots = 0;
    if (c == '#' || c == '"' || c == '\'') {
      // Copied as they are: a comment to the end of its line, a string to its end.
      std::size_t end = c == '#' ? text.find('\n', i) : toml_string_end(text, i);
      if (end == std::string_view::npos) end = text.size();  // toml11 reports an open string
      out.append(text.substr(i, end - i));
      i = end - 1;
      continue;
    }
    out += c;
    if (c == '\n') line_start = out.size();
    if (c == '[' || c == '{') {
      if (open.size() >= static_cast<std::size_t>(kMaxNesting))
        return refuse(i, std::string("'") + c + "'" + where_in_set(text, i, origin) +
                             " nests arrays and tables " + std::to_string(open.size() + 1) +
                             " deep: allowed at most " + std::to_string(kMaxNesting));
      open.push_back(c);
      if (c == '{') entries.push_back(0);
    } else if ((c == ']' || c == '}') && !open.empty()) {
      if (open.back() == '{') entries.pop_back();
      open.pop_back();
    } else if (c == ',' && !open.empty() && open.back() == '{' &&
               ++entries.back() >= kMaxInlineEntries) {
      return refuse(i, "an inline table" + where_in_set(text, i, origin) + " of more than " +
                           std::to_string(kMaxInlineEntries) +
                           " entries: allowed at most " + std::to_string(kMaxInlineEntries) +
                           "; write a [table] instead");
    } else if (c == ',' && !open.empty() && open.back() == '[' &&
               out.size() - line_start > kLongLine) {
      // A line break between array items changes nothing but the line.
      inserted.push_back(out.size());
      out += '\n';
      line_start = out.size();
    }
  }
  return out;
}

bool check_line_ends(std::string_view text, const std::string& file, Diags& diags) {
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) {
      diags.add(locate(text, i, {file, 1, 1}), "",
                "a carriage return not followed by a line feed (CR-only line ends, as old Mac "
                "programs write) is not supported: allowed LF or CRLF line ends");
      return false;
    }
  return true;
}

std::string control_char_problem(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool c1 = c == 0xC2 && i + 1 < s.size() &&
                    static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (c < 0x20 || c == 0x7F || c1) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X",
                    c1 ? static_cast<unsigned char>(s[i + 1]) : static_cast<unsigned>(c));
      return std::string("holds the control character ") + code +
             " (terminal escapes, NUL, line breaks and tabs are refused): allowed printable "
             "text";
    }
  }
  return "";
}

}  // namespace sovcap::loader

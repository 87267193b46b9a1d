// Python str semantics over ICU's character properties and case mapping.
#include "eval/py_text.h"

#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "util/error.h"

namespace dpn::eval::py {

std::u32string decode(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    int n = 0;
    char32_t c = 0, min = 0;
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 1, c = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      n = 2, c = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      n = 3, c = b & 0x07, min = 0x10000;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    bool ok = true;
    for (int k = 1; ok && k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) ok = false;
      else c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    if (!ok || c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(c);
    i += static_cast<size_t>(n) + 1;
  }
  return out;
}

std::string encode(const std::u32string& text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool is_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
  const UChar32 u = static_cast<UChar32>(c);
  const UCharDirection d = u_charDirection(u);
  return d == U_WHITE_SPACE_NEUTRAL || d == U_BLOCK_SEPARATOR || d == U_SEGMENT_SEPARATOR ||
         u_charType(u) == U_SPACE_SEPARATOR;
}

bool is_digit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return u_charType(static_cast<UChar32>(c)) == U_DECIMAL_DIGIT_NUMBER;
}

char32_t simple_lower(char32_t c) { return static_cast<char32_t>(u_tolower(static_cast<UChar32>(c))); }

std::u32string lower(const std::u32string& s) {
  bool ascii = true;
  for (char32_t c : s) ascii = ascii && c < 0x80;
  if (ascii) {
    std::u32string out = s;
    for (char32_t& c : out)
      if (c >= 'A' && c <= 'Z') c += 32;
    return out;
  }
  // UTF-32 -> UTF-16 -> full lowercase in the root locale (Final_Sigma handled, no language rules) -> UTF-32.
  UErrorCode err = U_ZERO_ERROR;
  std::u16string in(s.size() * 2 + 1, u'\0');
  int32_t in_len = 0;
  u_strFromUTF32(reinterpret_cast<UChar*>(in.data()), static_cast<int32_t>(in.size()), &in_len,
                 reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size()), &err);
  if (U_FAILURE(err)) throw Error("py::lower", std::string("ICU conversion failed: ") + u_errorName(err));
  std::u16string low(static_cast<size_t>(in_len) * 3 + 1, u'\0');
  err = U_ZERO_ERROR;
  const int32_t low_len = u_strToLower(reinterpret_cast<UChar*>(low.data()), static_cast<int32_t>(low.size()),
                                       reinterpret_cast<const UChar*>(in.data()), in_len, "", &err);
  if (U_FAILURE(err)) throw Error("py::lower", std::string("ICU lowercase failed: ") + u_errorName(err));
  std::u32string out(static_cast<size_t>(low_len) + 1, U'\0');
  int32_t out_len = 0;
  err = U_ZERO_ERROR;
  u_strToUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), &out_len,
               reinterpret_cast<const UChar*>(low.data()), low_len, &err);
  if (U_FAILURE(err)) throw Error("py::lower", std::string("ICU conversion failed: ") + u_errorName(err));
  out.resize(static_cast<size_t>(out_len));
  return out;
}

std::string lower(const std::string& s) {
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string out = s;
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
  }
  return encode(lower(decode(s)));
}

std::u32string strip(const std::u32string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string strip(const std::string& s) { return encode(strip(decode(s))); }

std::string rstrip_chars(const std::string& s, char32_t c) {
  std::u32string t = decode(s);
  while (!t.empty() && t.back() == c) t.pop_back();
  return encode(t);
}

std::vector<std::u32string> split(const std::u32string& s) {
  std::vector<std::u32string> out;
  std::u32string cur;
  bool in_word = false;
  for (char32_t c : s) {
    if (is_space(c)) {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (in_word) out.push_back(cur);
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& w : split(decode(s))) out.push_back(encode(w));
  return out;
}

size_t length(const std::string& s) { return decode(s).size(); }

std::string prefix(const std::string& s, size_t n) {
  std::u32string t = decode(s);
  if (t.size() > n) t.resize(n);
  return encode(t);
}

template <class S>
static S replace_all_impl(S s, const S& from, const S& to) {
  if (from.empty()) return s;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != S::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  return replace_all_impl(std::move(s), from, to);
}
std::u32string replace_all(std::u32string s, const std::u32string& from, const std::u32string& to) {
  return replace_all_impl(std::move(s), from, to);
}

bool contains(const std::string& s, const std::string& sub) { return s.find(sub) != std::string::npos; }

}  // namespace dpn::eval::py

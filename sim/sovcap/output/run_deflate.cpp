#include "sovcap/output/run_deflate.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sovcap::outfile {
namespace {

// Bits into bytes, least significant first (RFC 1951 3.1.1), on a little-endian host.
// Without a branch: every put stores all eight bytes of the buffer and moves on by the
// whole bytes filled, so it writes up to 8 bytes beyond the stream (deflate_runs_bound
// leaves room for them).
struct BitWriter {
  std::uint8_t* p;
  std::uint64_t buf = 0;
  int n = 0;  // bits in buf not yet moved past: 0-7 between calls
  // At most 56 bits at a time, so n stays below 64 here.
  void put(std::uint64_t v, int bits) {
    buf |= static_cast<std::uint64_t>(v) << n;
    n += bits;
    std::memcpy(p, &buf, 8);
    p += n >> 3;
    buf >>= n & ~7;
    n &= 7;
  }
  void flush() {
    if (n > 0) *p++ = static_cast<std::uint8_t>(buf);
    n = 0;
    buf = 0;
  }
};

// Length symbol (257-285), extra bits and their value of every run length 3-258
// (RFC 1951 3.2.5).
struct LengthCodes {
  std::array<std::uint16_t, 259> sym{};
  std::array<std::uint8_t, 259> extra_bits{};
  std::array<std::uint8_t, 259> extra{};
  constexpr LengthCodes() {
    constexpr int base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                              31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    constexpr int bits[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                              2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    for (int len = 3; len <= 258; ++len) {
      // 258 has a symbol of its own (285); 284's range stops at 257.
      int c = 28;
      if (len < 258)
        for (c = 27; base[c] > len;) --c;
      sym[len] = static_cast<std::uint16_t>(257 + c);
      extra_bits[len] = static_cast<std::uint8_t>(bits[c]);
      extra[len] = static_cast<std::uint8_t>(len - base[c]);
    }
  }
};
constexpr LengthCodes kLengths;

constexpr int kMaxRun = 258;
constexpr int kEndOfBlock = 256;
constexpr int kLitLenSymbols = 286;
// Order in which the code-length code's lengths are stored (RFC 1951 3.2.7).
constexpr int kCodeLengthOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Each byte's bits in reverse order.
struct ReversedBytes {
  std::array<std::uint8_t, 256> byte{};
  constexpr ReversedBytes() {
    for (unsigned v = 0; v < 256; ++v) {
      unsigned r = 0;
      for (int k = 0; k < 8; ++k) r |= ((v >> k) & 1u) << (7 - k);
      byte[v] = static_cast<std::uint8_t>(r);
    }
  }
};
constexpr ReversedBytes kReversed;

// Canonical codes for the lengths (RFC 1951 3.2.2), bit-reversed: the stream carries a
// Huffman code's first bit first.
void canonical_codes(const std::uint8_t* len, int n, std::uint16_t* code) {
  std::array<int, 16> count{}, next{};
  for (int i = 0; i < n; ++i) ++count[len[i]];
  count[0] = 0;
  for (int b = 1, c = 0; b < 16; ++b) {
    c = (c + count[b - 1]) << 1;
    next[b] = c;
  }
  for (int i = 0; i < n; ++i) {
    // The code's len[i] bits reversed: its 16 bits reversed, shifted down.
    const unsigned v = len[i] > 0 ? static_cast<unsigned>(next[len[i]]++) : 0u;
    const unsigned r = static_cast<unsigned>(kReversed.byte[v & 0xFFu]) << 8 | kReversed.byte[(v >> 8) & 0xFFu];
    code[i] = static_cast<std::uint16_t>(len[i] > 0 ? r >> (16 - len[i]) : 0u);
  }
}

// Bits of 0x80 at the bytes of x that are 0 (exactly: no borrow from one byte to the next).
inline std::uint64_t zero_bytes(std::uint64_t x) {
  constexpr std::uint64_t k7f = 0x7f7f7f7f7f7f7f7fULL;
  return ~(((x & k7f) + k7f) | x | k7f);
}

// One block: data[0, n) as literals and runs, its codes, then the codes' data.
void write_block(const std::uint8_t* data, std::size_t n, bool last, BitWriter& out,
                 std::vector<std::uint16_t>& tokens) {
  // Tokens, at most one a byte: a byte value, or 256 + a run length that repeats the byte
  // before (distance 1). A byte followed by at least three of its value is a literal and
  // runs; any other byte, a literal (a run of 1 or 2 would cost more than its literals).
  if (tokens.size() < n) tokens.resize(n);
  std::uint16_t* tok = tokens.data();
  std::array<std::uint32_t, kLitLenSymbols> freq{};
  std::size_t i = 0;
  for (;;) {
    // Eight bytes at a time: the zero bytes of the difference of the words at i and i + 1
    // are the bytes equal to the next, and a run starts where three in a row are. Bytes
    // i to i + 5 are read whole; up to the first run's start, all are literals (the bytes
    // of random mantissas, mostly). Without a run among them, six literals at once.
    std::size_t lits = 0;
    bool run = true;  // whether a run starts after the literals
    if (i + 9 <= n) {
      std::uint64_t w0, w1;
      std::memcpy(&w0, data + i, 8);
      std::memcpy(&w1, data + i + 1, 8);
      const std::uint64_t z = zero_bytes(w0 ^ w1);
      const std::uint64_t starts = z & (z >> 8) & (z >> 16) & 0x0000808080808080ULL;
      run = starts != 0;
      lits = run ? static_cast<std::size_t>(__builtin_ctzll(starts) / 8) : 6;
    } else {
      // The last bytes, one by one.
      if (i >= n) break;
      const std::uint8_t b = data[i];
      run = i + 3 < n && data[i + 1] == b && data[i + 2] == b && data[i + 3] == b;
      lits = run ? 0 : 1;
    }
    for (std::size_t k = 0; k < lits; ++k) {
      const std::uint8_t b = data[i + k];
      tok[k] = b;
      ++freq[b];
    }
    tok += lits;
    i += lits;
    if (!run) continue;
    // A run starts at i: its byte as a literal, then the repeats as run tokens.
    const std::uint8_t b = data[i];
    // The run's end, eight bytes at a time: the first byte that differs is the lowest
    // nonzero byte of the difference (little-endian).
    std::size_t j = i + 4;
    const std::uint64_t all_b = 0x0101010101010101ULL * b;
    for (;;) {
      if (j + 8 > n) {
        while (j < n && data[j] == b) ++j;
        break;
      }
      std::uint64_t word;
      std::memcpy(&word, data + j, 8);
      const std::uint64_t diff = word ^ all_b;
      if (diff != 0) {
        j += static_cast<std::size_t>(__builtin_ctzll(diff) / 8);
        break;
      }
      j += 8;
    }
    *tok++ = b;
    ++freq[b];
    std::size_t rest = j - i - 1;
    for (; rest >= 3; rest -= std::min<std::size_t>(rest, kMaxRun)) {
      const auto len = static_cast<int>(std::min<std::size_t>(rest, kMaxRun));
      *tok++ = static_cast<std::uint16_t>(256 + len);
      ++freq[kLengths.sym[len]];
    }
    for (; rest > 0; --rest) {  // 1 or 2 left: shorter than a run can be
      *tok++ = b;
      ++freq[b];
    }
    i = j;
  }
  const std::uint16_t* const tok_end = tok;
  freq[kEndOfBlock] = 1;

  std::array<std::uint8_t, kLitLenSymbols> len{};
  huffman_lengths(freq.data(), kLitLenSymbols, 15, len.data());
  std::array<std::uint16_t, kLitLenSymbols> code{};
  canonical_codes(len.data(), kLitLenSymbols, code.data());
  int hlit = kLitLenSymbols;
  while (hlit > 257 && len[static_cast<std::size_t>(hlit - 1)] == 0) --hlit;

  // The code lengths of the literal/length code, then of the distance code: two codes of
  // one bit (a complete code, which every inflate accepts), of which only distance 1 (code
  // 0) is used. Runs of zero lengths as symbols 17 (3-10) and 18 (11-138).
  std::array<std::uint8_t, kLitLenSymbols + 2> lens{};
  std::copy(len.begin(), len.begin() + hlit, lens.begin());
  lens[static_cast<std::size_t>(hlit)] = 1;
  lens[static_cast<std::size_t>(hlit) + 1] = 1;
  const int total = hlit + 2;
  std::array<std::uint8_t, kLitLenSymbols + 2> cl_sym{}, cl_extra{};
  std::array<std::uint32_t, 19> cl_freq{};
  int ncl = 0;
  for (int k = 0; k < total;) {
    int zeros = 0;
    while (k + zeros < total && zeros < 138 && lens[static_cast<std::size_t>(k + zeros)] == 0) ++zeros;
    if (zeros >= 3) {
      const int s = zeros >= 11 ? 18 : 17;
      cl_sym[static_cast<std::size_t>(ncl)] = static_cast<std::uint8_t>(s);
      cl_extra[static_cast<std::size_t>(ncl++)] = static_cast<std::uint8_t>(zeros - (s == 18 ? 11 : 3));
      ++cl_freq[static_cast<std::size_t>(s)];
      k += zeros;
    } else {
      const std::uint8_t l = lens[static_cast<std::size_t>(k++)];
      cl_sym[static_cast<std::size_t>(ncl++)] = l;
      ++cl_freq[l];
    }
  }
  std::array<std::uint8_t, 19> cl_len{};
  huffman_lengths(cl_freq.data(), 19, 7, cl_len.data());
  // A lone symbol's code is one bit, half a code: a partner of one bit completes it.
  if (std::count_if(cl_len.begin(), cl_len.end(), [](std::uint8_t l) { return l > 0; }) == 1)
    *std::find(cl_len.begin(), cl_len.end(), std::uint8_t{0}) = 1;
  std::array<std::uint16_t, 19> cl_code{};
  canonical_codes(cl_len.data(), 19, cl_code.data());
  int hclen = 19;
  while (hclen > 4 && cl_len[static_cast<std::size_t>(kCodeLengthOrder[hclen - 1])] == 0) --hclen;

  // Header (RFC 1951 3.2.7): BFINAL, BTYPE 2 (dynamic), HLIT, HDIST, HCLEN, the lengths.
  // The writer is a local copy (registers, not memory, in the loop over the tokens).
  BitWriter w = out;
  w.put(last ? 1u : 0u, 1);
  w.put(2, 2);
  w.put(static_cast<std::uint32_t>(hlit - 257), 5);
  w.put(1, 5);  // HDIST - 1: two distance codes
  w.put(static_cast<std::uint32_t>(hclen - 4), 4);
  for (int k = 0; k < hclen; ++k) w.put(cl_len[static_cast<std::size_t>(kCodeLengthOrder[k])], 3);
  for (int k = 0; k < ncl; ++k) {
    const std::uint8_t s = cl_sym[static_cast<std::size_t>(k)];
    w.put(cl_code[s], cl_len[s]);
    if (s == 17) w.put(cl_extra[static_cast<std::size_t>(k)], 3);
    if (s == 18) w.put(cl_extra[static_cast<std::size_t>(k)], 7);
  }
  // The data, one put a token: a token's bits from a table of every token value (a
  // run's are its length code, extra bits and distance code 0: at most 21 bits).
  std::array<std::uint32_t, 256 + kMaxRun + 1> bits{};
  std::array<std::uint8_t, 256 + kMaxRun + 1> nbits{};
  for (int t = 0; t < 256; ++t) {
    bits[static_cast<std::size_t>(t)] = code[static_cast<std::size_t>(t)];
    nbits[static_cast<std::size_t>(t)] = len[static_cast<std::size_t>(t)];
  }
  for (int l = 3; l <= kMaxRun; ++l) {
    const auto s = static_cast<std::size_t>(kLengths.sym[static_cast<std::size_t>(l)]);
    const int b = len[s], e = kLengths.extra_bits[static_cast<std::size_t>(l)];
    bits[static_cast<std::size_t>(256 + l)] =
        code[s] | (static_cast<std::uint32_t>(kLengths.extra[static_cast<std::size_t>(l)]) << b);
    nbits[static_cast<std::size_t>(256 + l)] = static_cast<std::uint8_t>(b + e + 1);
  }
  // Two tokens a put (at most 42 bits, which with the 7 pending fit the 64-bit buffer).
  const std::uint16_t* q = tokens.data();
  for (; q + 2 <= tok_end; q += 2) {
    const int n0 = nbits[q[0]];
    w.put(static_cast<std::uint64_t>(bits[q[0]]) | static_cast<std::uint64_t>(bits[q[1]]) << n0,
          n0 + nbits[q[1]]);
  }
  if (q != tok_end) w.put(bits[*q], nbits[*q]);
  w.put(code[kEndOfBlock], len[kEndOfBlock]);
  out = w;
}

}  // namespace

// (The words' bytes are the elements' bytes in memory order on a little-endian host only.)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr bool kLittleEndian = true;
#else
constexpr bool kLittleEndian = false;
#endif

// One swap of a byte-matrix transpose: the bytes of `a` that `mask` selects after a shift
// down by `shift` bits trade places with the bytes of `b` that it selects.
inline void swap_bytes(std::uint64_t& a, std::uint64_t& b, int shift, std::uint64_t mask) {
  const std::uint64_t t = ((a >> shift) ^ b) & mask;
  b ^= t;
  a ^= t << shift;
}
constexpr std::uint64_t kOddBytes = 0x00FF00FF00FF00FFULL;  // each pair's low byte
constexpr std::uint64_t kLowPairs = 0x0000FFFF0000FFFFULL;  // each quad's low pair
constexpr std::uint64_t kLowHalf = 0x00000000FFFFFFFFULL;

// HDF5's shuffle filter: byte j of element i to out[j * elems + i]. Eight- and four-byte
// elements (every shuffled chunk of the files) eight at a time, as byte matrices
// transposed in 64-bit registers by rounds of swaps (bytes, pairs, quads between rows 1, 2
// and 4 apart), a word stored per plane: the byte loop, one load and store a byte, was 4%
// of a summary sweep. Other sizes, and the last elements, byte by byte.
void shuffle_bytes(const unsigned char* raw, std::size_t elems, std::size_t elem, unsigned char* out) {
  std::size_t i0 = 0;
  if (elem == 8 && kLittleEndian) {
    for (; i0 + 8 <= elems; i0 += 8) {
      std::uint64_t r[8];
      std::memcpy(r, raw + i0 * 8, sizeof r);  // r[i]'s byte b: byte b of element i0 + i
      for (int i = 0; i < 8; i += 2) swap_bytes(r[i], r[i + 1], 8, kOddBytes);
      for (int i : {0, 1, 4, 5}) swap_bytes(r[i], r[i + 2], 16, kLowPairs);
      for (int i = 0; i < 4; ++i) swap_bytes(r[i], r[i + 4], 32, kLowHalf);
      // Now r[j]'s byte i is byte j of element i0 + i.
      for (std::size_t j = 0; j < 8; ++j) std::memcpy(out + j * elems + i0, &r[j], 8);
    }
  }
  if (elem == 4 && kLittleEndian) {
    // Eight four-byte elements as two 4x4 byte matrices side by side in four words (word i:
    // element i in its low half, element i + 4 in its high half), transposed in two rounds.
    for (; i0 + 8 <= elems; i0 += 8) {
      std::uint64_t w[4];
      std::memcpy(w, raw + i0 * 4, sizeof w);  // w[k]: elements 2k (low) and 2k + 1
      std::uint64_t r[4] = {(w[0] & kLowHalf) | (w[2] << 32), (w[0] >> 32) | (w[2] & ~kLowHalf),
                            (w[1] & kLowHalf) | (w[3] << 32), (w[1] >> 32) | (w[3] & ~kLowHalf)};
      for (int i = 0; i < 4; i += 2) swap_bytes(r[i], r[i + 1], 8, kOddBytes);
      for (int i = 0; i < 2; ++i) swap_bytes(r[i], r[i + 2], 16, kLowPairs);
      // Now r[j]'s byte i is byte j of element i0 + i.
      for (std::size_t j = 0; j < 4; ++j) std::memcpy(out + j * elems + i0, &r[j], 8);
    }
  }
  for (std::size_t j = 0; j < elem; ++j) {
    unsigned char* d = out + j * elems;
    const unsigned char* s = raw + j;
    for (std::size_t i = i0; i < elems; ++i) d[i] = s[i * elem];
  }
}

void huffman_lengths(const std::uint32_t* freq, int n, int limit, std::uint8_t* len) {
  if (n < 0 || n > kMaxSymbols)
    throw std::invalid_argument("huffman_lengths: at most " + std::to_string(kMaxSymbols) +
                                " symbols, not " + std::to_string(n));
  // On the stack, and the leaves sorted as keys (frequency, then symbol) with std::sort:
  // the order stable_sort by frequency gives, without its buffer or any allocation (this
  // runs once a block: for the small blocks of a sweep of a few thousand runs, its
  // vectors and buffered sort were a sixth of the encoder's instructions).
  std::array<std::uint32_t, kMaxSymbols> f{};
  std::copy(freq, freq + n, f.begin());
  std::array<std::uint64_t, kMaxSymbols> key{};
  std::array<std::uint64_t, 2 * kMaxSymbols> weight{};
  std::array<int, 2 * kMaxSymbols> parent{}, depth{};
  for (;;) {
    std::fill(len, len + n, std::uint8_t{0});
    int m = 0;
    for (int i = 0; i < n; ++i)
      if (f[static_cast<std::size_t>(i)] > 0)
        key[static_cast<std::size_t>(m++)] =
            static_cast<std::uint64_t>(f[static_cast<std::size_t>(i)]) << 16 | static_cast<std::uint64_t>(i);
    if (m == 0) return;
    auto symbol = [&key](int i) { return static_cast<int>(key[static_cast<std::size_t>(i)] & 0xFFFF); };
    if (m == 1) {
      len[symbol(0)] = 1;
      return;
    }
    // Two queues: the leaves by weight, and the merged nodes, made in increasing weight.
    std::sort(key.begin(), key.begin() + m);
    for (int i = 0; i < m; ++i) weight[static_cast<std::size_t>(i)] = key[static_cast<std::size_t>(i)] >> 16;
    int leaf = 0, inner = m;
    auto take = [&](int made) {
      if (leaf < m && (inner >= made || weight[static_cast<std::size_t>(leaf)] <= weight[static_cast<std::size_t>(inner)]))
        return leaf++;
      return inner++;
    };
    for (int made = m; made < 2 * m - 1; ++made) {
      const int a = take(made), b = take(made);
      weight[static_cast<std::size_t>(made)] = weight[static_cast<std::size_t>(a)] + weight[static_cast<std::size_t>(b)];
      parent[static_cast<std::size_t>(a)] = parent[static_cast<std::size_t>(b)] = made;
    }
    // Depths from the root (the last node) down: a parent comes after its children.
    int longest = 0;
    depth[static_cast<std::size_t>(2 * m - 2)] = 0;
    for (int i = 2 * m - 3; i >= 0; --i) {
      depth[static_cast<std::size_t>(i)] = depth[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])] + 1;
      if (i < m) longest = std::max(longest, depth[static_cast<std::size_t>(i)]);
    }
    if (longest <= limit) {
      for (int i = 0; i < m; ++i) len[symbol(i)] = static_cast<std::uint8_t>(depth[static_cast<std::size_t>(i)]);
      return;
    }
    for (int i = 0; i < n; ++i) {
      auto& x = f[static_cast<std::size_t>(i)];
      if (x > 0) x = (x + 1) / 2;
    }
  }
}

std::size_t deflate_runs_bound(std::size_t n, std::size_t plane) {
  const std::size_t blocks = plane == 0 || plane >= n ? 1 : (n + plane - 1) / plane;
  // zlib header and Adler-32; per block a header of at most 3 + 14 + 19 * 3 + 288 * 7
  // bits and an end code of 15 (~265 bytes); per byte at most one token of 15 + 5 + 1 bits.
  return 2 + 4 + blocks * 300 + (n * 21 + 7) / 8 + 8;
}

std::size_t deflate_runs(const std::uint8_t* data, std::size_t n, std::size_t plane,
                         std::uint32_t adler, std::uint8_t* out,
                         std::vector<std::uint16_t>& tokens) {
  BitWriter w{out};
  // zlib header: deflate with a 32 KiB window, no dictionary, check bits (RFC 1950 2.2).
  w.put(0x78, 8);
  w.put(0x01, 8);
  if (plane == 0 || plane > n) plane = n;
  std::size_t start = 0;
  do {
    const std::size_t end = std::min(n, start + plane);
    write_block(data + start, end - start, end == n, w, tokens);
    start = end;
  } while (start < n);
  w.flush();
  for (int k = 3; k >= 0; --k) *w.p++ = static_cast<std::uint8_t>(adler >> (8 * k));
  return static_cast<std::size_t>(w.p - out);
}

}  // namespace sovcap::outfile

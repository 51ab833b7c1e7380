// The run-length deflate encoder of the results writer (sim/sovcap/output/run_deflate.hpp):
// every stream it writes must inflate, with zlib (what HDF5's deflate filter uses), to the
// bytes it was given, and its Huffman codes must be complete and within deflate's limits.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "sovcap/output/run_deflate.hpp"

namespace {

using sovcap::outfile::deflate_runs;
using sovcap::outfile::deflate_runs_bound;
using sovcap::outfile::huffman_lengths;
using sovcap::outfile::shuffle_bytes;
using Bytes = std::vector<std::uint8_t>;

// The stream of data in planes of `plane` bytes.
Bytes compress(const Bytes& data, std::size_t plane) {
  Bytes out(deflate_runs_bound(data.size(), plane));
  std::vector<std::uint16_t> tokens;
  const auto adler = static_cast<std::uint32_t>(
      adler32(adler32(0L, Z_NULL, 0), data.data(), static_cast<uInt>(data.size())));
  const std::size_t size = deflate_runs(data.data(), data.size(), plane, adler, out.data(), tokens);
  EXPECT_LE(size, out.size());
  out.resize(size);
  return out;
}

// zlib's inflate of a whole stream, checking its Adler-32; empty if it fails.
Bytes inflate(const Bytes& stream, std::size_t size) {
  Bytes out(size + 1);
  uLongf n = static_cast<uLongf>(out.size());
  if (uncompress(out.data(), &n, stream.data(), static_cast<uLong>(stream.size())) != Z_OK) return {};
  out.resize(n);
  return out;
}

double kraft_sum(const std::vector<std::uint8_t>& len) {
  double sum = 0.0;
  for (auto l : len)
    if (l > 0) sum += std::ldexp(1.0, -l);
  return sum;
}

TEST(RunDeflate, RandomInputsInflateToThemselves) {
  std::mt19937 gen(20261203);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t n = 1 + gen() % 5000;
    Bytes data(n);
    const int kind = trial % 5;
    for (auto& b : data) {
      switch (kind) {
        case 0: b = static_cast<std::uint8_t>(gen()); break;  // no runs
        case 1: b = 0; break;                                   // one run
        case 2: b = gen() % 4 == 0 ? static_cast<std::uint8_t>(gen()) : 0; break;  // sparse
        case 3: b = static_cast<std::uint8_t>(gen() % 3); break;  // few values
        default: {  // geometric: codes of very different lengths
          int v = 0;
          while (v < 255 && gen() % 2) ++v;
          b = static_cast<std::uint8_t>(v);
        }
      }
    }
    const std::size_t plane = trial % 2 ? n : 1 + gen() % n;  // one block, or several
    ASSERT_EQ(inflate(compress(data, plane), n), data) << "trial " << trial << ", kind " << kind;
  }
}

TEST(RunDeflate, RunsAroundTheLongestLengthInflate) {
  // Runs of every length 1-600 (258 is the longest a token holds; 1 or 2 left over are
  // literals), each of a byte value other than its neighbours'.
  Bytes data;
  for (int len = 1; len <= 600; ++len) data.insert(data.end(), static_cast<std::size_t>(len), static_cast<std::uint8_t>(len % 2 ? 7 : 9));
  EXPECT_EQ(inflate(compress(data, data.size()), data.size()), data);
  EXPECT_EQ(inflate(compress(data, 1000), data.size()), data);
}

TEST(RunDeflate, RunsAtEveryOffsetNearBlockEndsInflate) {
  // The encoder looks for runs eight bytes at a time and byte by byte in a block's last
  // bytes: a run of every length 1-12 at every offset of blocks of 1-40 bytes, between
  // bytes that differ from their neighbours.
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t at = 0; at < n; ++at)
      for (std::size_t len = 1; at + len <= n && len <= 12; ++len) {
        Bytes data(n);
        for (std::size_t k = 0; k < n; ++k) data[k] = static_cast<std::uint8_t>(k * 37 + 1);
        for (std::size_t k = at; k < at + len; ++k) data[k] = 0;
        ASSERT_EQ(inflate(compress(data, n), n), data) << n << " bytes, run of " << len << " at " << at;
      }
}

TEST(RunDeflate, FourEqualBytesAreALiteralAndARun) {
  // A byte and three repeats of it are a literal and a run of 3 (three tokens a group of
  // 0 0 0 0 x); three equal bytes are three literals (five tokens a group of 0 0 0 x x):
  // the first stream is the smaller, though both hold 5,000 bytes of the same 201 values.
  Bytes runs, lits;
  for (int g = 0; g < 1000; ++g) {
    const auto other = static_cast<std::uint8_t>(1 + g % 200);
    runs.insert(runs.end(), {0, 0, 0, 0, other});
    lits.insert(lits.end(), {0, 0, 0, other, other});
  }
  const Bytes a = compress(runs, runs.size()), b = compress(lits, lits.size());
  EXPECT_EQ(inflate(a, runs.size()), runs);
  EXPECT_EQ(inflate(b, lits.size()), lits);
  EXPECT_LT(a.size(), b.size());
}

TEST(RunDeflate, OneLongRunIsAFewBitsPerToken) {
  const Bytes zeros(1000000, 0);
  const Bytes stream = compress(zeros, zeros.size());
  EXPECT_EQ(inflate(stream, zeros.size()), zeros);
  // 3,876 tokens of 258 (and a literal): a few bits each, with the block header.
  EXPECT_LT(stream.size(), 2000u);
}

TEST(RunDeflate, RandomBytesStayWithinTheBound) {
  std::mt19937 gen(7);
  Bytes data(100000);
  for (auto& b : data) b = static_cast<std::uint8_t>(gen());
  const Bytes stream = compress(data, 25000);
  EXPECT_EQ(inflate(stream, data.size()), data);
  // Random bytes cannot shrink: about 8 bits a byte, plus four block headers.
  EXPECT_GT(stream.size(), data.size());
  EXPECT_LT(stream.size(), data.size() + 4 * 300 + 10);
}

TEST(RunDeflate, ShuffleMovesByteJOfElementIToPlaneJ) {
  // Every element size the files use, and counts around the eight elements at a time of
  // the four- and eight-byte paths, against the definition of HDF5's shuffle filter.
  std::mt19937 gen(20261204);
  for (std::size_t elem : {1u, 2u, 4u, 8u})
    for (std::size_t elems = 1; elems <= 41; ++elems) {
      Bytes raw(elems * elem), out(elems * elem), expected(elems * elem);
      for (auto& b : raw) b = static_cast<std::uint8_t>(gen());
      for (std::size_t i = 0; i < elems; ++i)
        for (std::size_t j = 0; j < elem; ++j) expected[j * elems + i] = raw[i * elem + j];
      shuffle_bytes(raw.data(), elems, elem, out.data());
      ASSERT_EQ(out, expected) << elems << " elements of " << elem << " bytes";
    }
}

TEST(RunDeflate, HuffmanLengthsHandWorked) {
  // Frequencies 1, 1, 2, 4 (and an unused symbol): merge 1+1, then 2+2, then 4+4.
  const std::uint32_t freq[5] = {1, 1, 0, 2, 4};
  std::vector<std::uint8_t> len(5);
  huffman_lengths(freq, 5, 15, len.data());
  EXPECT_EQ(len, (std::vector<std::uint8_t>{3, 3, 0, 2, 1}));
  // One used symbol: one bit.
  const std::uint32_t one[3] = {0, 5, 0};
  std::vector<std::uint8_t> len1(3);
  huffman_lengths(one, 3, 15, len1.data());
  EXPECT_EQ(len1, (std::vector<std::uint8_t>{0, 1, 0}));
}

TEST(RunDeflate, HuffmanLengthsRefuseMoreSymbolsThanDeflateHas) {
  // The working arrays are sized for deflate's largest alphabet (288 symbols).
  std::vector<std::uint32_t> freq(sovcap::outfile::kMaxSymbols + 1, 1);
  std::vector<std::uint8_t> len(freq.size());
  EXPECT_THROW(huffman_lengths(freq.data(), static_cast<int>(freq.size()), 15, len.data()),
               std::invalid_argument);
  freq.pop_back();
  len.pop_back();
  huffman_lengths(freq.data(), static_cast<int>(freq.size()), 15, len.data());
  EXPECT_DOUBLE_EQ(kraft_sum(len), 1.0);
}

TEST(RunDeflate, HuffmanLengthsKeepToTheLimitAndStayComplete) {
  // Fibonacci frequencies: the optimal code of 30 of them is 29 bits deep, beyond both
  // deflate limits (15 and 7).
  std::vector<std::uint32_t> freq(30);
  freq[0] = freq[1] = 1;
  for (std::size_t i = 2; i < freq.size(); ++i) freq[i] = freq[i - 1] + freq[i - 2];
  for (const int limit : {15, 7}) {
    std::vector<std::uint8_t> len(freq.size());
    huffman_lengths(freq.data(), static_cast<int>(freq.size()), limit, len.data());
    EXPECT_LE(*std::max_element(len.begin(), len.end()), limit);
    EXPECT_GE(*std::min_element(len.begin(), len.end()), 1);
    EXPECT_DOUBLE_EQ(kraft_sum(len), 1.0);
  }
  // And a stream whose literals have those frequencies inflates.
  Bytes data;
  for (std::size_t s = 0; s < 25; ++s)
    for (std::uint32_t k = 0; k < freq[s]; ++k) data.push_back(static_cast<std::uint8_t>(s * 10));
  std::shuffle(data.begin(), data.end(), std::mt19937(3));
  EXPECT_EQ(inflate(compress(data, data.size()), data.size()), data);
}

TEST(RunDeflate, RandomFrequenciesGiveCompleteCodes) {
  std::mt19937 gen(11);
  for (int trial = 0; trial < 500; ++trial) {
    const int n = 2 + static_cast<int>(gen() % 285);
    std::vector<std::uint32_t> freq(static_cast<std::size_t>(n));
    for (auto& f : freq) f = gen() % 3 == 0 ? 0u : static_cast<std::uint32_t>(1 + gen() % (1u << (gen() % 20)));
    freq[0] = freq[1] = 1;  // two used symbols at least
    std::vector<std::uint8_t> len(static_cast<std::size_t>(n));
    huffman_lengths(freq.data(), n, 15, len.data());
    EXPECT_DOUBLE_EQ(kraft_sum(len), 1.0) << "trial " << trial;
    for (int i = 0; i < n; ++i) EXPECT_EQ(len[static_cast<std::size_t>(i)] > 0, freq[static_cast<std::size_t>(i)] > 0);
  }
}

}  // namespace

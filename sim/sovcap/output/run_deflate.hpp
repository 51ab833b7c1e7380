#pragma once
// A deflate encoder for shuffled chunks that are mostly runs of one byte value between
// bytes with no pattern: the per-run shares and held-back MW of a summary-mode file
// (exact zeros, small counts, random mantissas). It finds runs only (LZ77 matches at
// distance 1), which is what zlib's Z_RLE strategy found on these chunks, and writes one
// dynamic-Huffman block per byte plane, so that the exponents' and the mantissas' bytes
// get codes of their own. A general compressor (libdeflate) searches every byte for
// earlier matches that these chunks do not have: this takes under half its time at the
// same size. The result is a standard zlib stream (RFC 1950/1951), as HDF5's deflate
// filter reads. Also here: the byte shuffle that comes before either encoder.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sovcap::outfile {

// HDF5's shuffle filter, which the writer applies before either deflate encoder: byte j of
// element i of raw (elems elements of elem bytes) to out[j * elems + i].
void shuffle_bytes(const unsigned char* raw, std::size_t elems, std::size_t elem, unsigned char* out);

// Huffman code lengths for the n frequencies freq, none above limit (15 for literals and
// lengths, 7 for the code-length code): optimal where the optimal code fits; otherwise
// the frequencies are halved (rounding up, so that no used symbol drops out) until it
// does. Unused symbols get 0; with two or more used symbols the code is complete. At most
// kMaxSymbols symbols (deflate's largest alphabet); more throw std::invalid_argument.
inline constexpr int kMaxSymbols = 288;
void huffman_lengths(const std::uint32_t* freq, int n, int limit, std::uint8_t* len);

// The most bytes deflate_runs writes for n bytes in planes of `plane` bytes.
std::size_t deflate_runs_bound(std::size_t n, std::size_t plane);

// Writes to out a zlib stream of data[0, n): one block per `plane` bytes (the last one may
// be shorter; 0 or above n: one block), ending with adler, the Adler-32 of the data
// (computed by the caller, with libdeflate's fast one). Returns the stream's size.
// tokens is working space, kept by the caller from chunk to chunk.
std::size_t deflate_runs(const std::uint8_t* data, std::size_t n, std::size_t plane,
                         std::uint32_t adler, std::uint8_t* out,
                         std::vector<std::uint16_t>& tokens);

}  // namespace sovcap::outfile

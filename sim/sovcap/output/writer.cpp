#include <algorithm>
#include <cerrno>
#include <cstdio>

#include <libdeflate.h>

#include "sovcap/output/detail.hpp"
#include "sovcap/output/run_deflate.hpp"

namespace sovcap {
namespace {

using namespace outfile;

// Byte shuffle (HDF5's shuffle filter) then a zlib stream (what its deflate filter
// inflates) of one chunk: by deflate_runs where the variable's chunks are runs between
// random bytes, else by libdeflate. libdeflate, not zlib: it compresses a whole buffer in
// one call, at level 1 within 3% of zlib's level 2 on a summary-mode sweep's variables in
// half to four fifths of the time (compression was a third of such a sweep).
void compress_chunk(const unsigned char* raw, std::size_t elems, std::size_t elem, bool runs_only,
                    BlockScratch& scratch, Bytes& out) {
  const std::size_t bytes = elems * elem;
  const unsigned char* src = raw;
  if (elem > 1 && elems > 1) {
    Bytes& shuffled = scratch.shuffled;
    if (shuffled.size() < bytes) shuffled.resize(bytes);  // only grown: a resize zero-fills
    shuffle_bytes(raw, elems, elem, shuffled.data());
    src = shuffled.data();
  }
  Bytes& work = scratch.work;
  std::size_t size = 0;
  if (runs_only) {
    // A block per byte plane: the shuffle put each byte of the elements in one.
    const std::size_t bound = deflate_runs_bound(bytes, elems);
    if (work.size() < bound) work.resize(bound);
    size = deflate_runs(src, bytes, elems, libdeflate_adler32(1, src, bytes), work.data(),
                        scratch.tokens);
  } else {
    if (!scratch.compressor) {
      scratch.compressor.reset(libdeflate_alloc_compressor(kDeflateLevel));
      if (!scratch.compressor) throw OutputError("cannot compress a chunk: out of memory");
    }
    libdeflate_compressor* c = scratch.compressor.get();
    const std::size_t bound = libdeflate_zlib_compress_bound(c, bytes);
    if (work.size() < bound) work.resize(bound);
    size = libdeflate_zlib_compress(c, src, bytes, work.data(), work.size());
    if (size == 0) throw OutputError("cannot compress a chunk: libdeflate's bound was too small");
  }
  out.assign(work.begin(), work.begin() + static_cast<std::ptrdiff_t>(size));
}

// Writes the whole file to disk before it is renamed or kept.
}  // namespace

void PreparedBlockDeleter::operator()(PreparedBlock* b) const { delete b; }

void BlockScratch::CompressorDeleter::operator()(libdeflate_compressor* c) const {
  libdeflate_free_compressor(c);
}

void OutputFile::Impl::check_record(const RunRecord& rec) const {
  const OutputLayout& l = schema.layout;
  const std::string w = where(rec.run);
  if (rec.run < l.first_run || rec.run >= l.first_run + l.runs)
    throw OutputError(w + "the file holds runs " + std::to_string(l.first_run) + ".." +
                      std::to_string(l.first_run + l.runs - 1));
  if (!rec.params || !rec.result) throw OutputError(w + "no parameters or results given");
  const RunParams& params = *rec.params;
  const RunResult& result = *rec.result;
  const auto nc = static_cast<Eigen::Index>(l.iso3.size());
  const auto nt = static_cast<Eigen::Index>(schema.dim[kTime]);
  if (params.countries.iso3 != l.iso3) throw OutputError(w + "its countries differ from the file's");
  if (params.sim.steps() != l.steps || !same_value(params.sim.start_year, l.start_year) ||
      !same_value(params.sim.dt, l.dt))
    throw OutputError(w + "its time axis (start_year, dt, steps) differs from the file's");
  if (params.countries.values.rows() != nc || params.countries.values.cols() != kNumCountryParams ||
      params.countries.targets.size() != l.iso3.size())
    throw OutputError(w + "country parameters have the wrong shape");
  for (const auto& t : params.countries.targets)
    if (t.size() > schema.dim[kTarget])
      throw OutputError(w + std::to_string(t.size()) + " targets, the file has room for " +
                        std::to_string(schema.dim[kTarget]));
  if (!params.global.schedules.empty() || !params.countries.schedules.empty()) {
    // Every schedule must have its variables and room for its points.
    auto check = [&](const ParamSchedule& s, bool global) {
      const bool known = global ? schema.scheduled_global[static_cast<std::size_t>(s.param)]
                                : schema.scheduled_country[static_cast<std::size_t>(s.param)];
      if (!known)
        throw OutputError(w + "it schedules " + (global ? "global." : "country.") +
                          std::string(global ? spec(static_cast<GlobalParam>(s.param)).name
                                             : spec(static_cast<CountryParam>(s.param)).name) +
                          ", which the file has no schedule for");
      if (s.points.size() > schema.dim[kSchedule])
        throw OutputError(w + "a schedule of " + std::to_string(s.points.size()) +
                          " points, the file has room for " + std::to_string(schema.dim[kSchedule]));
    };
    for (const auto& s : params.global.schedules) check(s, true);
    for (const auto& s : params.countries.schedules) check(s, false);
  }
  if (params.global.supply_shocks.size() > schema.dim[kShock])
    throw OutputError(w + std::to_string(params.global.supply_shocks.size()) +
                      " supply shocks, the file has room for " + std::to_string(schema.dim[kShock]));
  const bool full = l.store == StoreMode::full;
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const auto series = static_cast<CountrySeries>(s);
    if (!full && !std::binary_search(l.keep.begin(), l.keep.end(), series)) continue;
    if (result.country[s].rows() != nc || result.country[s].cols() != nt)
      throw OutputError(w + "result " + series_name(series) + " is not [country, time]");
  }
  if (!full)
    for (auto series : kHorizonSources) {
      const auto i = static_cast<std::size_t>(series);
      const bool has_last = result.last[i].size() == nc;
      const bool has_series = result.country[i].rows() == nc && result.country[i].cols() == nt;
      if (!has_last && !has_series)
        throw OutputError(w + "result " + series_name(series) +
                          " has neither its value at the horizon nor its trajectory");
    }
  for (int s = 0; s < kNumRunSeries; ++s)
    if (result.run[s].size() != nt)
      throw OutputError(w + "result " + std::string(info(static_cast<RunSeries>(s)).name) +
                        " is not [time]");
  if (result.year_target_reached.size() != nc || result.year_gw_reached.size() != nc ||
      result.bottleneck_steps.rows() != nc || result.bottleneck_steps.cols() != kNumBottlenecks)
    throw OutputError(w + "per-country summaries have the wrong shape");
  if (result.held_back_sum.rows() != nc || result.held_back_sum.cols() != kNumBottlenecks)
    throw OutputError(w + "result held_back_sum is not [country, constraint]");
  if ((full || l.keep_held_back) &&
      (result.held_back.rows() != nc * kNumBottlenecks || result.held_back.cols() != nt))
    throw OutputError(w + "result held_back_mw is not [country, time, constraint]");
  if (result.held_back_period.rows() != nc ||
      result.held_back_period.cols() != static_cast<Eigen::Index>(kNumBottlenecks * schema.dim[kPeriod]))
    throw OutputError(w + "result held_back_period is not [country, constraint, period]");
  const auto& sw = l.sweep;
  if (rec.info.lever_choice.size() != sw.lever_keys.size())
    throw OutputError(w + std::to_string(rec.info.lever_choice.size()) + " lever choices for " +
                      std::to_string(sw.lever_keys.size()) + " levers");
  for (std::size_t k = 0; k < sw.lever_keys.size(); ++k) {
    const int c = rec.info.lever_choice[k];
    if (c < 0 || static_cast<std::size_t>(c) >= sw.lever_values[k].size())
      throw OutputError(w + "lever " + sw.lever_keys[k] + " has no value " + std::to_string(c));
  }
  if (rec.info.sampled.size() != sw.uncertain_keys.size())
    throw OutputError(w + std::to_string(rec.info.sampled.size()) + " sampled values for " +
                      std::to_string(sw.uncertain_keys.size()) + " uncertain keys");
}

void OutputFile::Impl::flush_now() {
  disk->begin_save();
  h5::flush(file.get());
  disk->checkpoint();
  saved();
}

void OutputFile::Impl::reopen() {
  close_all();
  file = h5::open_file(temp.path, true, access.get());
  open_vars();
}

void OutputFile::Impl::close_all() {
  // Closing flushes the chunk caches: write errors (a full disk) surface here. Debian's
  // HDF5 1.10.8 then keeps a half-closed file that crashes the process at exit (fixed
  // upstream in HDFGroup/hdf5#2291); the error is reported before that, and the partial
  // is as of its last save.
  disk->begin_save();
  for (auto& v : vars) v.close();
  vars.clear();
  for (auto& c : coords) c.close();
  coords.clear();
  file.close();
  disk->checkpoint();
  saved();
}

void OutputFile::Impl::open_vars() {
  for (const auto& v : schema.vars) vars.push_back(h5::open_dataset(file.get(), v.name, v.cache_bytes));
  h5::hold_metadata_until_flush(file.get());
}

void OutputFile::Impl::saved() {
  last_flush = std::chrono::steady_clock::now();
  // Saved runs are the user's work: from now on a failure keeps the partial for --resume.
  if (runs_written > 0) temp.keep = true;
}

void OutputFile::Impl::let_go() {
  closed = true;
  temp.keep = true;
  disk.reset();
  lock->release();
}

OutputFile::OutputFile() : impl_(std::make_unique<Impl>()) {}

OutputFile::OutputFile(const std::string& path, bool overwrite, const OutputLayout& layout,
                       const OutputMetadata& meta)
    : impl_(std::make_unique<Impl>()) {
  Impl& im = *impl_;
  im.path = path;
  im.overwrite = overwrite;
  im.schema = build_schema(layout, path);
  check_output_path(path, overwrite);
  im.lock = std::make_unique<OutputLock>(path);
  const std::string partial = path + kPartialSuffix;
  std::error_code ec;
  // Checked again under the lock: another writer may have committed this output between
  // check_output_path and the lock (it held the lock, we waited for nothing and would clobber).
  if (!overwrite && fs::exists(fs::symlink_status(path, ec)))
    throw OutputRefused(path + " exists; use --force to overwrite");
  if (!overwrite && fs::exists(fs::symlink_status(partial, ec)))
    throw OutputRefused("cannot write " + path + ": " + partial +
                        " holds an interrupted run; run the same command with --resume to "
                        "finish it, or with --force to discard it and start again");
  // The partial is laid out under another name and renamed once complete, so that a
  // partial always has every variable and can be resumed: a kill -9 while HDF5 is still
  // creating the file leaves only this stub, which the next run removes.
  const std::string creating = partial + kCreatingSuffix;
  remove_stale(partial, path);
  remove_stale(journal_path(partial), path);
  remove_stale(creating, path);
  im.disk = std::make_unique<CheckpointedFile>(creating, true);
  // Owned from here: a create that fails (a full disk) leaves a stub to remove.
  im.temp.own(creating);
  im.access = im.disk->access();
  if (im.disk->save_every_block()) im.flush_interval = std::chrono::steady_clock::duration::zero();
  im.file = h5::create_file(creating, false, im.access.get());
  h5::hold_metadata_until_flush(im.file.get());
  write_root_attributes(im.file.get(), im.schema.layout, meta);
  create_coordinates(im.file.get(), im.schema, im.coords, im.scale);
  for (const auto& v : im.schema.vars)
    im.vars.push_back(create_variable(im.file.get(), v, im.scale, nullptr));
  // A partial that can be resumed from the start.
  im.flush_now();
  if (std::rename(creating.c_str(), partial.c_str()) != 0)
    throw OutputError("cannot write " + path + ": cannot rename " + creating + " to " + partial +
                      ": " + std::strerror(errno));
  im.disk->rename_to(partial);
  im.temp.path = partial;
}

OutputFile::~OutputFile() = default;

const OutputLayout& OutputFile::layout() const { return impl_->schema.layout; }

long long OutputFile::block_runs() const { return impl_->schema.block; }

void OutputFile::write_run(int run, const RunParams& params, const RunResult& result) {
  Impl& im = *impl_;
  im.check_open("write run " + std::to_string(run));
  const OutputLayout& l = im.schema.layout;
  RunRecord rec;
  rec.run = run;
  rec.params = &params;
  rec.result = &result;
  // The run's place in the sweep, from its index alone.
  const auto& sw = l.sweep;
  if (static_cast<long long>(sw.policies) * sw.samples_per_policy == l.total_runs) {
    rec.info.policy = static_cast<int>(run / sw.samples_per_policy);
    rec.info.sample = run % sw.samples_per_policy;
  } else {
    rec.info.policy = 0;
    rec.info.sample = run;
  }
  rec.info.lever_choice.assign(sw.lever_keys.size(), 0);
  long long p = rec.info.policy;
  for (std::size_t k = sw.lever_keys.size(); k-- > 0;) {
    const auto n = static_cast<long long>(sw.lever_values[k].size());
    rec.info.lever_choice[k] = static_cast<int>(p % n);
    p /= n;
  }
  rec.info.sampled.assign(sw.uncertain_keys.size(), kNaN);
  im.check_record(rec);
  const auto r = static_cast<hsize_t>(run - l.first_run);
  Bytes row;
  for (std::size_t i = 0; i < im.schema.vars.size(); ++i) {
    const VarDef& v = im.schema.vars[i];
    row.assign(v.row_elems * v.elem, 0);
    v.row(rec, row.data());
    std::vector<hsize_t> start(v.shape.size(), 0), count = v.shape;
    start[0] = r;
    count[0] = 1;
    // run_complete is the last variable: a run cut short is never marked complete.
    h5::write_slab(im.vars[i].get(), v.type, start, count, row.data());
  }
  ++im.runs_written;
}

PreparedBlockPtr OutputFile::prepare_block(long long first, const std::vector<RunRecord>& runs) const {
  BlockScratch scratch;
  return prepare_block(first, runs, scratch);
}

PreparedBlockPtr OutputFile::prepare_block(long long first, const std::vector<RunRecord>& runs,
                                           BlockScratch& scratch) const {
  const Impl& im = *impl_;
  const Schema& s = im.schema;
  const OutputLayout& l = s.layout;
  const long long rel = first - l.first_run;
  if (rel < 0 || rel >= l.runs || rel % s.block != 0)
    throw OutputError(im.where(first) + "a block must start at the file's first run " +
                      std::to_string(l.first_run) + " plus a multiple of " +
                      std::to_string(s.block) + " runs");
  const long long n = std::min(s.block, l.runs - rel);
  if (static_cast<long long>(runs.size()) != n)
    throw OutputError(im.where(first) + "the block starting there holds " + std::to_string(n) +
                      " runs, " + std::to_string(runs.size()) + " given");
  for (long long k = 0; k < n; ++k) {
    const RunRecord& r = runs[static_cast<std::size_t>(k)];
    if (r.run != first + k)
      throw OutputError(im.where(r.run) + "expected run " + std::to_string(first + k) +
                        " at place " + std::to_string(k) + " of the block");
    im.check_record(r);
  }

  PreparedBlockPtr block(new PreparedBlock);
  block->owner = &im;
  block->first = first;
  block->count = n;
  Bytes &dense = scratch.dense, &chunk = scratch.chunk;
  const auto nrun = static_cast<hsize_t>(n);
  for (std::size_t vi = 0; vi < s.vars.size(); ++vi) {
    const VarDef& v = s.vars[vi];
    const std::size_t row_bytes = v.row_elems * v.elem;
    // Up to three axes; missing ones have length 1. A fourth (held_back_mw's constraint)
    // is chunked whole, as is the axis before it (set_storage), so axes 2 and 3 are cut
    // as one.
    const std::size_t rank = v.shape.size();
    const hsize_t d1 = rank > 1 ? v.shape[1] : 1;
    const hsize_t d2 = rank > 2 ? v.shape[2] * (rank > 3 ? v.shape[3] : 1) : 1;
    const hsize_t c0 = v.chunk[0], c1 = rank > 1 ? v.chunk[1] : 1;
    const hsize_t c2 = rank > 2 ? v.chunk[2] * (rank > 3 ? v.chunk[3] : 1) : 1;
    const std::size_t chunk_elems = static_cast<std::size_t>(c0 * c1 * c2);
    const std::size_t e = v.elem;
    // A block that is one chunk with whole rows (every variable without a time axis) is
    // filled in place; otherwise rows are gathered and then cut into chunks. Every row
    // function writes its whole row.
    const bool one_chunk = nrun <= c0 && c1 == d1 && c2 == d2;
    Bytes& rows = one_chunk ? chunk : dense;
    // The buffers only grow (a resize zero-fills what it adds, and the variables' sizes
    // alternate): what is used of them is chunk_bytes, and the rows.
    const std::size_t chunk_bytes = chunk_elems * e;
    const std::size_t rows_bytes = one_chunk ? chunk_bytes : static_cast<std::size_t>(n) * row_bytes;
    if (rows.size() < rows_bytes) rows.resize(rows_bytes);
    for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k)
      v.row(runs[k], rows.data() + k * row_bytes);
    for (hsize_t r0 = 0; r0 < nrun; r0 += c0) {
      const hsize_t nr = std::min(c0, nrun - r0);
      for (hsize_t o1 = 0; o1 < d1; o1 += c1) {
        const hsize_t e1 = std::min(c1, d1 - o1);
        for (hsize_t o2 = 0; o2 < d2; o2 += c2) {
          const hsize_t e2 = std::min(c2, d2 - o2);
          // Edge chunks are written whole (HDF5 needs that), padded with the fill value.
          if (one_chunk) {
            for (std::size_t i = static_cast<std::size_t>(nr) * row_bytes; i < chunk_bytes; i += e)
              std::memcpy(chunk.data() + i, v.fill.data(), e);
          } else {
            if (chunk.size() < chunk_bytes) chunk.resize(chunk_bytes);
            if (nr < c0 || e1 < c1 || e2 < c2)
              for (std::size_t i = 0; i < chunk_elems; ++i) std::memcpy(chunk.data() + i * e, v.fill.data(), e);
            for (hsize_t i = 0; i < nr; ++i)
              for (hsize_t j = 0; j < e1; ++j)
                std::memcpy(chunk.data() + static_cast<std::size_t>((i * c1 + j) * c2) * e,
                            dense.data() + static_cast<std::size_t>(((r0 + i) * d1 + o1 + j) * d2 + o2) * e,
                            static_cast<std::size_t>(e2) * e);
          }
          PreparedBlock::Chunk c;
          c.var = vi;
          c.offset = {static_cast<hsize_t>(rel) + r0, o1, o2, 0};  // o2 is 0 with rank 4
          const ChunkCache::Key key{vi, o1, o2};
          if (!v.compressed) {
            c.data.assign(chunk.data(), chunk.data() + chunk_bytes);
          } else if (!im.chunk_cache.find(key, chunk.data(), chunk_bytes, c.data)) {
            compress_chunk(chunk.data(), chunk_elems, e, v.runs_only, scratch, c.data);
            im.chunk_cache.store(key, chunk.data(), chunk_bytes, c.data);
          }
          block->chunks.push_back(std::move(c));
        }
      }
    }
  }
  return block;
}

void OutputFile::write_block(PreparedBlockPtr block) {
  Impl& im = *impl_;
  if (!block) throw OutputError("cannot write to " + im.path + ": no block given");
  im.check_open("write runs " + std::to_string(block->first) + ".." +
                std::to_string(block->first + block->count - 1));
  if (block->owner != &im)
    throw OutputError("cannot write to " + im.path + ": the block was prepared for another file");
  std::vector<hsize_t> offset;
  for (const auto& c : block->chunks) {
    const VarDef& v = im.schema.vars[c.var];
    offset.assign(c.offset.begin(), c.offset.begin() + static_cast<std::ptrdiff_t>(v.shape.size()));
    h5::write_chunk(im.vars[c.var].get(), offset, c.data.data(), c.data.size());
  }
  im.runs_written += block->count;
  block.reset();
  if (std::chrono::steady_clock::now() - im.last_flush >= im.flush_interval) im.reopen();
}

std::vector<bool> OutputFile::completed() const {
  const Impl& im = *impl_;
  im.check_open("read the completed runs");
  const auto flags = h5::read_all<std::int8_t>(im.vars.back().get());
  std::vector<bool> out(flags.size());
  for (std::size_t i = 0; i < flags.size(); ++i) out[i] = flags[i] == 1;
  return out;
}

void OutputFile::flush() {
  Impl& im = *impl_;
  im.check_open("flush");
  im.flush_now();
}

void OutputFile::commit() {
  Impl& im = *impl_;
  im.check_open("commit");
  im.close_all();  // saved, so durable before the rename makes it visible under the final name
  if (!im.disk->is_at(im.temp.path))
    throw OutputError("cannot commit " + im.path + ": " + im.temp.path +
                      " is no longer the file this process wrote; nothing was renamed");
  std::error_code ec;
  // Someone may have created the destination while the runs were computed.
  if (!im.overwrite && fs::exists(im.path, ec))
    throw OutputError(im.path + " exists; use --force to overwrite");
  if (std::rename(im.temp.path.c_str(), im.path.c_str()) != 0)
    throw OutputError("cannot rename " + im.temp.path + " to " + im.path + ": " +
                      std::strerror(errno));
  im.let_go();
}

void OutputFile::close_partial() {
  Impl& im = *impl_;
  im.check_open("close");
  im.close_all();
  im.let_go();
}

const std::string& OutputFile::temp_path() const { return impl_->temp.path; }


}  // namespace sovcap

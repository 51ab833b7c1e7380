#include "sovcap/summary_io.hpp"

#include <algorithm>
#include <iterator>

#include "sovcap/output.hpp"

namespace sovcap {

std::vector<FileSummary> summarize(const ResultsReader& in, const SummaryOptions& options,
                                   bool by_policy, long long& incomplete) {
  SummaryOptions opt = options;
  if (!in.has_trajectories()) {
    const double horizon = in.time().back();
    const bool years_ok = opt.years.empty() || (opt.years.size() == 1 && opt.years[0] == horizon);
    if (!years_ok || !opt.period_bounds.empty())
      throw OutputError(in.path() + " was written with --store summary and holds only the "
                        "horizon: summaries are at " + std::to_string(horizon) +
                        " over one period; run with --store full, or --keep it_mw,compute_flops,"
                        "energy_twh,capex_usd,opex_usd,bottleneck, for years and periods");
    opt.years = {horizon};
  }
  const auto complete = in.run_complete();
  std::vector<double> policy(static_cast<std::size_t>(in.runs()), 0.0);
  if (by_policy && in.has_variable("policy")) policy = in.read_per_run("policy");
  // One builder per policy present, labelled by the lever values of its first run.
  std::vector<int> slot_of_policy;
  std::vector<SummaryBuilder> builders;
  std::vector<FileSummary> out;
  auto slot = [&](int p, long long run) -> SummaryBuilder& {
    if (p >= static_cast<int>(slot_of_policy.size())) slot_of_policy.resize(static_cast<std::size_t>(p) + 1, -1);
    int& s = slot_of_policy[static_cast<std::size_t>(p)];
    if (s < 0) {
      s = static_cast<int>(builders.size());
      builders.emplace_back(in.iso3(), in.names(), in.time(), opt);
      FileSummary fs;
      if (!by_policy) {
        fs.label = "all runs";
      } else {
        fs.label = "policy " + std::to_string(p);
        const auto keys = in.lever_keys();
        const auto texts = in.lever_texts(run);
        for (std::size_t k = 0; k < keys.size(); ++k)
          fs.label += (k ? ", " : ": ") + keys[k] + " = " + texts[k];
      }
      out.push_back(std::move(fs));
    }
    return builders[static_cast<std::size_t>(s)];
  };

  incomplete = 0;
  constexpr int kBlock = 256;
  SummaryBlock block;
  for (int first = 0; first < in.runs(); first += kBlock) {
    const int count = std::min(kBlock, in.runs() - first);
    in.read_summary_block(first, count, block);
    for (int k = 0; k < count; ++k) {
      const auto r = static_cast<std::size_t>(first + k);
      if (!complete[r]) {
        ++incomplete;
        continue;
      }
      slot(static_cast<int>(policy[r]), first + k).add(block.slice(k));
    }
  }
  for (std::size_t s = 0; s < builders.size(); ++s) out[s].summary = builders[s].finish();
  // Policies in order of their number.
  std::vector<FileSummary> ordered;
  for (int s : slot_of_policy)
    if (s >= 0) ordered.push_back(std::move(out[static_cast<std::size_t>(s)]));
  return ordered;
}

}  // namespace sovcap

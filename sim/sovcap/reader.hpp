#pragma once
// Reading sovcap results files back: the dimensions, attributes and per-run slabs that the
// summaries and checks need, a block of runs at a time so that a large sweep is never
// read whole.

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "sovcap/outputs.hpp"

namespace sovcap {

class ResultsReader {
 public:
  // Opens `path` read-only; throws OutputError unless it is a sovcap results file.
  explicit ResultsReader(const std::string& path);
  ~ResultsReader();
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  const std::string& path() const;
  int runs() const;
  const std::vector<std::string>& iso3() const;
  const std::vector<std::string>& names() const;
  const std::vector<double>& time() const;
  std::string attribute(const std::string& name) const;  // a root text attribute
  bool has_variable(const std::string& name) const;

  // A [run, country, time] variable for runs [first, first + count): out[k] is
  // [country, time] of run first + k.
  void read_country_series(const std::string& name, int first, int count,
                           std::vector<Eigen::ArrayXXd>& out) const;
  // A [run, country] variable for runs [first, first + count): out is [country, run].
  void read_per_country(const std::string& name, int first, int count, Eigen::ArrayXXd& out) const;
  // A [run] variable, whole.
  std::vector<double> read_per_run(const std::string& name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sovcap

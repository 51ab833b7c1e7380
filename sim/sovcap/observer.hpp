#pragma once
// What leaves the model: each recorded state of a run, shown to an Observer. The model
// never prints or opens files.

#include <array>

#include <Eigen/Core>

#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"

namespace sovcap {

// The recorded state at one time index, valid only during Observer::observe.
struct StepView {
  int step = 0;       // time index: 0 is the initial state
  double time = 0.0;  // decimal year
  std::array<const Eigen::ArrayXd*, kNumCountrySeries> country{};  // each [country]
  std::array<double, kNumRunSeries> run{};
  // [country, constraint] (constraint: the bottleneck code order), MW: held_back_mw
  // (kHeldBackInfo). NaN at the initial state; unspecified at an intermediate state unless
  // the observer reads_held_back().
  const Eigen::ArrayXXd* held_back = nullptr;
  // [country, constraint], MW times steps: held_back summed over steps 1 up to this one,
  // at the horizon and at the last step of each of result_periods() (unspecified at other
  // steps), whether or not the observer reads held_back.
  const Eigen::ArrayXXd* held_back_sum = nullptr;

  const Eigen::ArrayXd& operator[](CountrySeries s) const { return *country[static_cast<int>(s)]; }
  double operator[](RunSeries s) const { return run[static_cast<int>(s)]; }
};

// Receives every recorded state of a run, in time order.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void begin(const RunParams& params) = 0;
  virtual void observe(const StepView& view) = 0;
  virtual void end() {}
  // Whether observe() reads series s at the intermediate states (neither the initial
  // state nor the horizon, which always carry every series). A derived series nobody reads
  // there is not computed, and its view then holds an unspecified value: a summary-mode
  // sweep reads only it_mw and the bottleneck code on the way.
  virtual bool reads_every_step(CountrySeries /*s*/) const { return true; }
  // The same for StepView::held_back.
  virtual bool reads_held_back() const { return true; }
};

}  // namespace sovcap

// A TEST ORACLE, NOT USED BY THE PROGRAM (see oracle_model.hpp): the one-run model step,
// written for clarity.

#include "oracle_model.hpp"

#include <algorithm>
#include <cmath>

#include "sovcap/model.hpp"  // allocate()
#include "sovcap/model_detail.hpp"

namespace sovcap::oracle {
namespace {

using detail::kHoursPerYear;
using detail::kKwPerMw;
using detail::kNaN;
using detail::kTiny;
using detail::shock_multiplier;
using detail::to_steps;

// A running total after taking `out` of what it held, `in` (both >= 0): max(in - out, 0),
// and 0 where that is a rounding residue, at most kTieRel of `in` (docs/model.md, section
// 6, "Residues"). The kernel's take() (batch_model.cpp) is the same per element.
void take(Eigen::ArrayXd& total, const Eigen::ArrayXd& in, const Eigen::ArrayXd& out) {
  total = (in - out).max(0.0);
  total = (total <= detail::kTieRel * in).select(0.0, total);
}

// Pays `cost` from `cash` as take() does; `cost` becomes what was paid: all of the cash
// where what it leaves is a residue, so that funds = cash + capex + opex still holds.
// `left` is scratch. The kernel's spend() is the same per element.
void spend(Eigen::ArrayXd& cash, Eigen::ArrayXd& cost, Eigen::ArrayXd& left) {
  left = (cash - cost).max(0.0);
  cost = (left <= detail::kTieRel * cash).select(cash, cost);
  cash = (left <= detail::kTieRel * cash).select(0.0, left);
}
double spend(double& cash, double cost) {
  const double left = std::max(cash - cost, 0.0);
  const bool all = left <= detail::kTieRel * cash;
  const double paid = all ? cash : cost;
  cash = all ? 0.0 : left;
  return paid;
}

int ring_slot(long long step, int size) {
  const long long r = step % size;
  return static_cast<int>(r < 0 ? r + size : r);
}

}  // namespace


void Model::reset(const RunParams& p) {
  const auto& c = p.countries;
  const auto& g = p.global;
  const int nc = c.size();
  const double dt = p.sim.dt;

  for (auto* a : {&it_mw_, &pipeline_mw_, &ready_mw_, &grid_mw_, &grid_pipeline_mw_,
                  &onsite_mw_, &onsite_pipeline_mw_, &onsite_cap_, &onsite_capex_, &cash_,
                  &workforce_, &funds_, &capex_, &chips_capex_, &opex_, &unfunded_, &flops_, &dom_flops_,
                  &accel_count_, &budget_rate_, &domestic_rate_, &budget_step_,
                  &domestic_step_, &opex_per_mw_, &grid_cap_, &tier_cap_, &tmp_a_, &tmp_b_,
                  &tmp_c_, &held_in_, &demand_, &received_, &start_shortfall_, &strand_chips_,
                  &strand_tier_, &strand_cash_, &start_cap_kind_})
    a->setZero(nc);
  for (auto& s : series_) s.setZero(nc);
  held_back_.setZero(nc, kNumBottlenecks);
  held_back_sum_.setZero(nc, kNumBottlenecks);

  // Each country's initial state and per-run constants, by detail::country_start (which
  // the kernel, BatchModel::reset, calls too).
  build_delay_.resize(nc);
  grid_delay_.resize(nc);
  onsite_delay_.resize(nc);
  int max_build = 1, max_grid = 1, max_onsite = 1;
  for (int i = 0; i < nc; ++i) {
    const detail::CountryStart s = detail::country_start(c, i, dt);
    it_mw_(i) = s.it_mw;
    pipeline_mw_(i) = s.pipeline_mw;
    ready_mw_(i) = s.ready_mw;
    grid_mw_(i) = s.grid_mw;
    grid_pipeline_mw_(i) = s.grid_pipeline_mw;
    cash_(i) = s.cash;
    workforce_(i) = s.workforce;
    funds_(i) = s.funds;
    capex_(i) = s.capex;
    chips_capex_(i) = s.capex;
    opex_(i) = s.opex;
    unfunded_(i) = s.unfunded;
    dom_flops_(i) = s.dom_flops;
    budget_rate_(i) = s.budget_rate;
    domestic_rate_(i) = s.domestic_rate;
    budget_step_(i) = detail::step_factor(c.at(i, CountryParam::budget_growth), dt);
    domestic_step_(i) = detail::step_factor(c.at(i, CountryParam::domestic_growth), dt);
    opex_per_mw_(i) = s.opex_per_mw;
    grid_cap_(i) = s.grid_cap;
    onsite_cap_(i) = s.onsite_cap;
    onsite_capex_(i) = c.at(i, CountryParam::onsite_capex_usd_per_mw);
    tier_cap_(i) = s.tier_cap;
    build_delay_[i] = s.build_delay;
    grid_delay_[i] = s.grid_delay;
    onsite_delay_[i] = s.onsite_delay;
    max_onsite = std::max(max_onsite, s.onsite_delay);
    tmp_a_(i) = s.shells_per_step;  // scratch until the shell delay line is sized, below
    max_build = std::max(max_build, s.build_delay);
    max_grid = std::max(max_grid, s.grid_delay);
  }

  // Installed chips, cohort by cohort (detail::initial_cohorts); cohort k retires at step k,
  // which is ring slot k.
  lifetime_steps_ = to_steps(g[GlobalParam::chip_lifetime_years], dt);
  const int L = lifetime_steps_;
  for (auto* a : {&cohort_mw_, &cohort_flops_, &cohort_dom_flops_, &cohort_count_})
    a->setZero(L, nc);
  accel_per_mw_.resize(L);
  accel_flops_.resize(L);
  for (int age = 1; age <= L; ++age)
    detail::initial_accel(g, age, dt, accel_per_mw_[age - 1], accel_flops_[age - 1]);
  for (int i = 0; i < nc; ++i) {
    const detail::InstalledChips sum = detail::initial_cohorts(
        it_mw_(i), L, accel_per_mw_.data(), accel_flops_.data(),
        [&](int k, double mw, double count, double flops, double dom_flops) {
          cohort_mw_(k, i) = mw;
          cohort_count_(k, i) = count;
          cohort_flops_(k, i) = flops;
          cohort_dom_flops_(k, i) = dom_flops;
        });
    accel_count_(i) = sum.count;
    flops_(i) = sum.flops;
  }

  // Delay lines in whole steps: the initial pipeline arrives evenly over steps 0..d-1, and
  // no grid power is on its way.
  shell_due_.setZero(max_build + 1, nc);
  grid_due_.setZero(max_grid + 1, nc);
  onsite_due_.setZero(max_onsite + 1, nc);
  for (int i = 0; i < nc; ++i)
    for (int k = 0; k < build_delay_[i]; ++k) shell_due_(k, i) = tmp_a_(i);

  // Look-aheads are whole steps, so every target the run needs sits on the time grid:
  // from index 0 to the last step's grid look-ahead.
  const int rows = p.sim.steps() + 2 + max_build + max_grid;
  target_path_.resize(rows, nc);
  for (int i = 0; i < nc; ++i)
    detail::fill_target_path(c.targets[i], p.sim, c.at(i, CountryParam::it_mw), rows,
                             &target_path_(0, i), nc);

  const auto start = detail::trend_start(g);
  const auto growth = detail::trend_growth(g);
  vendor_rate_ = start[0];
  other_rate_ = start[1];
  kw_now_ = start[2];
  flops_now_ = start[3];
  price_now_ = start[4];
  for (int k = 0; k < 5; ++k) trend_step_[k] = detail::step_factor(growth[k], dt);

  pue_ = c.col(CountryParam::pue);
  workforce_step_ = c.col(CountryParam::workforce_growth) * dt;
  staff_build_ = c.col(CountryParam::staff_per_mw_build);
  staff_ops_ = c.col(CountryParam::staff_per_mw_ops);
  capex_mw_ = c.col(CountryParam::capex_shell_usd_per_mw);
  dom_price_ = c.col(CountryParam::domestic_price_ratio);
  dom_perf_ = c.col(CountryParam::domestic_perf_ratio);
  detail::scheduled_values(p, sched_);
  queue_arrive_.assign(nc, {});
  queue_window_.assign(nc, {});
  for (int i = 0; i < nc; ++i)
    if (const Schedule* q = c.schedule(i, CountryParam::grid_queue))
      detail::queue_steps(*q, p.sim, grid_delay_[i], queue_arrive_[i], queue_window_[i]);
  // A scheduled pue: grid planning at step n asks for the target times pue(t_n), which
  // plan_grid reads from pue_ as apply_schedules sets it.

  alloc_demand_.assign(nc + 1, 0.0);
  alloc_out_.assign(nc + 1, 0.0);
  // alloc_order_ is left as it is: allocate() starts from it when it has the right size.
}

void Model::run(const RunParams& p, Observer& obs) {
  reset(p);
  for (int k = 0; k < kNumCountrySeries; ++k)
    wanted_[k] = obs.reads_every_step(static_cast<CountrySeries>(k));
  last_index_ = p.sim.steps();
  obs.begin(p);
  fill_view(p, 0);
  obs.observe(view_);
  const int steps = p.sim.steps();
  for (int n = 0; n < steps; ++n) {
    step(p, n);
    fill_view(p, n + 1);
    obs.observe(view_);
    // Advance the exponential trends by one step; the per-step factors were computed once
    // in reset(), keeping std::pow out of the step loop.
    budget_rate_ *= budget_step_;
    domestic_rate_ *= domestic_step_;
    vendor_rate_ *= trend_step_[0];
    other_rate_ *= trend_step_[1];
    kw_now_ *= trend_step_[2];
    flops_now_ *= trend_step_[3];
    price_now_ *= trend_step_[4];
  }
  obs.end();
}

void Model::apply_schedules(int n) {
  using namespace detail;
  for (const ScheduledValues& e : sched_) {
    auto on = [&e](int f) { return (e.mask & (1u << f)) != 0; };
    if (e.country < 0) {
      const double* v = e.v.data() + static_cast<std::size_t>(n) * kNumGlobalFields;
      double* level[5] = {&vendor_rate_, &other_rate_, &kw_now_, &flops_now_, &price_now_};
      for (int k = 0; k < 5; ++k) {
        if (on(2 * k)) *level[k] = v[2 * k];
        if (on(2 * k + 1)) trend_step_[k] = v[2 * k + 1];
      }
      continue;
    }
    const int i = e.country;
    const double* v = e.v.data() + static_cast<std::size_t>(n) * kNumCountryFields;
    if (on(kBudgetRate)) budget_rate_(i) = v[kBudgetRate];
    if (on(kBudgetStep)) budget_step_(i) = v[kBudgetStep];
    if (on(kDomesticRate)) domestic_rate_(i) = v[kDomesticRate];
    if (on(kDomesticStep)) domestic_step_(i) = v[kDomesticStep];
    if (on(kGridCap)) grid_cap_(i) = v[kGridCap];
    if (on(kOpexPerMw)) opex_per_mw_(i) = v[kOpexPerMw];
    if (on(kPue)) pue_(i) = v[kPue];
    if (on(kWorkforce)) workforce_(i) = v[kWorkforce];
    if (on(kWorkforceStep)) workforce_step_(i) = v[kWorkforceStep];
    if (on(kStaffBuild)) staff_build_(i) = v[kStaffBuild];
    if (on(kStaffOps)) staff_ops_(i) = v[kStaffOps];
    if (on(kCapexMw)) capex_mw_(i) = v[kCapexMw];
    if (on(kDomPrice)) dom_price_(i) = v[kDomPrice];
    if (on(kDomPerf)) dom_perf_(i) = v[kDomPerf];
    if (on(kTierCap)) tier_cap_(i) = v[kTierCap];
    if (on(kOnsiteCap)) onsite_cap_(i) = v[kOnsiteCap];
    if (on(kOnsiteCapex)) onsite_capex_(i) = v[kOnsiteCapex];
  }
}

void Model::step(const RunParams& p, int n) {
  apply_schedules(n);
  pay_and_retire(p, n);
  plan_grid(p, n);
  fit_out(p, n);
  start_shells(p, n);
  decide_bottleneck(n);
  record_flows(p, n);
}

void Model::pay_and_retire(const RunParams& p, int n) {
  const double dt = p.sim.dt;

  // 1. Budget and people arrive; operating cost of the capacity in service is paid first.
  cash_ += budget_rate_ * dt;
  funds_ += budget_rate_ * dt;
  workforce_ = (workforce_ + workforce_step_).max(0.0);
  tmp_a_ = it_mw_ * opex_per_mw_;
  tmp_b_ = tmp_a_.min(cash_);
  cash_ -= tmp_b_;
  opex_ += tmp_b_;
  unfunded_ += tmp_a_ - tmp_b_;

  // 2. Chips past their lifetime retire; their shells wait for refresh chips. The slot is
  // then free for the cohort installed in this step.
  {
    const int slot = ring_slot(n, lifetime_steps_);
    it_mw_ = (it_mw_ - cohort_mw_.row(slot).transpose()).max(0.0);
    ready_mw_ += cohort_mw_.row(slot).transpose();
    flops_ = (flops_ - cohort_flops_.row(slot).transpose()).max(0.0);
    dom_flops_ = (dom_flops_ - cohort_dom_flops_.row(slot).transpose()).max(0.0);
    accel_count_ = (accel_count_ - cohort_count_.row(slot).transpose()).max(0.0);
    cohort_mw_.row(slot).setZero();
    cohort_flops_.row(slot).setZero();
    cohort_dom_flops_.row(slot).setZero();
    cohort_count_.row(slot).setZero();
  }

  // 3. Deliveries due now: finished shells become ready shells; grid power arrives.
  {
    const int s = ring_slot(n, static_cast<int>(shell_due_.rows()));
    ready_mw_ += shell_due_.row(s).transpose();
    held_in_ = pipeline_mw_;
    take(pipeline_mw_, held_in_, shell_due_.row(s).transpose());
    shell_due_.row(s).setZero();
    const int gs = ring_slot(n, static_cast<int>(grid_due_.rows()));
    grid_mw_ += grid_due_.row(gs).transpose();
    held_in_ = grid_pipeline_mw_;
    take(grid_pipeline_mw_, held_in_, grid_due_.row(gs).transpose());
    grid_due_.row(gs).setZero();
    // The grid queue's arrivals of this step.
    for (int i = 0; i < static_cast<int>(queue_arrive_.size()); ++i)
      if (!queue_arrive_[i].empty()) grid_mw_(i) += queue_arrive_[i][static_cast<std::size_t>(n)];
    const int os = ring_slot(n, static_cast<int>(onsite_due_.rows()));
    onsite_mw_ += onsite_due_.row(os).transpose();
    held_in_ = onsite_pipeline_mw_;
    take(onsite_pipeline_mw_, held_in_, onsite_due_.row(os).transpose());
    onsite_due_.row(os).setZero();
  }
}

void Model::plan_grid(const RunParams& p, int n) {
  const auto& c = p.countries;
  const int nc = c.size();
  const auto& pue = pue_;

  // 4. Grid planning. Power requested now arrives after grid_lead_years and is needed
  // from the moment a shell starts, so it must cover the target one build lead time and
  // one step beyond its arrival (see docs/model.md, departures).
  // Delay-line slots: a delay is shorter than its ring, so one wrap-around at most (and
  // no integer division per country).
  const int grid_rows = static_cast<int>(grid_due_.rows());
  const int grid_now = ring_slot(n, grid_rows);
  for (int i = 0; i < nc; ++i) {
    // The delays as the delay lines apply them (whole steps), so that unconstrained
    // capacity tracks the target even when a lead time is not a multiple of dt.
    const double need = target_path_(n + grid_delay_[i] + 1 + build_delay_[i], i) * pue(i);
    // The queue arriving by the time this request would (none: nothing to subtract).
    const double queued =
        queue_window_[i].empty() ? 0.0 : queue_window_[i][static_cast<std::size_t>(n)];
    const double req =
        std::clamp(need - grid_mw_(i) - grid_pipeline_mw_(i) - queued, 0.0, grid_cap_(i));
    int slot = grid_now + grid_delay_[i];
    if (slot >= grid_rows) slot -= grid_rows;
    grid_due_(slot, i) += req;
    grid_pipeline_mw_(i) += req;
  }
}

void Model::fit_out(const RunParams& p, int n) {
  const auto& c = p.countries;
  const auto& g = p.global;
  const int nc = c.size();
  const double dt = p.sim.dt;
  const double t = p.sim.time(n);

  // 5. Fit-out of ready shells: domestic chips first, then the vendor's, through the
  // global market.
  per_mw_ = kKwPerMw / kw_now_;  // accelerators per IT MW for new chips
  const double per_mw = per_mw_;
  const double price = price_now_;
  auto& need = series_[static_cast<int>(CountrySeries::chip_need)];
  auto& dom = series_[static_cast<int>(CountrySeries::domestic_received)];
  need = ready_mw_ * per_mw;
  tmp_a_ = price * dom_price_;  // domestic price
  dom = need.min(domestic_rate_ * dt).min(cash_ / tmp_a_);
  tmp_b_ = dom * tmp_a_;
  spend(cash_, tmp_b_, held_in_);
  capex_ += tmp_b_;
  chips_capex_ += tmp_b_;
  tmp_c_ = need - dom;                                   // still to fill
  strand_cash_ = (tmp_c_ - cash_ / price).max(0.0);      // cash cannot pay for these
  // Affordable: no more than cash pays for, however tmp_c_ - strand_cash_ rounds.
  tmp_a_ = (tmp_c_ - strand_cash_).min(cash_ / price);
  demand_ = tmp_a_.min(tier_cap_);
  std::copy(demand_.data(), demand_.data() + nc, alloc_demand_.begin());
  supply_ = vendor_rate_ * dt * shock_multiplier(g.supply_shocks, t, dt);
  other_ = other_rate_ * dt;
  alloc_demand_[nc] = other_;
  allocate(g.allocation(), alloc_demand_, supply_, alloc_out_, alloc_order_);
  allocated_ = 0.0;
  for (int i = 0; i < nc; ++i) {
    received_(i) = alloc_out_[i];
    allocated_ += received_(i);
  }
  strand_chips_ = tmp_a_ - received_;  // affordable but not delivered (tier or allocation)
  strand_tier_ = tmp_a_ - demand_;     // affordable but above the tier cap
  tmp_b_ = received_ * price;
  spend(cash_, tmp_b_, held_in_);
  capex_ += tmp_b_;
  chips_capex_ += tmp_b_;
  {
    const int slot = ring_slot(n, lifetime_steps_);
    const auto& perf = dom_perf_;
    tmp_a_ = (dom + received_) / per_mw;  // MW commissioned
    held_in_ = ready_mw_;
    take(ready_mw_, held_in_, tmp_a_);
    it_mw_ += tmp_a_;
    tmp_b_ = dom * perf * flops_now_;  // domestic FLOP/s
    tmp_c_ = tmp_b_ + received_ * flops_now_;
    cohort_mw_.row(slot) += tmp_a_.transpose();
    cohort_flops_.row(slot) += tmp_c_.transpose();
    cohort_dom_flops_.row(slot) += tmp_b_.transpose();
    cohort_count_.row(slot) += (dom + received_).transpose();
    flops_ += tmp_c_;
    dom_flops_ += tmp_b_;
    accel_count_ += dom + received_;
  }
}

void Model::start_shells(const RunParams& p, int n) {
  const auto& c = p.countries;
  const int nc = c.size();
  const auto& pue = pue_;

  // 6. New shells, toward the target at the time they will be in service (started now,
  // built over build_lead_years, fitted out in the step they arrive).
  const auto& staff_build = staff_build_;
  const auto& staff_ops = staff_ops_;
  const auto& capex_mw = capex_mw_;
  const int shell_rows = static_cast<int>(shell_due_.rows());
  const int shell_now = ring_slot(n, shell_rows);
  // The spending rule: cash for a new shell's chips too, after the chips of the shells
  // under construction or waiting are set aside at today's price.
  const double chips_mw = price_now_ * per_mw_;
  for (int i = 0; i < nc; ++i) {
    const double committed = it_mw_(i) + pipeline_mw_(i) + ready_mw_(i);
    const double goal = target_path_(n + 1 + build_delay_[i], i);
    double desired = std::max(0.0, goal - committed);
    // A goal met up to rounding wants no shells (docs/model.md, section 6, "Residues").
    desired = desired <= detail::kTieRel * std::max(committed, goal) ? 0.0 : desired;
    const double caps[3] = {
        std::max(0.0, (grid_mw_(i) + onsite_mw_(i)) / pue(i) - committed),
        std::max(0.0, (cash_(i) - (pipeline_mw_(i) + ready_mw_(i)) * chips_mw) /
                          (capex_mw(i) + chips_mw)),
        std::max(0.0, (workforce_(i) - staff_ops(i) * it_mw_(i) - staff_build(i) * pipeline_mw_(i)) /
                          staff_build(i))};
    int binding = 0;
    for (int k = 1; k < 3; ++k)
      if (caps[k] < caps[binding]) binding = k;
    double starts = std::min(desired, caps[binding]);
    // Nor where only a cap's rounding residue allows a start.
    starts = starts <= detail::kTieRel * std::max(committed, goal) ? 0.0 : starts;
    start_shortfall_(i) = desired - starts;
    // The cap reported as binding: the first within the tie tolerance of the smallest.
    const double tie = caps[binding] + detail::kTieRel * std::max(committed, goal);
    int kind = 0;
    while (caps[kind] > tie) ++kind;
    start_cap_kind_(i) = kind;
    const double cost = spend(cash_(i), starts * capex_mw(i));
    capex_(i) += cost;
    pipeline_mw_(i) += starts;
    int slot = shell_now + build_delay_[i];
    if (slot >= shell_rows) slot -= shell_rows;
    shell_due_(slot, i) += starts;
    // 6b. On-site generation where power held shells back: their facility MW less what is
    // on order, within the step's cap and the cash beyond the chips set aside.
    const double want =
        std::max(0.0, (kind == 0 ? start_shortfall_(i) * pue(i) : 0.0) - onsite_pipeline_mw_(i));
    const double free = std::max(0.0, cash_(i) - (pipeline_mw_(i) + ready_mw_(i)) * chips_mw);
    const double onsite_capex = onsite_capex_(i);
    const double order = std::min(std::min(want, onsite_cap_(i)), free / onsite_capex);
    const double onsite_cost = spend(cash_(i), order * onsite_capex);
    capex_(i) += onsite_cost;
    onsite_pipeline_mw_(i) += order;
    const int onsite_rows = static_cast<int>(onsite_due_.rows());
    int oslot = ring_slot(n, onsite_rows) + onsite_delay_[i];
    if (oslot >= onsite_rows) oslot -= onsite_rows;
    onsite_due_(oslot, i) += order;
  }
}

void Model::decide_bottleneck(int n) {
  const auto nc = it_mw_.size();
  const double per_mw = per_mw_;

  // The bottleneck: behind the target path, the constraint that held back the most MW
  // this step (stranded shells at fit-out, or the start shortfall); lead_time when
  // nothing did.
  auto& code = series_[static_cast<int>(CountrySeries::bottleneck)];
  for (Eigen::Index i = 0; i < nc; ++i) {
    const double target = target_path_(n + 1, i);
    if (it_mw_(i) >= target * (1.0 - kTiny) - kTiny) {
      code(i) = static_cast<double>(Bottleneck::on_track);
      held_back_.row(i).setZero();  // no gap: nothing held back
      continue;
    }
    // Fit-out: when the export tier or the market delivered less than cash could pay
    // for, each is put down the chips it cut, and the shells cash could not pay for go
    // to the larger of the two (the tier at a tie within kTieRel); otherwise what cash
    // could not pay for is capital's.
    double held[kNumBottlenecks] = {};
    if (strand_chips_(i) > kTiny) {
      const double tier = strand_tier_(i), market = demand_(i) - received_(i);
      const bool tier_wins = market <= tier * (1.0 + detail::kTieRel);
      held[static_cast<int>(Bottleneck::export_controls)] =
          (tier_wins ? tier + strand_cash_(i) : tier) / per_mw;
      held[static_cast<int>(Bottleneck::chip_market)] =
          (tier_wins ? market : market + strand_cash_(i)) / per_mw;
    } else {
      held[static_cast<int>(Bottleneck::capital)] = strand_cash_(i) / per_mw;
    }
    static constexpr Bottleneck kCapKind[3] = {Bottleneck::power, Bottleneck::capital,
                                               Bottleneck::talent};
    held[static_cast<int>(kCapKind[static_cast<int>(start_cap_kind_(i))])] += start_shortfall_(i);
    Bottleneck best = Bottleneck::lead_time;
    double most = kTiny;
    for (Bottleneck b : {Bottleneck::export_controls, Bottleneck::chip_market,
                         Bottleneck::capital, Bottleneck::power, Bottleneck::talent}) {
      if (held[static_cast<int>(b)] > most) {
        most = held[static_cast<int>(b)];
        best = b;
      }
    }
    code(i) = static_cast<double>(best);

    // held_back_mw (docs/model.md, section 8): the gap to the target path, shared out
    // over what each constraint held back, amounts of at most kTiny counting as 0 (as for
    // the code); where they cover the gap (within kTieRel of it) they are scaled to sum
    // to it, otherwise they stand and the rest of the gap is lead_time's.
    using B = Bottleneck;
    auto amount = [&held](B b) {
      const double x = held[static_cast<int>(b)];
      return x > kTiny ? x : 0.0;
    };
    const double gap = target - it_mw_(i);
    const double e = amount(B::export_controls), m = amount(B::chip_market),
                 k = amount(B::capital), p = amount(B::power), t = amount(B::talent);
    const double sum = e + m + k + p + t;
    const bool scale = sum > 0.0 && sum >= gap * (1.0 - detail::kTieRel);
    const double f = scale ? gap / sum : 1.0;
    auto part = [&](B b) -> double& { return held_back_(i, static_cast<int>(b)); };
    part(B::on_track) = 0.0;
    part(B::lead_time) = scale ? 0.0 : gap - sum;
    part(B::power) = p * f;
    part(B::capital) = k * f;
    part(B::talent) = t * f;
    part(B::export_controls) = e * f;
    part(B::chip_market) = m * f;
  }
}

void Model::record_flows(const RunParams& p, int n) {
  held_back_sum_ += held_back_;  // held_back_mw summed over the steps
  const double dt = p.sim.dt;

  // The flows as recorded: per year, not per step.
  auto& s = series_;
  if (wanted(CountrySeries::chip_need, n + 1)) s[static_cast<int>(CountrySeries::chip_need)] /= dt;
  if (wanted(CountrySeries::domestic_received, n + 1))
    s[static_cast<int>(CountrySeries::domestic_received)] /= dt;
  if (wanted(CountrySeries::chip_demand, n + 1))
    s[static_cast<int>(CountrySeries::chip_demand)] = demand_ / dt;
  if (wanted(CountrySeries::chip_received, n + 1))
    s[static_cast<int>(CountrySeries::chip_received)] = received_ / dt;
  run_series_[static_cast<int>(RunSeries::vendor_supply)] = supply_ / dt;
  run_series_[static_cast<int>(RunSeries::other_demand)] = other_ / dt;
  run_series_[static_cast<int>(RunSeries::allocated)] = allocated_ / dt;
}

void Model::fill_view(const RunParams& p, int n) {
  auto& s = series_;
  auto at = [&s](CountrySeries k) -> Eigen::ArrayXd& { return s[static_cast<int>(k)]; };
  const auto& pue = pue_;

  // Derived series, those the observer reads; the state variables themselves are shown
  // to the observer in place.
  using CS = CountrySeries;
  if (wanted(CS::target_mw, n)) at(CS::target_mw) = target_path_.row(n).transpose();
  if (wanted(CS::facility_mw, n) || wanted(CS::energy_twh, n)) {
    at(CS::facility_mw) = it_mw_ * pue;
    at(CS::energy_twh) = at(CS::facility_mw) * (kHoursPerYear / 1e6);
  }
  if (wanted(CS::talent_utilisation, n) || wanted(CS::compute_flops, n)) {
    // Talent utilisation: staff left after construction, over staff needed to operate.
    tmp_a_ = staff_ops_ * it_mw_;
    tmp_b_ = (workforce_ - staff_build_ * pipeline_mw_).max(0.0);
    auto& util = at(CS::talent_utilisation);
    util = (tmp_a_ > 0.0).select((tmp_b_ / tmp_a_).min(1.0), 1.0);
    at(CS::compute_flops) = flops_ * util;
  }
  if (wanted(CS::domestic_share, n))
    at(CS::domestic_share) = (flops_ > 0.0).select(dom_flops_ / flops_, 0.0);

  if (n == 0) {
    // The initial state is not the end of a step: flows are undefined, the target path
    // starts at it_mw, so every country is on track.
    for (auto k : {CountrySeries::chip_need, CountrySeries::chip_demand,
                   CountrySeries::chip_received, CountrySeries::domestic_received})
      at(k).setConstant(kNaN);
    at(CountrySeries::bottleneck).setConstant(static_cast<double>(Bottleneck::on_track));
    run_series_.fill(kNaN);
  }

  view_.step = n;
  // Before any step, no flow: held_back_mw NaN. reset() left it zero, and step() sets
  // every entry from then on.
  if (n == 0) held_back_.setConstant(kNaN);
  view_.held_back = &held_back_;
  view_.held_back_sum = &held_back_sum_;
  view_.time = p.sim.time(n);
  for (int k = 0; k < kNumCountrySeries; ++k) view_.country[k] = &s[k];
  auto show = [this](CountrySeries k, const Eigen::ArrayXd& state) {
    view_.country[static_cast<int>(k)] = &state;
  };
  show(CountrySeries::it_mw, it_mw_);
  show(CountrySeries::pipeline_mw, pipeline_mw_);
  show(CountrySeries::ready_mw, ready_mw_);
  show(CountrySeries::grid_mw, grid_mw_);
  show(CountrySeries::onsite_mw, onsite_mw_);
  show(CountrySeries::accelerators, accel_count_);
  show(CountrySeries::cash_usd, cash_);
  show(CountrySeries::funds_usd, funds_);
  show(CountrySeries::capex_usd, capex_);
  show(CountrySeries::chips_usd, chips_capex_);
  show(CountrySeries::opex_usd, opex_);
  show(CountrySeries::unfunded_opex_usd, unfunded_);
  show(CountrySeries::workforce, workforce_);
  view_.run = run_series_;
}

}  // namespace sovcap::oracle

#include "sovcap/outputs.hpp"

namespace sovcap {
namespace {

#define SOVCAP_INFO_ENTRY(nm, units, long_name) SeriesInfo{#nm, units, long_name},
const std::array<SeriesInfo, kNumCountrySeries> kCountryInfo = {
    SOVCAP_COUNTRY_SERIES(SOVCAP_INFO_ENTRY)};
const std::array<SeriesInfo, kNumRunSeries> kRunInfo = {SOVCAP_RUN_SERIES(SOVCAP_INFO_ENTRY)};
#undef SOVCAP_INFO_ENTRY

}  // namespace

const SeriesInfo& info(CountrySeries s) { return kCountryInfo[static_cast<int>(s)]; }
const SeriesInfo& info(RunSeries s) { return kRunInfo[static_cast<int>(s)]; }

}  // namespace sovcap

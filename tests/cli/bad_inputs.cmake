# Bad inputs, run through the real program: `sovcap run` must exit with status 2, print
# each problem as "sovcap: error: FILE:LINE:COL: KEY: MESSAGE" on stderr, and leave nothing
# (no results file, no temporary file) in the output folder. One case per representative
# validation rule; the unit tests in tests/unit/test_scenario.cpp cover every rule.
#
# sovcap_bad_input(NAME SCENARIO [ARGS... --] EXPECTED...): SCENARIO is under bad/; ARGS
# go to `sovcap run`; every EXPECTED substring must appear on stderr. No semicolons in
# EXPECTED: CMake would split the argument there.
function(sovcap_bad_input name scenario)
  add_test(NAME cli_bad_input_${name}
           COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/expect_bad_input.sh" $<TARGET_FILE:sovcap>
                   "${CMAKE_CURRENT_SOURCE_DIR}/bad/${scenario}" ${ARGN})
  set_tests_properties(cli_bad_input_${name} PROPERTIES LABELS "cli;bad_input" TIMEOUT 60)
endfunction()

sovcap_bad_input(syntax_error syntax_error.toml
  "syntax_error.toml:4:" "TOML syntax error" "allowed TOML syntax")
sovcap_bad_input(unknown_key unknown_key.toml
  "unknown_key.toml:3:16: global.vendor_suply: unknown key" "did you mean 'vendor_supply'")
sovcap_bad_input(out_of_range out_of_range.toml
  "out_of_range.toml:10:7: country.KOR.pue: pue = 0.9 is out of range" "allowed a number in [1, 5]")
# Schedules: every point is checked where it stands (issue 13).
sovcap_bad_input(schedule_years schedule_years.toml
  "schedule_years.toml:11:45: country.KOR.tier2_cap[2]: year 2030 is not after the year before it"
  "allowed increasing years")
sovcap_bad_input(schedule_value schedule_value.toml
  "schedule_value.toml:10:28: country.KOR.pue[1]: pue = 0.8 is out of range" "allowed a number in [1, 5]")
sovcap_bad_input(schedule_tier schedule_tier.toml
  "schedule_tier.toml:10:34: country.KOR.export_tier[1]: wrong type: a float (1.5) where an integer is expected"
  "allowed an integer in [1, 3]")
sovcap_bad_input(schedule_only_number schedule_only_number.toml
  "schedule_only_number.toml:10:15: country.KOR.pipeline_mw: wrong type: a schedule (an array) where only a number is allowed"
  "allowed a number in [0, 1e+06]")
sovcap_bad_input(set_schedule_only_number valid_for_set.toml
  --set "global.chip_lifetime_years=[[2026,1],[2030,2]]" --
  "--set: global.chip_lifetime_years: wrong type: a schedule (an array) where only a number is allowed")
sovcap_bad_input(set_schedule_years valid_for_set.toml
  --set "global.vendor_supply=[[2030,1e6],[2026,2e6]]" --
  "--set: global.vendor_supply[1]: year 2026 is not after the year before it, 2030")
# The grid queue is a list of arrivals from start_year on.
sovcap_bad_input(queue_number valid_for_set.toml
  --set "country.KOR.grid_queue=500" --
  "--set: country.KOR.grid_queue: grid_queue = 500 is a number: allowed a list of [year, facility MW] arrivals")
sovcap_bad_input(queue_before_start valid_for_set.toml
  --set "country.KOR.grid_queue=[[2025,500],[2027,100]]" --
  "country.KOR.grid_queue: grid_queue's first arrival, in 2025, is before start_year = 2026")
sovcap_bad_input(queue_negative valid_for_set.toml
  --set "country.KOR.grid_queue=[[2027,500],[2028,-1]]" --
  "--set: country.KOR.grid_queue[1]: grid_queue = -1 is out of range")
sovcap_bad_input(wrong_type wrong_type.toml
  "wrong_type.toml:3:8: simulation.seed: wrong type: a string" "allowed an integer")
sovcap_bad_input(dt_horizon dt_horizon.toml
  "dt_horizon.toml:4:12: simulation.end_year:" "not a whole number of steps"
  "the nearest are 2030, 2030.25")
sovcap_bad_input(shock_order shock_order.toml
  "shock_order.toml:3:" "global.supply_shocks[0].start:" "allowed start < end")
sovcap_bad_input(unknown_include unknown_include.toml
  "unknown_include.toml:7:" "countries.include: unknown country 'JNP' (did you mean 'JPN'?)")
sovcap_bad_input(bad_csv_number bad_csv_number.toml
  "bad_number.csv:3:41: country.JPN.pue: column 'pue': '1.3x' is not a number"
  "allowed a number in [1, 5]")
sovcap_bad_input(missing_data missing_data.toml
  "missing_data.toml:3:8: countries.data: cannot read" "relative to the scenario file")
sovcap_bad_input(provenance provenance.toml
  "countries.csv:2:25: country.KOR.workforce:" "has no provenance")
sovcap_bad_input(no_countries no_countries.toml
  "no_countries.toml: countries: the scenario has no countries")
sovcap_bad_input(set_unknown_key valid_for_set.toml --set global.vendr_supply=1 --
  "--set: global.vendr_supply: unknown key" "did you mean 'vendor_supply'")
sovcap_bad_input(set_without_equals valid_for_set.toml --set global.vendor_supply --
  "--set: global.vendor_supply: expected KEY=VALUE")
sovcap_bad_input(set_unknown_country valid_for_set.toml --set country.KOX.pue=1.2 --
  "--set: country.KOX.pue: country KOX is neither in" "did you mean 'KOR'")
# A --set of a key the sweep replaces in every run (a lever, or a sampled value that is not
# a multiplier) would be ignored: refused, naming the key. A multiplier keeps --set as base.
sovcap_bad_input(set_lever_key ../../../scenarios/robustness.toml
  --set global.allocation=max_min_fair --set global.vendor_supply=4e6 --
  "--set: global.allocation: the sweep's lever global.allocation sets this key in every run"
  "--set: global.vendor_supply: the sweep samples global.vendor_supply in every run")
# The same when the sampled key covers every country (country.*) and --set names one.
sovcap_bad_input(set_star_sampled_key star_sampled_for_set.toml
  --set country.KOR.electricity_usd_per_mwh=90 --
  "--set: country.KOR.electricity_usd_per_mwh: the sweep samples country.*.electricity_usd_per_mwh in every run")
# dist = "from_sources" draws each value from its own low/high in the data files: a value
# the key covers without a range, an empty range, or no sources file is refused at the key.
sovcap_bad_input(from_sources_no_range from_sources_no_range.toml
  "from_sources_no_range.toml:10:19: sweep.uncertain.\"country.*.pue\": from_sources:"
  "fs_sources.csv line 14 gives no range for pue of JPN")
sovcap_bad_input(from_sources_empty_range from_sources_empty_range.toml
  "from_sources_empty_range.toml:10:37: sweep.uncertain.\"country.KOR.budget_usd_per_year\": from_sources:"
  "the range of budget_usd_per_year of KOR at" "fs_sources.csv line 5 is empty (low = 2000000000, high = 2000000000)"
  "allowed from_sources where low < high")
sovcap_bad_input(from_sources_no_sources from_sources_no_sources.toml
  "from_sources_no_sources.toml:9:21: sweep.uncertain.\"country.KOR.pue\": from_sources:"
  "names no countries sources file" "allowed with [countries] data")

#!/usr/bin/env bash
# Regenerates docs/scenarios.md: for baseline and each scenario in this folder, the
# scenario's leading comment block (question, changes, sources), the commands used, the
# table printed by `sovcap summarize --format markdown`, and the changes against baseline
# printed by `sovcap diff baseline.h5 SCENARIO.h5 --format markdown`.
#
# Usage, from anywhere:  bash scenarios/make_scenarios_doc.sh [path/to/sovcap]
# The sovcap path defaults to build/sim/sovcap under the repository root. The .h5 files go
# to a temporary directory that is removed on exit. Nothing in docs/scenarios.md is
# written by hand: edit the scenario files or this script, then run it again.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

bin=${1:-$repo/build/sim/sovcap}
if [[ ! -x $bin ]]; then
  echo "make_scenarios_doc.sh: no sovcap program at '$bin'" >&2
  echo "  build it: cmake --build build --target sovcap -j2, or pass its path" >&2
  exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# baseline first: the others are compared with it
scenarios=(baseline supply_shock export_controls grid_fast_track talent_constrained
           domestic_chips gigawatt_race sovereign_gigawatt hindcast)
# Scenarios over other years or on other data than baseline: shown, but not diffed against it.
not_compared=(hindcast)
compared() {
  local s
  for s in baseline "${not_compared[@]}"; do [[ $1 == "$s" ]] && return 1; done
  return 0
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sovcap-scenarios.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cd "$repo"
for s in "${scenarios[@]}"; do
  [[ -f scenarios/$s.toml ]] || { echo "make_scenarios_doc.sh: missing scenarios/$s.toml" >&2; exit 2; }
done

# The leading comment block of a .toml: every line up to the first line that is not a
# comment, without its '#' and one following space; trailing blank lines dropped.
comment_block() {
  awk '!/^#/ { exit } { sub(/^# ?/, ""); print }' "$1" |
    awk '{ line[NR] = $0 } /[^[:space:]]/ { last = NR } END { for (i = 1; i <= last; i++) print line[i] }'
}

doc=$tmp/scenarios.md
{
  echo "# Scenarios: results against baseline"
  echo
  echo "**This file is generated. Do not edit it by hand.** \`scenarios/make_scenarios_doc.sh\`"
  echo "writes it from the scenario files in \`scenarios/\` and the output of \`sovcap summarize\`."
  echo "To regenerate it after changing a scenario, the data set or the model, run this from the"
  echo "repository root:"
  echo
  echo '```sh'
  echo 'bash scenarios/make_scenarios_doc.sh build/sim/sovcap'
  echo '```'
  echo
  echo "Generated with \`$("$bin" --version)\`."
  echo
  echo "Every scenario but \`hindcast\` keeps baseline's \`[simulation]\` settings and data files."
  echo "Each changes only what its text says, so its table can be read against baseline's row by row."
  echo "\`hindcast\` runs 2024-2026 on data of its own, a calibration check, and is not diffed"
  echo "against baseline."
  echo
  echo "How to read the tables:"
  echo
  echo "- **1 GW** is the first year a country's AI IT capacity reaches 1,000 MW."
  echo "- **final target** is the first year it reaches the MW of its last milestone."
  echo "- **never** means not by the end of the run."
  echo "- **MW** columns give capacity in service at the year shown."
  echo "- **EFLOP/s**, **TWh/yr** and **spent \$B** are effective compute, energy use and money"
  echo "  spent (capital and operating) at the end."
  echo "- The **period** columns give the bottleneck code of most quarterly steps in that period."
  echo "  The share of steps is added when it is below 100%."
  echo "- **mean shortfall, held back by** gives the MW by which capacity fell short of the"
  echo "  target path, averaged over the steps, and the two constraints that held back most of"
  echo "  it over the run (\`held_back_share\`; \`lead_time\` is what was still being built)."
  echo "- The codes (\`on_track\`, \`lead_time\`, \`power\`, \`capital\`, \`talent\`,"
  echo "  \`export_controls\`, \`chip_market\`) are defined in [model.md](model.md), section 8."
  echo
  echo "The \"Against baseline\" lists under each scenario are printed by"
  echo "\`sovcap diff baseline.h5 SCENARIO.h5 --format markdown\`: the median years, the dominant"
  echo "bottleneck per period and, where it moved by more than 1%, effective compute at the end."
  echo "A shift in years is given as scenario minus baseline (\`sovcap diff\` without"
  echo "\`--format markdown\` gives every metric of the summary, with B - A)."
  echo "Where a scenario changes a country's targets, its final target is the scenario's own."
  for s in "${scenarios[@]}"; do
    "$bin" run "scenarios/$s.toml" -o "$tmp/$s.h5" --quiet
    (cd "$tmp" && "$bin" summarize "$s.h5" --format markdown) > "$tmp/$s.md"
    echo
    echo "## $s"
    echo
    comment_block "scenarios/$s.toml"
    echo
    echo "Commands (from the repository root; \`sovcap\` is \`build/sim/sovcap\`):"
    echo
    echo '```sh'
    echo "sovcap run scenarios/$s.toml -o $s.h5"
    echo "sovcap summarize $s.h5 --format markdown"
    if compared "$s"; then echo "sovcap diff baseline.h5 $s.h5 --format markdown"; fi
    echo '```'
    echo
    cat "$tmp/$s.md"
    if compared "$s"; then
      echo
      echo "Against baseline:"
      echo
      (cd "$tmp" && "$bin" diff baseline.h5 "$s.h5" --format markdown)
    fi
  done
} > "$doc"

mkdir -p docs
cp "$doc" docs/scenarios.md
echo "wrote docs/scenarios.md (${#scenarios[@]} scenarios)"

#!/usr/bin/env bash
# Regenerates docs/scenarios.md: for baseline and each scenario in this folder, the
# scenario's leading comment block (question, changes, sources), the commands used, the
# table printed by `sovcap summarize --format markdown`, and the changes against baseline
# computed from `sovcap summarize --format csv`.
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
           domestic_chips gigawatt_race)

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

# Lines comparing a scenario's summary CSV with baseline's, by country: 1 GW year,
# final-target year, dominant bottleneck per period, and compute at the last reported
# year where it moved by more than 1%. Columns are found by their header
# names, so the order of the CSV's columns does not matter.
compare() {
  awk -v base_file="$1" -v scen_file="$2" '
    function split_csv(line, out,   n, i, c, q, field) {
      n = 0; field = ""; q = 0
      for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
          if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { field = field c; i++ } else q = 0 }
          else field = field c
        } else if (c == "\"") q = 1
        else if (c == ",") { out[++n] = field; field = "" }
        else field = field c
      }
      out[++n] = field
      return n
    }
    function year(v) { return (v == "inf" || v == "nan" || v == "") ? "never" : sprintf("%.2f", v) }
    function shift(a, b) {
      if (a == "never" || b == "never") return ""
      return sprintf(" (%+.2f yr)", b - a)
    }
    function load(file, tag,   line, n, f, i, k, iso) {
      if ((getline line < file) <= 0) { print "cannot read " file > "/dev/stderr"; exit 1 }
      n = split_csv(line, f)
      gw = tg = fl = 0; np = 0
      for (i = 1; i <= n; i++) {
        if (f[i] == "year_reach_p50") gw = i
        else if (f[i] == "year_target_p50") tg = i
        else if (f[i] ~ /^bottleneck_[0-9]/) { per[++np] = i; pname[np] = substr(f[i], 12) }
        else if (f[i] ~ /^compute_flops_[0-9]/) { fl = i; flyear = substr(f[i], 15) + 0 }
      }
      if (!gw || !tg || !np || !fl) { print "unexpected summary CSV header in " file > "/dev/stderr"; exit 1 }
      while ((getline line < file) > 0) {
        split_csv(line, f)
        iso = f[1]
        if (tag == "b") { bgw[iso] = year(f[gw]); btg[iso] = year(f[tg]); bfl[iso] = f[fl] + 0; for (k = 1; k <= np; k++) bb[iso, k] = f[per[k]] }
        else { order[++nc] = iso; sgw[iso] = year(f[gw]); stg[iso] = year(f[tg]); sfl[iso] = f[fl] + 0; for (k = 1; k <= np; k++) sb[iso, k] = f[per[k]] }
      }
      close(file)
    }
    BEGIN {
      load(base_file, "b"); load(scen_file, "s")
      g = t = b = e = ""
      for (i = 1; i <= nc; i++) {
        iso = order[i]
        if (!(iso in bgw)) { g = g sep(g) iso " not in baseline"; continue }
        if (sgw[iso] != bgw[iso]) g = g sep(g) iso " " bgw[iso] " → " sgw[iso] shift(bgw[iso], sgw[iso])
        if (stg[iso] != btg[iso]) t = t sep(t) iso " " btg[iso] " → " stg[iso] shift(btg[iso], stg[iso])
        for (k = 1; k <= np; k++)
          if (sb[iso, k] != bb[iso, k]) b = b sep(b) iso " " pname[k] " " bb[iso, k] " → " sb[iso, k]
        if (bfl[iso] > 0 && (sfl[iso] / bfl[iso] > 1.01 || sfl[iso] / bfl[iso] < 0.99))
          e = e sep(e) iso " " sprintf("%.0f → %.0f (%+.0f%%)", bfl[iso] / 1e18, sfl[iso] / 1e18, 100 * (sfl[iso] / bfl[iso] - 1))
      }
      print "- Year 1 GW is reached: " (g == "" ? "no change for any country." : g ".")
      print "- Year the final target is reached: " (t == "" ? "no change for any country." : t ".")
      print "- Dominant bottleneck per period: " (b == "" ? "no change for any country." : b ".")
      print "- Effective compute in " flyear ", EFLOP/s, where it moved by more than 1%: " (e == "" ? "no country." : e ".")
    }
    function sep(s) { return s == "" ? "" : "; " }
  '
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
  echo "Every scenario keeps baseline's \`[simulation]\` settings and data files. Each changes only"
  echo "what its text says, so its table can be read against baseline's row by row."
  echo
  echo "How to read the tables:"
  echo
  echo "- **reach 1000 MW** is the first year a country's AI IT capacity reaches 1,000 MW (the"
  echo "  first quarterly step at or above it)."
  echo "- **final target** is the first year it reaches the MW of its last milestone."
  echo "- **never** means not by the end of the run."
  echo "- **MW** columns give capacity in service at the year shown."
  echo "- **EFLOP/s**, **TWh/yr** and **spent \$B by** are effective compute, energy use and money"
  echo "  spent (capital and operating) at the year shown, the end."
  echo "- The **period** columns give the bottleneck code of most quarterly steps in that period."
  echo "  The share of steps is added when it is below 100%."
  echo "- The codes (\`on_track\`, \`lead_time\`, \`power\`, \`capital\`, \`talent\`, \`chips\`) are"
  echo "  defined in [model.md](model.md), section 8."
  echo
  echo "The \"Against baseline\" lists under each scenario are computed from"
  echo "\`sovcap summarize --format csv\`. A shift in years is given as scenario minus baseline."
  echo "Where a scenario changes a country's targets, its final target is the scenario's own."
  for s in "${scenarios[@]}"; do
    "$bin" run "scenarios/$s.toml" -o "$tmp/$s.h5" --quiet
    (cd "$tmp" && "$bin" summarize "$s.h5" --format markdown) > "$tmp/$s.md"
    (cd "$tmp" && "$bin" summarize "$s.h5" --format csv) > "$tmp/$s.csv"
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
    echo '```'
    echo
    cat "$tmp/$s.md"
    if [[ $s != baseline ]]; then
      echo
      echo "Against baseline:"
      echo
      compare "$tmp/baseline.csv" "$tmp/$s.csv"
    fi
  done
} > "$doc"

mkdir -p docs
cp "$doc" docs/scenarios.md
echo "wrote docs/scenarios.md (${#scenarios[@]} scenarios)"

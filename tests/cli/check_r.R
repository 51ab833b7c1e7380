# Reads a sovcap results file with R's ncdf4 (Debian: r-cran-ncdf4) and checks it against
# `sovcap summarize --format json` of the same single-run file: it_mw of KOR at the horizon
# and year_gw_reached of KOR, run 0. Exits 1 on any mismatch.
#
# usage: Rscript check_r.R FILE SUMMARY.json

suppressPackageStartupMessages(library(ncdf4))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) {
  cat("usage: Rscript check_r.R FILE SUMMARY.json\n", file = stderr())
  quit(status = 2)
}
country <- "KOR"
failures <- character(0)
fail <- function(msg) failures <<- c(failures, msg)

# ---- What summarize printed. Base R has no JSON reader: render() writes one country per
# line, so the line of KOR is found and its fields read by pattern.
json <- readLines(args[2], warn = FALSE)
field <- function(text, pattern) {
  m <- regmatches(text, regexec(pattern, text))[[1]]
  if (length(m) < 2) stop(sprintf("summary: no match for %s", pattern))
  m[2]
}
number <- function(s) if (trimws(s) == "null") NA_real_ else as.numeric(s)
numbers <- function(s) sapply(strsplit(s, ",")[[1]], number, USE.NAMES = FALSE)
years <- numbers(field(paste(json, collapse = " "), '"years": \\[([^]]*)\\]'))
line <- json[grepl(sprintf('"iso3": "%s"', country), json, fixed = TRUE)]
if (length(line) != 1) stop(sprintf("summary: %d lines for %s", length(line), country))
want_it <- tail(numbers(field(line, '"it_mw": \\[([^]]*)\\]')), 1)
want_gw <- number(field(line, '"year_reached": \\{"p10": [^,]*, "p50": ([^,]*),'))

# ---- The file, as an R user reads it (dimensions come back reversed).
nc <- nc_open(args[1])
countries <- ncvar_get(nc, "country")
time <- ncvar_get(nc, "time")
runs <- ncvar_get(nc, "run")
it_mw <- ncvar_get(nc, "it_mw", collapse_degen = FALSE)            # [time, country, run]
gw <- ncvar_get(nc, "year_gw_reached", collapse_degen = FALSE)     # [country, run]
nc_close(nc)

k <- which(countries == country)
r <- which(runs == 0)
if (length(k) != 1 || length(r) != 1) stop(sprintf("no %s or no run 0 in %s", country, args[1]))
if (!identical(dim(it_mw), c(length(time), length(countries), length(runs))))
  fail(sprintf("it_mw has dimensions %s", paste(dim(it_mw), collapse = " x ")))
got_it <- it_mw[length(time), k, r]
got_gw <- gw[k, r]

same <- function(a, b) {
  if (is.na(a) || is.na(b)) return(is.na(a) && is.na(b))  # NaN in the file, null: never
  abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))               # summarize prints 10 digits
}
if (!same(time[length(time)], years[length(years)]))
  fail(sprintf("last time %.17g, summary's last year %.17g", time[length(time)], years[length(years)]))
if (!same(got_it, want_it))
  fail(sprintf("it_mw of %s, run 0, at %g is %.17g; summarize printed %.17g", country,
               time[length(time)], got_it, want_it))
if (!same(got_gw, want_gw))
  fail(sprintf("year_gw_reached of %s, run 0, is %.17g; summarize printed %.17g", country,
               got_gw, want_gw))

if (length(failures) > 0) {
  for (f in failures) cat("check_r: FAIL:", f, "\n", file = stderr())
  quit(status = 1)
}
cat(sprintf("check_r: it_mw %.17g, year_gw_reached %.17g match summarize (R %s, ncdf4 %s)\n",
            got_it, got_gw, paste(R.version$major, R.version$minor, sep = "."),
            as.character(packageVersion("ncdf4"))))

# Generates tests/data/boin_comb_oc.csv: BOIN's get.oc.comb (single MTD) on two scenarios,
# the reference of the slow test tests/dose/test_combination.py::test_get_oc_comb (#23).
#
# Run from the repository root (needs R, BOIN 2.7.2 and Iso from their CRAN sources):
#   Rscript tests/data/make_boin_comb_oc.R > tests/data/boin_comb_oc.csv
# Produced with R 4.2.2, BOIN 2.7.2, Iso 0.0-21; 4000 trials each, seed 6 (the default).
# Scenario "doc" is the 3 x 5 grid of get.oc.comb's documentation example (N = 60; the
# example's n.earlystop = 12 is left at 100 here: next.comb and get.oc.comb apply
# n.earlystop differently, see docs/combination.md); "square" a 3 x 3 grid, N = 36.
# Columns: scenario, a, b (1-based), tox, selpercent, npatients (get.oc.comb's outputs,
# unrounded: recomputed from its own rounding-free fields is not possible, so 2 decimals).
suppressPackageStartupMessages(library(BOIN))
stopifnot(packageVersion("BOIN") == "2.7.2")
cases <- list(
  doc = list(p = matrix(c(0.01, 0.03, 0.10, 0.20, 0.30,
                          0.03, 0.05, 0.15, 0.30, 0.60,
                          0.08, 0.10, 0.30, 0.60, 0.75), byrow = TRUE, ncol = 5),
             ncohort = 20),
  square = list(p = matrix(c(0.05, 0.10, 0.20,
                             0.10, 0.25, 0.40,
                             0.30, 0.45, 0.60), byrow = TRUE, ncol = 3),
                ncohort = 12))
cat("scenario,a,b,tox,selpercent,npatients\n")
for (name in names(cases)) {
  cs <- cases[[name]]
  oc <- get.oc.comb(target = 0.3, p.true = cs$p, ncohort = cs$ncohort, cohortsize = 3,
                    ntrial = 4000)
  for (a in 1:nrow(cs$p)) for (b in 1:ncol(cs$p))
    cat(name, a, b, cs$p[a, b], oc$selpercent[a, b], oc$npatients[a, b], sep = ",", "\n")
  cat(name, "none", "none", "", 100 - sum(oc$selpercent), "", sep = ",", "\n")
}

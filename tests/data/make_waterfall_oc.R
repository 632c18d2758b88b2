# Generates tests/data/waterfall_oc.csv: BOIN's get.oc.comb(..., mtd.contour = TRUE), the
# waterfall design, on two scenarios: the reference of the slow test
# tests/dose/test_combination_waterfall.py::test_get_oc_comb_waterfall (issue #23).
#
# Run from the repository root (needs R, BOIN 2.7.2 and Iso from their CRAN sources):
#   Rscript tests/data/make_waterfall_oc.R > tests/data/waterfall_oc.csv
# Produced with R 4.2.2, BOIN 2.7.2, Iso 0.0-21; 2000 trials each, seed 6 (the default).
# Scenario "doc" is the 3 x 5 grid of get.oc.comb's documentation example of the waterfall
# (ncohort = c(10, 5, 5), cohortsize 3, n.earlystop 12; its 100 trials raised to 2000);
# "square" a 3 x 3 grid with BOIN's default ncohort (ceiling(1.33 x (5, 2, 2)) = 7, 3, 3).
# Columns: scenario, a, b (1-based), tox, selpercent (% of trials whose contour holds the
# combination), npatients (BOIN's: it drops a subtrial that ends without a pick); a row
# "pcs" with pcs.contour (%).
suppressPackageStartupMessages(library(BOIN))
stopifnot(packageVersion("BOIN") == "2.7.2")
cases <- list(
  doc = list(p = matrix(c(0.01, 0.03, 0.10, 0.20, 0.30,
                          0.03, 0.05, 0.15, 0.30, 0.60,
                          0.08, 0.10, 0.30, 0.60, 0.75), byrow = TRUE, ncol = 5),
             ncohort = c(10, 5, 5)),
  square = list(p = matrix(c(0.05, 0.10, 0.20,
                             0.10, 0.25, 0.40,
                             0.30, 0.45, 0.60), byrow = TRUE, ncol = 3),
                ncohort = c(7, 3, 3)))
cat("scenario,a,b,tox,selpercent,npatients\n")
for (name in names(cases)) {
  cs <- cases[[name]]
  oc <- get.oc.comb(target = 0.3, p.true = cs$p, ncohort = cs$ncohort, cohortsize = 3,
                    n.earlystop = 12, ntrial = 2000, mtd.contour = TRUE)
  for (a in 1:nrow(cs$p)) for (b in 1:ncol(cs$p))
    cat(name, a, b, cs$p[a, b], oc$selpercent[a, b], oc$npatients[a, b], sep = ",", "\n")
  cat(name, "pcs", "pcs", "", sub("%", "", oc$pcs.contour), "", sep = ",", "\n")
}

# Generates tests/data/keyboard_comb_oc.csv: Keyboard's get.oc.comb.kb on two scenarios, the
# reference of the slow test tests/dose/test_combination_keyboard.py::test_get_oc_comb_kb
# (issue #23).
#
# Run from the repository root (needs R, Keyboard 0.1.3 and Iso from their CRAN sources):
#   Rscript tests/data/make_keyboard_comb_oc.R > tests/data/keyboard_comb_oc.csv
# Produced with R 4.2.2, Keyboard 0.1.3, Iso 0.0-21; 4000 trials each (get.oc.comb.kb seeds
# itself: set.seed(6)).  Scenario "doc" is the 3 x 5 grid of get.oc.comb.kb's documentation
# example (N = 60, n.earlystop = 12, as documented; its 100 trials raised to 4000);
# "square" a 3 x 3 grid, N = 36, n.earlystop = 100.
# Columns: scenario, a, b (1-based), tox, selpercent, npatients (unrounded means), and a
# "none" row with pctearlystop.
suppressPackageStartupMessages(library(Keyboard))
stopifnot(packageVersion("Keyboard") == "0.1.3")
cases <- list(
  doc = list(p = matrix(c(0.01, 0.03, 0.10, 0.20, 0.30,
                          0.03, 0.05, 0.15, 0.30, 0.60,
                          0.08, 0.10, 0.30, 0.60, 0.75), byrow = TRUE, ncol = 5),
             ncohort = 20, es = 12),
  square = list(p = matrix(c(0.05, 0.10, 0.20,
                             0.10, 0.25, 0.40,
                             0.30, 0.45, 0.60), byrow = TRUE, ncol = 3),
                ncohort = 12, es = 100))
cat("scenario,a,b,tox,selpercent,npatients\n")
for (name in names(cases)) {
  cs <- cases[[name]]
  oc <- get.oc.comb.kb(target = 0.3, p.true = cs$p, ncohort = cs$ncohort, cohortsize = 3,
                       n.earlystop = cs$es, startdose = c(1, 1), ntrial = 4000)
  for (a in 1:nrow(cs$p)) for (b in 1:ncol(cs$p))
    cat(name, a, b, cs$p[a, b], oc$selpercent[a, b], oc$nptsdose[a, b], sep = ",", "\n")
  cat(name, "none", "none", "", oc$pctearlystop, "", sep = ",", "\n")
}

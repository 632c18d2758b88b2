# Cross-check data for designcalc's randomised selection (tests/binary/test_randomised.py):
# clinfun::pselect on random cases (equal n per arm).
# Run: Rscript tests/data/make_randomised_pselect.R > tests/data/randomised_pselect_clinfun.csv
suppressMessages(library(clinfun))
set.seed(20261205)
cat(sprintf("# clinfun %s, R %s\n", packageVersion("clinfun"), getRversion()))
cat("n,p,min_diff,min_resp,select,inconclusive,none_worthy\n")
for (case in 1:40) {
  k <- sample(2:4, 1)
  n <- sample(5:40, 1)
  p <- round(runif(k, 0.05, 0.7), 2)
  min_diff <- if (case %% 3 == 0) round(runif(1, 0.05, 0.2), 2) else sample(1:3, 1)
  min_resp <- if (case %% 4 == 0) sample(1:4, 1) else 0
  out <- pselect(n, p, min.diff = min_diff, min.resp = min_resp)
  none <- if (is.null(out$prob.none.worthy)) 0 else out$prob.none.worthy
  cat(sprintf("%d,%s,%g,%d,%s,%.15g,%.15g\n", n, paste(p, collapse = ";"), min_diff,
              min_resp, paste(sprintf("%.15g", out$prob.selection[, 3]), collapse = ";"),
              out$prob.inconclusive, none))
}

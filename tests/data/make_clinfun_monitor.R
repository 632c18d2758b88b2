# Generates tests/data/clinfun_monitor.csv: clinfun's toxicity / futility monitoring
# boundaries (toxbdry, futilbdry) and their operating characteristics on random inputs,
# the reference for tests/binary/test_monitor.py::test_clinfun_random_cases (issue #21).
#
# Run from the repository root (needs R and clinfun 1.1.5, installed from its CRAN source):
#   Rscript tests/data/make_clinfun_monitor.R > tests/data/clinfun_monitor.csv
# The output was produced with R 4.2.2 and clinfun 1.1.5 (mvtnorm 1.1-3).
#
# Inputs are random (seed below): p0 < p1 on a 0.01 grid, 2-8 looks at random sample
# sizes up to 60, random size / power (0.01 grid), the boundary shape delta drawn from
# {0 (Pocock), 0.5 (O'Brien-Fleming), uniform on [0, 0.5] (0.01 grid)}, priority
# null / alt for toxbdry, niter mostly 10 (clinfun's default), sometimes 3 or 20.
# Case 0 is the fixed example of issue #21 (futilbdry(0.3, 0.4, c(10,20,30,40), delta=0.5)).
# A call that stops with an R error is written with status "error" and its message.
# Columns: kind, p0, p1, looks, size, power, delta, priority, niter (the designcalc
# arguments); lo_bdry / hi_bdry (clinfun's lo.bdry / hi.bdry); warned (clinfun's "Max
# sample size ... may be small" warning); p (clinfun's grid: ptox for toxbdry, presp for
# futilbdry); cross_lo, pstop_lo, ess_lo, cross_hi, pstop_hi, ess_hi (bdry.oc columns,
# cross = pcross for toxbdry, peffective for futilbdry), values at the grid points,
# ";"-separated, 12 significant digits; lo_stale / hi_stale: TRUE when clinfun's own
# bdrycross.prob of the printed lo.bdry / hi.bdry does NOT give the printed bdry.oc
# column (getBoundary moves alpha0/alpha1 and their crossing probabilities while
# bracketing the target but not always the boundaries r0/r1, so the boundary it returns
# can be an older one than the one its OC table describes).
suppressPackageStartupMessages(library(clinfun))
stopifnot(packageVersion("clinfun") == "1.1.5")

set.seed(20261205)
ncase <- 400

fmt <- function(x) paste(sprintf("%.12g", x), collapse = ";")

one_case <- function(case, kind, p0, p1, looks, size, power, delta, priority, niter) {
  warned <- FALSE
  res <- tryCatch(withCallingHandlers({
    if (kind == "toxicity") {
      toxbdry(p0, p1, looks, cP0 = size, cP1 = power, niter = niter, delta = delta,
              priority = priority)
    } else {
      futilbdry(p0, p1, looks, size = size, power = power, niter = niter, delta = delta)
    }
  }, warning = function(w) {
    if (grepl("may be small", conditionMessage(w))) warned <<- TRUE
    invokeRestart("muffleWarning")
  }), error = function(e) e)
  row <- data.frame(case = case, kind = kind, p0 = p0, p1 = p1,
                    looks = paste(looks, collapse = ";"), size = size, power = power,
                    delta = delta, priority = priority, niter = niter,
                    stringsAsFactors = FALSE)
  if (inherits(res, "error")) {
    row$status <- paste("error:", gsub("[\r\n,]", " ", conditionMessage(res)))
    row[c("lo_bdry", "hi_bdry", "warned", "p", "cross_lo", "pstop_lo", "ess_lo",
          "cross_hi", "pstop_hi", "ess_hi", "lo_stale", "hi_stale")] <- ""
    return(row)
  }
  oc <- res$bdry.oc
  row$status <- "ok"
  row$lo_bdry <- paste(res$lo.bdry, collapse = ";")
  row$hi_bdry <- paste(res$hi.bdry, collapse = ";")
  row$warned <- warned
  row$p <- fmt(oc[, 1])
  row$cross_lo <- fmt(oc[, 2]); row$pstop_lo <- fmt(oc[, 3]); row$ess_lo <- fmt(oc[, 4])
  row$cross_hi <- fmt(oc[, 5]); row$pstop_hi <- fmt(oc[, 6]); row$ess_hi <- fmt(oc[, 7])
  # does the printed boundary have the printed crossing probabilities?
  own_cross <- function(bdry) {
    if (kind == "toxicity") return(clinfun:::bdrycross.prob(looks, bdry, oc[, 1])[, 2])
    1 - clinfun:::bdrycross.prob(looks, looks - bdry - 1, 1 - oc[, 1])[, 2]
  }
  row$lo_stale <- max(abs(own_cross(res$lo.bdry) - oc[, 2])) > 1e-9
  row$hi_stale <- max(abs(own_cross(res$hi.bdry) - oc[, 5])) > 1e-9
  row
}

rows <- list(one_case(0, "futility", 0.3, 0.4, c(10, 20, 30, 40), 0.1, 0.9, 0.5, "alt", 10))
for (case in seq_len(ncase)) {
  kind <- sample(c("toxicity", "futility"), 1)
  k <- sample(2:8, 1)
  nmax <- sample(max(k, 8):60, 1)
  looks <- sort(c(sample(seq_len(nmax - 1), k - 1), nmax))
  p0 <- round(runif(1, 0.05, 0.6), 2)
  p1 <- round(min(p0 + runif(1, 0.05, 0.35), 0.95), 2)
  size <- round(runif(1, 0.02, 0.25), 2)
  power <- round(runif(1, 0.7, 0.97), 2)
  delta <- switch(sample(3, 1), 0, 0.5, round(runif(1, 0, 0.5), 2))
  priority <- if (kind == "toxicity") sample(c("null", "alt"), 1) else "alt"
  niter <- sample(c(10, 10, 10, 3, 20), 1)
  rows[[case + 1]] <- one_case(case, kind, p0, p1, looks, size, power, delta, priority, niter)
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE, quote = TRUE)

# Generates tests/data/boin_comb_cases.csv: BOIN's next.comb and select.mtd.comb on random
# drug-combination data, the reference for tests/dose/test_combination.py (issue #23).
#
# Run from the repository root (needs R, BOIN 2.7.2 and Iso, installed from their CRAN
# sources):   Rscript tests/data/make_boin_comb.R > tests/data/boin_comb_cases.csv
# The output was produced with R 4.2.2, BOIN 2.7.2 and Iso 0.0-21.
#
# Each case: a J x K grid (2 <= J <= K <= 5), a target in {0.2, 0.25, 0.3, 0.33}, patients
# per dose 0 (probability 0.35) or 1-15, DLTs binomial under a random increasing
# toxicity grid, the current dose a random treated one, extrasafe and boundMTD at random,
# n.earlystop 100 or 12.  next.comb breaks ties at random, so it is called with seeds
# 1..40 and every answer it gave is kept.
# Columns: case, target, J, K, npts, ntox (row-major, ";"-separated), cur_a, cur_b,
# n_earlystop, extrasafe, bound_mtd; next (the answers of next.comb, "a/b" joined by "|",
# "stop" when it ends the trial); mtd (select.mtd.comb, "a,b" or "none"); contour
# (mtd.contour = TRUE: "a/b" per row joined by "|", or "none").
suppressPackageStartupMessages(library(BOIN))
stopifnot(packageVersion("BOIN") == "2.7.2")
set.seed(20261205)
ncase <- 240
fmt <- function(m) paste(as.vector(t(m)), collapse = ";")
cat("case,target,J,K,npts,ntox,cur_a,cur_b,n_earlystop,extrasafe,bound_mtd,next,mtd,contour\n")
for (i in 1:ncase) {
  J <- sample(2:4, 1); K <- sample(J:5, 1)
  target <- sample(c(0.2, 0.25, 0.3, 0.33), 1)
  base <- outer(1:J, 1:K, "+")
  p <- pmin(0.95, sort(runif(1, 0.01, 0.15)) + (base - 2) * runif(1, 0.02, 0.15))
  n <- matrix(ifelse(runif(J * K) < 0.35, 0, sample(1:15, J * K, replace = TRUE)), J, K)
  n[1, 1] <- max(n[1, 1], 1)
  y <- matrix(rbinom(J * K, n, p), J, K)
  treated <- which(n > 0, arr.ind = TRUE)
  cur <- treated[sample(nrow(treated), 1), ]
  es <- sample(c(100, 12), 1, prob = c(0.7, 0.3))
  xs <- runif(1) < 0.3; bm <- runif(1) < 0.3
  ans <- unique(sapply(1:40, function(s) {
    set.seed(s)
    invisible(capture.output(r <- next.comb(target, n, y, cur, n.earlystop = es, extrasafe = xs)))
    if (any(is.na(r$next_dc))) "stop" else paste(r$next_dc, collapse = "/")
  }))
  set.seed(20261205 + i)
  invisible(capture.output(s <- select.mtd.comb(target, n, y, extrasafe = xs, boundMTD = bm)))
  mtd <- if (length(s$MTD) < 2 || s$MTD[1] == 99) "none" else paste(s$MTD[1, ], collapse = "/")
  invisible(capture.output(s2 <- select.mtd.comb(target, n, y, extrasafe = xs, boundMTD = bm,
                                                 mtd.contour = TRUE)))
  m2 <- s2$MTD
  contour <- if (length(m2) < 2 || all(m2 == 99)) "none" else
    paste(apply(matrix(m2, ncol = 2), 1, paste, collapse = "/"), collapse = "|")
  cat(i, target, J, K, fmt(n), fmt(y), cur[1], cur[2], es, xs, bm,
      paste(sort(ans), collapse = "|"), mtd, contour, sep = ",")
  cat("\n")
}

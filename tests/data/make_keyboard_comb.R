# Generates tests/data/keyboard_comb_cases.csv: Keyboard's next.comb.kb and select.mtd.comb.kb
# on random drug-combination data, the reference for tests/dose/test_combination_keyboard.py
# (issue #23), and tests/data/keyboard_comb_boundaries.csv: get.boundary.comb.kb's tables.
#
# Run from the repository root (needs R, Keyboard 0.1.3 and Iso, installed from their CRAN
# sources):   Rscript tests/data/make_keyboard_comb.R
# The output was produced with R 4.2.2, Keyboard 0.1.3 and Iso 0.0-21.
#
# next.comb.kb 0.1.3 calls get.boundary.comb.kb(target, ncohort = 150, cohortsize = 1,
# marginL, marginR, cutoff.eli): the three unnamed arguments land in the formals
# n.earlystop, marginL, marginR, so its boundary table is that of the target key
# [target - marginR, target + cutoff.eli] (with the defaults: [0.25, 1.25] for target 0.3,
# which never de-escalates short of elimination).  The column next_kb is that answer
# (defaults, as documented); the column next is next.comb.kb called with marginL =
# marginR = m, cutoff.eli = m and offset = m - (0.95 - 0.05 offset), which gives it the
# boundary table of the target key [target - m, target + m] with cutoff.eli 0.95 (the one
# get.oc.comb.kb simulates) and the extra-safe cutoff 0.90 = 0.95 - 0.05: the design as
# published (Pan, Lin & Yuan 2020).  next.comb.kb calls set.seed(1) first, so a tie of two
# moves always goes to the first, the move along drug A (runif(1) = 0.2655).
#
# Each case: a J x K grid (2 <= J <= K <= 5), a target in {0.2, 0.25, 0.3, 0.33}, margin
# m in {0.05, 0.05, 0.04, 0.06}, patients per dose 0 (probability 0.35) or 1-15 (one dose
# in four: a multiple of 3 up to 30), DLTs binomial under a random increasing toxicity
# grid, the current dose a random treated one, extrasafe at random, n.earlystop 100 or 12.
# Columns: case, target, margin, J, K, npts, ntox (row-major, ";"-separated), cur_a,
# cur_b, n_earlystop, extrasafe; next, next_kb ("a/b", "stop" when the trial ends,
# "error" when next.comb.kb stops with an error); mtd (select.mtd.comb.kb, "a/b" or
# "none").
suppressPackageStartupMessages(library(Keyboard))
stopifnot(packageVersion("Keyboard") == "0.1.3")
ncase <- 240
fmt <- function(m) paste(as.vector(t(m)), collapse = ";")
ans <- function(expr) tryCatch({
  invisible(capture.output(r <- suppressWarnings(expr)))
  if (any(is.na(r$next_dc))) "stop" else paste(r$next_dc, collapse = "/")
}, error = function(e) "error")
out <- c("case,target,margin,J,K,npts,ntox,cur_a,cur_b,n_earlystop,extrasafe,next,next_kb,mtd")
for (i in 1:ncase) {
  set.seed(20261206 + i)      # next.comb.kb calls set.seed(1): reseed every case
  J <- sample(2:4, 1); K <- sample(J:5, 1)
  target <- sample(c(0.2, 0.25, 0.3, 0.33), 1)
  m <- sample(c(0.05, 0.05, 0.04, 0.06), 1)
  base <- outer(1:J, 1:K, "+")
  p <- pmin(0.95, runif(1, 0.01, 0.15) + (base - 2) * runif(1, 0.02, 0.15))
  n <- matrix(ifelse(runif(J * K) < 0.35, 0,
                     ifelse(runif(J * K) < 0.25, 3 * sample(1:10, J * K, replace = TRUE),
                            sample(1:15, J * K, replace = TRUE))), J, K)
  n[1, 1] <- max(n[1, 1], 1)
  y <- matrix(rbinom(J * K, n, p), J, K)
  treated <- which(n > 0, arr.ind = TRUE)
  cur <- treated[sample(nrow(treated), 1), ]
  es <- sample(c(100, 12), 1, prob = c(0.7, 0.3))
  xs <- runif(1) < 0.3
  nxt <- ans(next.comb.kb(target, n, y, cur, n.earlystop = es, marginL = m, marginR = m,
                          cutoff.eli = m, extrasafe = xs, offset = m - 0.9))
  nkb <- ans(next.comb.kb(target, n, y, cur, n.earlystop = es, extrasafe = xs))
  invisible(capture.output(s <- suppressWarnings(
    select.mtd.comb.kb(target, n, y, extrasafe = xs))))
  mtd <- if (length(s$MTD) < 2 || s$MTD[1] == 99) "none" else paste(s$MTD[1, ], collapse = "/")
  out <- c(out, paste(i, target, m, J, K, fmt(n), fmt(y), cur[1], cur[2], es, xs, nxt, nkb,
                      mtd, sep = ","))
}
writeLines(out, "tests/data/keyboard_comb_cases.csv")

# the boundary tables (n = 1..30) for each target and margin
rows <- c("target,margin,n,escalate,deescalate,eliminate")
for (target in c(0.2, 0.25, 0.3, 0.33)) for (m in c(0.04, 0.05, 0.06)) {
  b <- get.boundary.comb.kb(target, ncohort = 30, cohortsize = 1, marginL = m, marginR = m,
                            extrasafe = FALSE)$boundary
  for (j in 1:30) rows <- c(rows, paste(target, m, j, b[2, j], b[3, j], b[4, j], sep = ","))
}
writeLines(rows, "tests/data/keyboard_comb_boundaries.csv")

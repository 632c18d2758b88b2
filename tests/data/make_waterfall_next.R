# Random cases of BOIN 2.7.2's next.subtrial (the waterfall's hand-over between subtrials)
# for tests/dose/test_combination_waterfall_next.py.  Run (BOIN 2.7.2 and Iso installed from
# source into a private library):
#   R_LIBS=/tmp/comb3lib Rscript tests/data/make_waterfall_next.R > tests/data/waterfall_next_cases.csv
suppressMessages(library(BOIN))
set.seed(20261206)
cat("target,rows,cols,extrasafe,n,dlt,next_a,next_b\n")
for (case in 1:300) {
  J <- sample(2:3, 1)
  K <- sample(J:5, 1)
  target <- sample(c(0.2, 0.25, 0.3, 0.33), 1)
  extrasafe <- runif(1) < 0.3
  space <- list()
  space[[J]] <- c(1:(J - 1), (1:K) * J)               # column-major cells, as next.subtrial
  for (j in (J - 1):1) space[[j]] <- (2:K) * J - (J - j)
  cur <- sample(c(1, 2:J, 2:J), 1)
  n <- matrix(0, J, K)
  y <- matrix(0, J, K)
  p <- runif(J * K, 0, 0.5)
  for (k in J:cur) {
    cells <- space[[k]]
    m <- 3 * sample(0:5, length(cells), replace = TRUE)
    m[1] <- max(m[1], 3)
    n[cells] <- m
    y[cells] <- rbinom(length(cells), m, p[cells])
  }
  out <- NULL
  invisible(capture.output(out <- next.subtrial(target, n, y, extrasafe = extrasafe)))
  s <- out$starting_dose
  flat <- function(m) paste(apply(m, 1, paste, collapse = " "), collapse = ";")
  cat(sprintf("%g,%d,%d,%d,%s,%s,%s,%s\n", target, J, K, as.integer(extrasafe), flat(n),
              flat(y), ifelse(is.na(s[1]), "NA", s[1]), ifelse(is.na(s[2]), "NA", s[2])))
}

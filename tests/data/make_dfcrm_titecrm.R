# Generates tests/data/dfcrm_titecrm.csv: dfcrm's TITE-CRM estimate (titecrm) on random
# data, the reference for tests/dose/test_titecrm.py::test_dfcrm_random_cases (issue #22).
#
# Run from the repository root (needs R and dfcrm 0.2-2.1, installed from its CRAN source):
#   Rscript tests/data/make_dfcrm_titecrm.R > tests/data/dfcrm_titecrm.csv
# The output was produced with R 4.2.2 and dfcrm 0.2-2.1.
#
# Inputs are random (seed below): 3-6 levels, a skeleton of sorted uniforms in
# (0.02, 0.75) (logistic model: below expit(3)), target in (0.1, 0.35), 1-25 patients at
# random levels with random DLTs (probability 0.25) and follow-up uniform on (0, window)
# (a DLT's follow-up is its time to DLT), window 28 or 180, linear or adaptive weights,
# empiric or logistic model (intcpt 3), scale sqrt(1.34) or 1. Case 0 is dfcrm's own
# ?titecrm example. Columns: the inputs (";"-separated lists), estimate (dfcrm
# estimate, 12 significant digits), mtd, weights (";"-separated, 12 digits).
suppressPackageStartupMessages(library(dfcrm))
stopifnot(packageVersion("dfcrm") == "0.2.2.1")

set.seed(20261205)
ncase <- 50
f <- function(x) paste(sprintf("%.12g", x), collapse = ";")
cat("case,skeleton,target,level,tox,followup,window,scheme,model,prior_var,estimate,mtd,weights\n")
for (i in 0:(ncase - 1)) {
  if (i == 0) {
    prior <- c(0.05, 0.10, 0.20, 0.35, 0.50, 0.70); target <- 0.2
    level <- c(3, 3, 3, 4, 4, 3, 2, 2, 2, 3); y <- c(0, 0, 1, 0, 1, 0, 0, 0, 0, 0)
    u <- c(178, 181, 168, 181, 24, 181, 179, 102, 42, 3); tau <- 180
    scheme <- "linear"; model <- "empiric"; scale <- sqrt(1.34)
  } else {
    k <- sample(3:6, 1)
    model <- sample(c("empiric", "logistic"), 1)
    repeat {
      prior <- round(sort(runif(k, 0.02, 0.75)), 3)
      if (all(diff(prior) > 0.01)) break
    }
    target <- round(runif(1, 0.1, 0.35), 2)
    n <- sample(1:25, 1)
    level <- sample(1:k, n, replace = TRUE)
    y <- rbinom(n, 1, 0.25)
    tau <- sample(c(28, 180), 1)
    u <- round(runif(n, 0, tau), 1)
    u[u > tau] <- tau
    scheme <- sample(c("linear", "adaptive"), 1)
    scale <- sample(c(sqrt(1.34), 1), 1)
  }
  fit <- titecrm(prior, target, y, level, followup = u, obswin = tau, scheme = scheme,
                 model = model, scale = scale, var.est = FALSE)
  cat(i, f(prior), target, paste(level, collapse = ";"), paste(y, collapse = ";"),
      f(u), tau, scheme, model, sprintf("%.12g", scale^2),
      sprintf("%.12g", fit$estimate), fit$mtd, f(fit$weights),
      sep = ",")
  cat("\n")
}

# Exact two-stage basket OC from the R package baskexact (1.0.1, CRAN), the peer of
# designcalc's two-stage borrowing designs (issue #24, item 3b); compared by
# tests/binary/test_basket.py::test_two_stage_matches_baskexact_random_settings.
#
#   Rscript tests/data/make_basket_twostage_baskexact.R > tests/data/basket_twostage_baskexact.csv
#
# baskexact 1.0.1 was installed from its CRAN source (with Debian's r-cran-extradistr,
# arrangements from its CRAN source; the unused doFuture import removed, it is only for
# baskexact's parallel calibration functions).  20 random settings, seed 20261206: k = 2 or 3
# baskets, small n1, n2 (baskexact's two-stage functions loop in R), the three weight
# functions, both interim rules, with and without efficacy stops.  Prior Beta(1, 1) where
# the interim is predictive (baskexact's get_crit uses shape1 for both shapes).  toer(results =
# "group") fails when no interim outcome or exactly one stops for efficacy (a matrix dropped
# to a vector: "'x' must be an array of at least two dimensions"); the per-basket rejection
# probabilities are then NA and the FWER is toer(results = "fwer")'s.
suppressMessages(library(baskexact))
set.seed(20261206)
rows <- list()
for (s in 1:20) {
  k <- sample(2:3, 1)
  n1 <- sample(2:5, 1)
  n <- n1 + sample(2:5, 1)
  p0 <- sample(c(0.1, 0.2, 0.3), 1)
  wname <- sample(c("fujikawa", "jsd", "cpp"), 1)
  interim <- sample(c("posterior", "predictive"), 1)
  lambda <- round(runif(1, 0.8, 0.97), 3)
  fut <- round(runif(1, 0.02, 0.3), 3)
  eff <- if (runif(1) < 0.5) 1 else round(runif(1, 0.9, 0.99), 3)
  shape1 <- 1; shape2 <- 1
  if (interim == "posterior" && runif(1) < 0.4) {
    shape1 <- round(runif(1, 0.5, 2), 2); shape2 <- round(runif(1, 0.5, 2), 2)
  }
  epsilon <- round(runif(1, 0.5, 3), 2); tau <- sample(c(0, 0.2), 1)
  logbase <- sample(c(2, exp(1)), 1)
  a <- round(runif(1, -1, 2), 2); b <- round(runif(1, 0.5, 3), 2)
  p1 <- c(p0, pmin(p0 + round(runif(k - 1, 0, 0.45), 2), 0.95))
  wfun <- switch(wname, fujikawa = weights_fujikawa, jsd = weights_jsd, cpp = weights_cpp)
  wpar <- if (wname == "cpp") list(a = a, b = b) else
    list(epsilon = epsilon, tau = tau, logbase = logbase)
  ifun <- if (interim == "posterior") interim_posterior else interim_postpred
  ipar <- list(prob_futstop = fut, prob_effstop = eff)
  design <- setupTwoStageBasket(k = k, shape1 = shape1, shape2 = shape2, p0 = p0)
  args <- list(design = design, p1 = p1, n = n, n1 = n1, lambda = lambda,
               interim_fun = ifun, interim_params = ipar, weight_fun = wfun,
               weight_params = wpar)
  tr <- tryCatch(do.call(toer, c(args, results = "group")), error = function(e) NULL)
  rej <- if (is.null(tr)) rep(NA, k) else tr$rejection_probabilities
  fwer <- do.call(toer, c(args, results = "fwer"))
  ewp <- if (any(p1 > p0)) do.call(pow, c(args, results = "ewp")) else NA
  e <- do.call(ecd, args)
  es <- do.call(ess, args)
  rows[[s]] <- data.frame(
    setting = s, k = k, n1 = n1, n = n, p0 = p0, weights = wname, interim = interim,
    lambda = lambda, prob_futstop = fut, prob_effstop = eff, shape1 = shape1,
    shape2 = shape2, epsilon = epsilon, tau = tau, logbase = logbase, cpp_a = a, cpp_b = b,
    p1 = paste(p1, collapse = ";"),
    reject = paste(sprintf("%.12g", rej), collapse = ";"), fwer = sprintf("%.12g", fwer), ewp = sprintf("%.12g", ewp),
    ecd = sprintf("%.12g", e), ess = paste(sprintf("%.12g", es), collapse = ";"))
}
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE)

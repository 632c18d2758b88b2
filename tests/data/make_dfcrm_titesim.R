# Generates tests/data/dfcrm_titesim.csv: dfcrm's simulated TITE-CRM operating
# characteristics (titesim) in two scenarios, the reference for
# tests/dose/test_titecrm.py::test_dfcrm_titesim (slow; issue #22).
#
# Run from the repository root (needs R and dfcrm 0.2-2.1, installed from its CRAN source):
#   Rscript tests/data/make_dfcrm_titesim.R > tests/data/dfcrm_titesim.csv
# The output was produced with R 4.2.2 and dfcrm 0.2-2.1 (nsim below; seed 1009,
# titesim's default). Columns: scenario, the settings, level, pi (true DLT
# probability), select (dfcrm MTD / nsim), n_treated (level), n_dlt (tox), and the mean
# trial duration (mean of Duration).
suppressPackageStartupMessages(library(dfcrm))
stopifnot(packageVersion("dfcrm") == "0.2.2.1")

nsim <- 2000
prior <- c(0.05, 0.10, 0.20, 0.35, 0.50, 0.70)
scen <- list(
  list(name = "dfcrm_example", pi = c(0.05, 0.10, 0.20, 0.35, 0.50, 0.70), n = 24, x0 = 3,
       obswin = 180, rate = 3, accrual = "fixed", scheme = "linear"),
  list(name = "mtd4_poisson_adaptive", pi = c(0.02, 0.05, 0.10, 0.20, 0.35, 0.50), n = 24,
       x0 = 2, obswin = 28, rate = 2, accrual = "poisson", scheme = "adaptive"))
cat("scenario,n,x0,obswin,rate,accrual,scheme,nsim,level,pi,select,n_treated,n_dlt,duration\n")
for (s in scen) {
  foo <- titesim(s$pi, prior, 0.2, s$n, s$x0, nsim = nsim, restrict = TRUE, obswin = s$obswin,
                 rate = s$rate, accrual = s$accrual, scheme = s$scheme, count = FALSE)
  for (k in seq_along(prior)) {
    cat(s$name, s$n, s$x0, s$obswin, s$rate, s$accrual, s$scheme, nsim, k, s$pi[k],
        sprintf("%.12g", foo$MTD[k]), sprintf("%.12g", foo$level[k]),
        sprintf("%.12g", foo$tox[k]), sprintf("%.12g", mean(foo$Duration)), sep = ",")
    cat("\n")
  }
}

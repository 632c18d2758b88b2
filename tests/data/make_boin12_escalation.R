# Generates tests/data/boin12_escalation.csv: the next dose of escalation's BOIN12 rule
# (boin12_next_dose, behind get_boin12) on random cohort histories and random settings,
# the reference for tests/dose/test_phase12.py::test_escalation_random_histories (#23).
#
# escalation itself cannot be installed here (it imports trialr, hence rstan), so this
# script sources the one file of its source that holds the rule, R/boin12_logic.R, from
# a checkout of https://github.com/brockk/escalation (commit add4557, v0.2.3 era), and
# gives it the one function it takes from BOIN, get.boundary, as BOIN defines lambda_e
# and lambda_d (Liu & Yuan 2015, p.saf = 0.6 x target, p.tox = 1.4 x target).  Nothing
# of escalation is copied into designcalc.
#
# Run from the repository root (base R only; produced with R 4.2.2):
#   Rscript tests/data/make_boin12_escalation.R PATH/TO/escalation > tests/data/boin12_escalation.csv
#
# Histories: 1-12 cohorts of 3 on 3-6 doses, starting at dose 1, each next cohort at a
# random dose among d - 1, d, d + 1; outcomes drawn with random toxicity / efficacy rates.
# Settings: phi_t in {0.25, 0.3, 0.35, 0.4}, phi_e in {0.2, 0.25, 0.3, 0.4}, integer
# u2, u3 in 0..100, n_star in {3, 6, 9}, c_t in {0.9, 0.95}, c_e in {0.8, 0.9}; case
# 1-200 use the paper's defaults.  Column next: escalation's next_dose (0: stop, no
# admissible dose).
args <- commandArgs(trailingOnly = TRUE)
source(file.path(args[1], "R", "boin12_logic.R"))

get.boundary <- function(target, ncohort, cohortsize) {
  p.saf <- 0.6 * target
  p.tox <- 1.4 * target
  list(lambda_e = log((1 - p.saf) / (1 - target)) /
         log(target * (1 - p.saf) / (p.saf * (1 - target))),
       lambda_d = log((1 - target) / (1 - p.tox)) /
         log(p.tox * (1 - target) / (target * (1 - p.tox))))
}

set.seed(20261205)
ncase <- 1500
cat("case,history,num_doses,phi_t,phi_e,u2,u3,n_star,c_t,c_e,next\n")
for (i in seq_len(ncase)) {
  k <- sample(3:6, 1)
  if (i <= 200) {
    phi_t <- 0.35; phi_e <- 0.25; u2 <- 40; u3 <- 60; n_star <- 6; c_t <- 0.95; c_e <- 0.9
  } else {
    phi_t <- sample(c(0.25, 0.3, 0.35, 0.4), 1); phi_e <- sample(c(0.2, 0.25, 0.3, 0.4), 1)
    u2 <- sample(0:100, 1); u3 <- sample(0:100, 1); n_star <- sample(c(3, 6, 9), 1)
    c_t <- sample(c(0.9, 0.95), 1); c_e <- sample(c(0.8, 0.9), 1)
  }
  ptox <- runif(1, 0, 0.7); peff <- runif(1, 0, 0.8)
  ncoh <- sample(1:12, 1)
  d <- 1
  doses <- integer(0); tox <- integer(0); eff <- integer(0); words <- character(0)
  for (j in seq_len(ncoh)) {
    t <- as.integer(runif(3) < ptox); e <- as.integer(runif(3) < peff)
    letters <- ifelse(t == 1 & e == 1, "B", ifelse(t == 1, "T", ifelse(e == 1, "E", "N")))
    words <- c(words, paste0(d, paste(letters, collapse = "")))
    doses <- c(doses, rep(d, 3)); tox <- c(tox, t); eff <- c(eff, e)
    d <- min(max(d + sample(-1:1, 1), 1), k)
  }
  data <- data.frame(Dose = doses, Toxicity = tox, Efficacy = eff)
  out <- boin12_next_dose(data = data, ndoses = k, maxN = Inf, maxN_dose = Inf,
                          start = 1, phi_t = phi_t, phi_e = phi_e, Nstar = n_star,
                          c_t = c_t, c_e = c_e, u1 = 100, u2 = u2, u3 = u3, u4 = 0)
  cat(sprintf("%d,%s,%d,%g,%g,%d,%d,%d,%g,%g,%d\n", i, paste(words, collapse = " "), k,
              phi_t, phi_e, u2, u3, n_star, c_t, c_e, out$next_dose))
}

# Generates tests/data/keyboard_obd_*.csv: Keyboard's phase I/II (OBD) functions on random
# inputs, the reference for tests/dose/test_phase12.py (issue #23).
#
# Keyboard 0.1.3's OBD functions need base R only; this script sources their three files
# (R/get.decision.obd.kb.R, R/select.obd.kb.R, R/get.oc.obd.kb.R) from a copy of the
# package source (e.g. the CRAN tarball, or https://github.com/cran/Keyboard at 75de0db)
# given as the argument.  Nothing of Keyboard is copied into designcalc.
#
# Run from the repository root (base R only; produced with R 4.2.2):
#   Rscript tests/data/make_keyboard_obd.R PATH/TO/Keyboard
# writes tests/data/keyboard_obd_table.csv (get.decision.obd.kb, 3 settings: n, T, R,
# decision), tests/data/keyboard_obd_select.csv (select.obd.kb on 400 random final
# data sets: obd1-3, 99 = none) and tests/data/keyboard_obd_oc.csv (get.oc.obd.kb, the
# package's example, 20,000 trials, seed 6: selpercent1-3, npatients, earlystop).
args <- commandArgs(trailingOnly = TRUE)
for (f in c("get.decision.obd.kb", "select.obd.kb", "get.oc.obd.kb"))
  source(file.path(args[1], "R", paste0(f, ".R")))

settings <- list(c(0.15, 0.25, 0.35, 0.25, 0.45, 0.65, 0.20, 0.40),
                 c(0.15, 0.25, 0.35, 0.25, 0.45, 0.65, 0.30, 0.40),
                 c(0.10, 0.20, 0.30, 0.20, 0.40, 0.60, 0.25, 0.30))
out <- NULL
for (i in seq_along(settings)) {
  s <- settings[[i]]
  m <- get.decision.obd.kb(s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8],
                           cohortsize = 3, ncohort = 8)$decision.matrix
  out <- rbind(out, data.frame(setting = i, n = m$N, t = m$T, r = m$R,
                               decision = m$Decision))
}
write.csv(out, "tests/data/keyboard_obd_table.csv", row.names = FALSE, quote = FALSE)

set.seed(20261205)
sel <- NULL
for (i in 1:400) {
  k <- sample(3:6, 1)
  npts <- 3 * sample(0:5, k, replace = TRUE)
  npts[1] <- max(npts[1], 3)
  ntox <- sapply(npts, function(n) rbinom(1, n, runif(1, 0, 0.6)))
  neff <- sapply(npts, function(n) rbinom(1, n, runif(1, 0, 0.8)))
  tt <- sample(c(0.2, 0.25, 0.3), 1); te <- sample(c(0.3, 0.4, 0.5), 1)
  o <- select.obd.kb(target.toxicity = tt, target.efficacy = te, npts = npts,
                     ntox = ntox, neff = neff)
  sel <- rbind(sel, data.frame(case = i, target_tox = tt, target_eff = te,
                               npts = paste(npts, collapse = ";"),
                               ntox = paste(ntox, collapse = ";"),
                               neff = paste(neff, collapse = ";"),
                               obd1 = o$obd1, obd2 = o$obd2, obd3 = o$obd3))
}
write.csv(sel, "tests/data/keyboard_obd_select.csv", row.names = FALSE, quote = FALSE)

oc <- get.oc.obd.kb(toxicity.low = 0.15, toxicity.moderate = 0.25, toxicity.high = 0.35,
                    efficacy.low = 0.25, efficacy.moderate = 0.45, efficacy.high = 0.65,
                    target.toxicity = 0.30, target.efficacy = 0.40,
                    p.true = c(0.08, 0.30, 0.60, 0.80), q.true = c(0.25, 0.40, 0.25, 0.50),
                    ntrial = 20000, seed = 6)
write.csv(data.frame(dose = 1:4, selpercent1 = oc$selpercent1, selpercent2 = oc$selpercent2,
                     selpercent3 = oc$selpercent3, npatients = oc$npatients,
                     ntox = oc$ntox, neff = oc$neff, earlystop = oc$earlystop,
                     percentstop1 = oc$percentstop1),
          "tests/data/keyboard_obd_oc.csv", row.names = FALSE, quote = FALSE)

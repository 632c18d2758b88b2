# Cross-check of designcalc's randomised sat/barnard/fisher searches against ph2rand 0.1.0
# (CRAN source, installed with R CMD INSTALL). Writes randomised_ph2rand.csv beside this file.
# Run: Rscript tests/data/make_randomised_ph2rand.R   (seed below; small nCmax for speed)
# The last five cases are searches with an interim efficacy stop (efficacy = TRUE; one
# also without a futility stop), fixed inputs appended after the seeded ones (#24).
library(ph2rand)
set.seed(20261206)
cases <- list(list(type = "fisher", nCmax = 30, alpha = 0.1, beta = 0.2, delta = 0.3, Pi0 = 0.1),
              list(type = "barnard", nCmax = 24, alpha = 0.1, beta = 0.2, delta = 0.3, Pi0 = 0.1),
              list(type = "sat", nCmax = 16, alpha = 0.1, beta = 0.2, delta = 0.3, Pi0 = 0.2))
for (i in 1:6) cases[[length(cases) + 1]] <-
  list(type = c("fisher", "barnard", "sat")[(i - 1) %% 3 + 1], nCmax = sample(14:24, 1),
       alpha = sample(c(0.05, 0.1, 0.15), 1), beta = sample(c(0.1, 0.2), 1),
       delta = sample(c(0.3, 0.35, 0.4), 1), Pi0 = sample(c(0.1, 0.2, 0.3), 1))
eff <- function(type, nCmax, alpha, beta, delta, Pi0, futility = TRUE)
  list(type = type, nCmax = nCmax, alpha = alpha, beta = beta, delta = delta, Pi0 = Pi0,
       efficacy = TRUE, futility = futility)
cases <- c(cases, list(eff("binomial", 50, 0.1, 0.2, 0.2, 0.1),
                       eff("binomial", 36, 0.05, 0.2, 0.3, 0.2),
                       eff("binomial", 40, 0.1, 0.2, 0.3, 0.3, futility = FALSE),
                       eff("sat", 12, 0.1, 0.2, 0.4, 0.2),
                       eff("barnard", 16, 0.1, 0.2, 0.4, 0.1)))
out <- NULL
for (cs in cases) {
  if (is.null(cs$efficacy)) { cs$efficacy <- FALSE; cs$futility <- TRUE }
  d <- des_two_stage(type = cs$type, alpha = cs$alpha, beta = cs$beta, delta = cs$delta,
                     Pi0 = cs$Pi0, nCmax = cs$nCmax, efficacy = cs$efficacy,
                     futility = cs$futility)
  if (is.null(d$nC)) next
  b <- d$boundaries
  bnd <- if (cs$type == "sat") paste(b$eS1, b$eT1, b$fS1, b$fT1, b$eS2, b$eT2, sep = ";") else
         if (cs$type %in% c("barnard", "binomial"))
           paste(trimws(format(c(b$e1, b$f1, b$e2), digits = 17)), collapse = ";") else ""
  out <- rbind(out, data.frame(type = cs$type, nCmax = cs$nCmax, alpha = cs$alpha,
                               beta = cs$beta, delta = cs$delta, Pi0 = cs$Pi0,
                               n1C = d$nC[1], n2C = d$nC[2], bounds = bnd,
                               P0 = format(d$opchar$`P(pi)`[1], digits = 17),
                               P1 = format(d$opchar$`P(pi)`[2], digits = 17),
                               ESS0 = format(d$opchar$`ESS(pi)`[1], digits = 17),
                               efficacy = cs$efficacy, futility = cs$futility))
}
write.csv(out, file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                         "randomised_ph2rand.csv"), row.names = FALSE)
print(out)

# Cross-check of designcalc's randomised sat/barnard/fisher searches against ph2rand 0.1.0
# (CRAN source, installed with R CMD INSTALL). Writes randomised_ph2rand.csv beside this file.
# Run: Rscript tests/data/make_randomised_ph2rand.R   (seed below; small nCmax for speed)
library(ph2rand)
set.seed(20261206)
cases <- list(list(type = "fisher", nCmax = 30, alpha = 0.1, beta = 0.2, delta = 0.3, Pi0 = 0.1),
              list(type = "barnard", nCmax = 24, alpha = 0.1, beta = 0.2, delta = 0.3, Pi0 = 0.1),
              list(type = "sat", nCmax = 16, alpha = 0.1, beta = 0.2, delta = 0.3, Pi0 = 0.2))
for (i in 1:6) cases[[length(cases) + 1]] <-
  list(type = c("fisher", "barnard", "sat")[(i - 1) %% 3 + 1], nCmax = sample(14:24, 1),
       alpha = sample(c(0.05, 0.1, 0.15), 1), beta = sample(c(0.1, 0.2), 1),
       delta = sample(c(0.3, 0.35, 0.4), 1), Pi0 = sample(c(0.1, 0.2, 0.3), 1))
out <- NULL
for (cs in cases) {
  d <- des_two_stage(type = cs$type, alpha = cs$alpha, beta = cs$beta, delta = cs$delta,
                     Pi0 = cs$Pi0, nCmax = cs$nCmax)
  if (is.null(d$nC)) next
  b <- d$boundaries
  bnd <- if (cs$type == "sat") paste(b$eS1, b$eT1, b$fS1, b$fT1, b$eS2, b$eT2, sep = ";") else
         if (cs$type == "barnard") paste(format(c(b$e1, b$f1, b$e2), digits = 17), collapse = ";") else ""
  out <- rbind(out, data.frame(type = cs$type, nCmax = cs$nCmax, alpha = cs$alpha,
                               beta = cs$beta, delta = cs$delta, Pi0 = cs$Pi0,
                               n1C = d$nC[1], n2C = d$nC[2], bounds = bnd,
                               P0 = format(d$opchar$`P(pi)`[1], digits = 17),
                               P1 = format(d$opchar$`P(pi)`[2], digits = 17),
                               ESS0 = format(d$opchar$`ESS(pi)`[1], digits = 17)))
}
write.csv(out, file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                         "randomised_ph2rand.csv"), row.names = FALSE)
print(out)

# Cross-check of designcalc's randomised three-outcome design (test = "sargent") against
# PhIIdesign's probho_R / probha_R (type = "exact") and sargent2stage_R. PhIIdesign removed
# them in 2020 (commit 26bed45, "delete ... sargent_randomized"); the file is
# R/sargent2stage_rando.R of github.com/IDDI-BE/PhIIdesign at commit 26bed45^, read from
# there at run time (not part of designcalc). Its progress bars need a display: replaced
# by no-ops. Writes randomised_sargent_phiidesign.csv beside this file.
# Run: Rscript tests/data/make_randomised_sargent_phiidesign.R /path/to/sargent2stage_rando.R
suppressMessages(library(data.table))
peer <- commandArgs(TRUE)[1]
source(peer)
suppressWarnings(suppressMessages(loadNamespace("tcltk")))
fake <- function(...) structure(list(), class = "fakepb")
close.fakepb <- function(con, ...) invisible(NULL)
assignInNamespace("tkProgressBar", fake, "tcltk")
assignInNamespace("setTkProgressBar", function(...) invisible(NULL), "tcltk")
pdf(NULL)                                             # sargent2stage_R draws a plot
# designs (control per stage n1C, n2C; alloc = experimental per control; r1, r2, s) and rates
cases <- list(c(11, 19, 1, 0, 1, 4), c(10, 15, 1, -1, 2, 5), c(6, 8, 2, 1, 4, 9),
              c(4, 6, 2, 2, 5, 8), c(3, 4, 1, 0, 1, 3))
rates <- list(c(0.1, 0.3), c(0.2, 0.2), c(0.35, 0.35), c(0.3, 0.6))
out <- NULL
for (cs in cases) for (pr in rates) {
  n1C <- cs[1]; n2C <- cs[2]; n1E <- cs[3] * n1C; n2E <- cs[3] * n2C
  ha <- probho_R(n1E, n1C, n2E, n2C, cs[4], cs[5], p_E_ = pr[2], p_C_ = pr[1], type = "exact")
  h0 <- probha_R(n1E, n1C, n2E, n2C, cs[4], cs[6], p_E_ = pr[2], p_C_ = pr[1], type = "exact")
  out <- rbind(out, data.frame(kind = "oc", n1C = n1C, n2C = n2C, alloc = cs[3], r1 = cs[4],
                               r2 = cs[5], s = cs[6], pC = pr[1], pE = pr[2],
                               reject_ha = format(ha, digits = 17),
                               reject_h0 = format(h0, digits = 17)))
}
# searches (type = "exact": PhIIdesign still computes beta, eta and pi by its normal
# approximation); the first Optimal and the first Minimax row
searches <- list(c(0.1, 0.3, 0.1, 0.2, 0.7, 0.7, 60, 64), c(0.1, 0.6, 0.15, 0.2, 0.6, 0.6, 12, 16))
for (sc in searches) {
  res <- sargent2stage_R(p0 = sc[1], pa = sc[2], alpha = sc[3], beta = sc[4], eta = sc[5],
                         pi = sc[6], eps = 0.005, N_min = sc[7], N_max = sc[8], alloc = 1,
                         type = "exact")
  for (crit in c("OPT", "MIN")) {
    row <- res[res[[crit]] != "", ][1, ]
    out <- rbind(out, data.frame(kind = paste("search", crit, paste(sc, collapse = ";")),
                                 n1C = row$n1_C, n2C = row$n2_C, alloc = 1, r1 = row$r1,
                                 r2 = row$r2, s = row$s, pC = sc[1], pE = sc[2],
                                 reject_ha = format(row$beta, digits = 17),
                                 reject_h0 = format(row$pi, digits = 17)))
  }
}
write.csv(out, file.path(dirname(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))),
                         "randomised_sargent_phiidesign.csv"), row.names = FALSE)
print(out)

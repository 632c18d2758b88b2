# Independent check of designcalc's curtail family (designcalc/binary/curtail/validation.toml):
# E[N] of Simon's 6/12, 19/28 rule with non-stochastic curtailment after every patient,
# by a forward recursion whose certainty rule is written in closed form for this rule.
# Run: Rscript tests/data/make_curtail_simon_nsc.R   (R 4.2.2: 0.0173254907 14.2540847659 / 0.9040288840 24.2628669642)
# NSC of Simon 6/12, 19/28 at p: forward recursion with the certainty rule in closed form
nsc <- function(p) {
  active <- c(1, rep(0, 28)); en <- 0; rej <- 0
  for (j in 1:28) {
    new <- c(active[1:28] * (1 - p), 0) + c(0, active[1:28] * p)
    active <- new; s <- 0:28
    if (j < 12) { fut <- (s + 12 - j <= 6) | (s + 28 - j <= 19); eff <- rep(FALSE, 29) }
    else if (j == 12) { fut <- (s <= 6) | (s + 16 <= 19); eff <- s >= 20 }
    else { fut <- s + 28 - j <= 19; eff <- s >= 20 }
    if (j == 28) { fut <- s <= 19; eff <- s >= 20 }
    en <- en + j * sum(active[fut | eff]); rej <- rej + sum(active[eff])
    active[fut | eff] <- 0
  }
  c(rej, en)
}
print(sprintf("%.10f", nsc(0.5))); print(sprintf("%.10f", nsc(0.8)))

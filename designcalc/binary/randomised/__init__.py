"""Randomised phase II designs: pick-the-winner selection (Simon, Wittes & Ellenberg
1985) and two-arm comparative one- and two-stage designs (Jung 2008; ph2rand)."""

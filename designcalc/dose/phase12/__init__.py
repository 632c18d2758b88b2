"""Phase I/II dose finding for the optimal biological dose: BOIN12 (family ``phase12``)."""

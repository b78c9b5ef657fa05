"""Training recipes: run by hand or `make train-nli`, never in CI or at run time (the [train]
extra)."""

"""Privacy and memorization probes: membership inference (LOSS, correctness, LiRA, RMIA),
reference models, canaries with exposure and a one-run epsilon lower bound, ROC utilities."""

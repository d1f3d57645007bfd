"""Training: the SFT / pretraining loop, the PPO loop and its jitted core, checkpoints, metrics."""

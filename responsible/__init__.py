"""Responsible use of the risk layers: whether an intervention worked (impact), how scores
fall across deprived and less deprived places (fairness), and whether deploying on the
model's advice feeds back into the model (feedback). See docs/responsible.md."""

"""The supplementary set: worked solutions."""

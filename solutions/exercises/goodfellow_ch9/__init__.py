"""Deep Learning, theoretical exercises week 12, chapter 9 (FS 2024; T. Méndez, G. Schuster): worked solutions."""

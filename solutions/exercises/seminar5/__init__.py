"""Seminar 5 (Computer Vision 1, Master AI, 2025): worked solutions."""

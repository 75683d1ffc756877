"""Homework 2: Convolutional Neural Networks (CNNs), October 2025: worked solutions."""

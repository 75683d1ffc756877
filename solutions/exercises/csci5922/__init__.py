"""CSCI 5922 problem set 3 (February 2025), answers by J. Krol: worked solutions."""

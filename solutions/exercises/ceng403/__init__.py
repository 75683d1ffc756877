"""CENG 403 (Middle East Technical University), 2024–2025 semester I exam, answered version.

One module per question; each defines one function per part that has numbers to derive.
"""

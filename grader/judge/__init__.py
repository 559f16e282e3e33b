"""Deciding: one judge per question kind, comparisons, SymPy, forbidden modules, follow-through."""

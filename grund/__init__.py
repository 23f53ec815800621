"""Shared helpers at the bottom of the layers (Swedish numbers, …); no Django models, no imports from the apps."""

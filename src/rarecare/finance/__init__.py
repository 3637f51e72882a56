"""Financing: prices, coverage rules, costs per patient, catastrophic spending, budget impact."""

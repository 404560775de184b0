"""Printed and drawn artefacts of 一扫一图一码: risk cards, label sheets, safety codes, four-colour maps, image intake.

Everything here is a pure function from frozen dataclasses (and bytes) to bytes: no database, no web framework.
"""

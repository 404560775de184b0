"""The codes of 一码: signed, revocable tokens printed as QR codes on risk points and enterprise gates."""

print("riskstream: not yet")

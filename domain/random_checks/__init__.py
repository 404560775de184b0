"""双随机一公开: random-check plans, the commit–reveal draw, results, and their publication."""

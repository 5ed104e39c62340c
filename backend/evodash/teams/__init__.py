"""Teams: who may see which servers and instances (agencies running numbers for customers)."""

"""What is asked: categories, criteria, priorities, weights, the scale and the bundled RSE catalogue."""

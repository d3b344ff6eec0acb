"""The campaign folder, tender.yaml, the demo and the `tender` command line."""

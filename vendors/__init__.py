"""Who answers and what they are worth: vendors, testers, workbooks, the ledger, scoring and analysis."""

"""The clause library: clauses and their markup, and the completeness profiles."""

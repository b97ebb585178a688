"""Fact-check reports: what a report shows (`content`) and its schema.org ClaimReview markup (`claimreview`)."""

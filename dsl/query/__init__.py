"""Asking questions: query forms, answers, and the policy set that routes a query to an edition."""

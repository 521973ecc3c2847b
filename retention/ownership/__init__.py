"""Ownership: who holds a customer, and who should take it over. The one home of these rules.

* :mod:`retention.ownership.policy` — the recipient rule, pure Python (plain values in, a ranked
  list out), shared by routing, handover suggestions and coverage.
* :mod:`retention.ownership.selectors` — reads of assignments (current holders, history,
  backups, workloads), scoped, with people outside the viewer's scope shown without details.
* :mod:`retention.ownership.services` — every write of an assignment.
"""

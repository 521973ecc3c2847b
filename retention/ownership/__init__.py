"""Ownership: who holds a customer, and who should take it over. The one home of these rules.

* :mod:`retention.ownership.policy` — the recipient rule, pure Python (plain values in, a ranked
  list out), shared by routing, handover suggestions and coverage.
* :mod:`retention.ownership.selectors` — reads of assignments (current holders, history,
  backups, workloads, who holds a customer alone: single-threaded key accounts and a rep's share
  of them; what a rep owns now and their owned key-account revenue), scoped, with people outside
  the viewer's scope shown without details.
* :mod:`retention.ownership.services` — every write of an assignment.
"""

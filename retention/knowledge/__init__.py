"""What is known about a customer (``CustomerKnowledge``): reads, writes, its page and API.

Handover plans read and write it through here; it belongs to the customer, not to a plan.
"""

"""Receivers of retention's domain events. Each one calls a handover service and nothing more."""

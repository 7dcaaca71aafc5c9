"""Pure rules of the identity service: ID numbers, phones, masking, eligibility, token claims,
division codes and carrier kinds.

Nothing here touches the database, the broker or the network.
"""

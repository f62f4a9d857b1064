crucible-pl demo    # synthetic data on a local Hub on loopback: no internet needed

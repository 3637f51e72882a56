"""The care network: referrals between centres, laboratory tests and samples, newborn screening."""

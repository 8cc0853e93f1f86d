"""The Zorgpost service kit: what every service uses, written once."""

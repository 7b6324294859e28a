"""Data protection: subject access requests, erasure, restriction, retention and the record of processing."""

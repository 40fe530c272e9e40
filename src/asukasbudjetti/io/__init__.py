"""Readers and writers of exported ballots, one module per format."""

from asukasbudjetti.io.pabulib import (
    PabulibRead,
    dumps_pabulib,
    read_pabulib,
    read_pabulib_bytes,
    write_pabulib,
)

__all__ = ["PabulibRead", "dumps_pabulib", "read_pabulib", "read_pabulib_bytes", "write_pabulib"]

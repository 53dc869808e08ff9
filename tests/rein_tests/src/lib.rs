//! End-to-end tests of rein; they live in `tests/` (CLI golden scenarios under `../cli/`).

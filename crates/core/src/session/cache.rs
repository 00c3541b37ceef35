//! The session cache.

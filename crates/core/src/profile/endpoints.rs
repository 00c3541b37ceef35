//! Service endpoints (filled in below).

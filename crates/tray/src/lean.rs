//! Giving back, once the tray has settled after its start, the memory only the start needed:
//! the heap the start-up freed (glibc keeps freed pages mapped until told) and the pages of this
//! program's own code and constants that the start touched (GTK, the catalogues, the agent, the
//! first menu). The tray then idles for hours; what it runs again is mapped again on first use,
//! from the page cache. Read-only mappings of the binary only: writable ones hold state.

/// Runs both; logs what it gave back at debug level.
pub fn give_back_start_up_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only returns free memory to the system; no pointer is involved.
        let trimmed = unsafe { libc::malloc_trim(0) };
        tracing::debug!(trimmed, "start-up heap given back");
    }
    #[cfg(target_os = "linux")]
    linux::page_out_own_code();
}

#[cfg(target_os = "linux")]
mod linux {
    use std::path::Path;

    pub fn page_out_own_code() {
        let Ok(exe) = std::env::current_exe() else { return };
        let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
            return;
        };
        let mut given = 0usize;
        for (start, end) in clean_read_only_ranges(&smaps, &exe) {
            // SAFETY: a read-only mapping of this program's file with no private (copied) page,
            // from /proc/self/smaps: its pages are exactly the file's, so dropping them from this
            // process loses nothing; a later use maps them again from the page cache.
            if unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) } == 0 {
                given += end - start;
            }
        }
        tracing::debug!(kib = given / 1024, "start-up code pages given back");
    }

    /// The read-only mappings (`r--p`, `r-xp`) of the file `exe` in a `/proc/PID/smaps` text
    /// that hold no anonymous page. The loader's relocated constants (RELRO) are read-only too,
    /// but their pages were written at load: dropping them would bring back the file's
    /// unrelocated bytes, so a mapping with any anonymous page is left alone.
    pub(super) fn clean_read_only_ranges(smaps: &str, exe: &Path) -> Vec<(usize, usize)> {
        let exe = exe.to_string_lossy();
        let mut ranges = Vec::new();
        let mut current: Option<(usize, usize)> = None;
        for line in smaps.lines() {
            if let Some(range) = mapping_header(line, &exe) {
                current = range;
            } else if let Some(kib) = line.strip_prefix("Anonymous:") {
                let anonymous = kib.trim().trim_end_matches("kB").trim();
                if let Some(range) = current.take() {
                    if anonymous == "0" {
                        ranges.push(range);
                    }
                }
            }
        }
        ranges
    }

    /// For a mapping's first line: `Some(Some(range))` for a read-only private mapping of `exe`,
    /// `Some(None)` for any other mapping, `None` for a field line.
    fn mapping_header(line: &str, exe: &str) -> Option<Option<(usize, usize)>> {
        let mut fields = line.split_whitespace();
        let range = fields.next()?;
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        let perms = fields.next()?;
        let path = fields.nth(3);
        let read_only = matches!(perms, "r--p" | "r-xp");
        Some((read_only && path == Some(exe)).then_some((start, end)))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::clean_read_only_ranges;
    use std::path::Path;

    #[test]
    fn only_clean_read_only_mappings_of_this_program_are_given_back() {
        let smaps = "\
55d0a0000000-55d0a0100000 r--p 00000000 fe:01 123 /usr/bin/rolebar-tray
Rss:                 400 kB
Anonymous:             0 kB
55d0a0100000-55d0a0800000 r-xp 00100000 fe:01 123 /usr/bin/rolebar-tray
Anonymous:             0 kB
55d0a0800000-55d0a0880000 r--p 00800000 fe:01 123 /usr/bin/rolebar-tray
Anonymous:           528 kB
55d0a0880000-55d0a0900000 rw-p 00880000 fe:01 123 /usr/bin/rolebar-tray
Anonymous:             8 kB
7f0000000000-7f0000100000 r-xp 00000000 fe:01 456 /usr/lib/x86_64-linux-gnu/libgtk-3.so.0
Anonymous:             0 kB
7f0000200000-7f0000300000 r--p 00000000 fe:01 789 /usr/bin/rolebar-tray-old
Anonymous:             0 kB
7f0000400000-7f0000500000 rw-p 00000000 00:00 0
Anonymous:            64 kB
";
        let ranges = clean_read_only_ranges(smaps, Path::new("/usr/bin/rolebar-tray"));
        // Not the relocated constants (read-only, but written at load), nor the data, nor others.
        assert_eq!(
            ranges,
            vec![(0x55d0a0000000, 0x55d0a0100000), (0x55d0a0100000, 0x55d0a0800000)]
        );
    }
}

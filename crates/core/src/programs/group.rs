//! The process group a helper program (`mfa_process`, ykman, `credential_process`) runs in,
//! killed as a whole when Rolebar is done with it, and whether the terminal stopped it.

/// The process group a helper runs in (its own, led by the process), killed as a whole once.
/// Killed when the run ends, also when the answer is in: what the helper left running is not
/// ours to keep, and nothing it prints or does later is read.
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    /// The group's id (the leader's pid); `None` once killed.
    #[cfg(unix)]
    id: Option<rustix::process::Pid>,
}

impl ProcessGroup {
    pub(crate) fn of(child: &tokio::process::Child) -> Self {
        #[cfg(unix)]
        {
            // Never 1: kill(-1) signals every process this user may signal.
            let id = child
                .id()
                .and_then(|id| i32::try_from(id).ok())
                .filter(|&id| id > 1)
                .and_then(rustix::process::Pid::from_raw);
            ProcessGroup { id }
        }
        #[cfg(not(unix))]
        {
            let _ = child;
            ProcessGroup {}
        }
    }

    /// SIGKILL to every process in the group; later calls do nothing. Call it before the leader
    /// is reaped or right after it (no await in between): an unreaped leader keeps the group's
    /// id taken, while once the group is empty and the leader reaped the id may be reused by an
    /// unrelated group. SIGKILL, not TERM then KILL: a dropped future cannot wait out a grace
    /// period, and nothing a source does after it answered (or was given up on) is wanted.
    pub(crate) fn kill(&mut self) {
        #[cfg(unix)]
        if let Some(id) = self.id.take() {
            match rustix::process::kill_process_group(id, rustix::process::Signal::KILL) {
                // SRCH: every process in it has ended already.
                Ok(()) | Err(rustix::io::Errno::SRCH) => {}
                Err(e) => {
                    tracing::warn!(group = id.as_raw_nonzero().get(), error = %e, "could not stop a helper's processes")
                }
            }
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether the process is stopped (Linux: state `T` in /proc; elsewhere never known). A source
/// in its own process group that reads the terminal, or turns its echo off for a password
/// prompt, is stopped by it (SIGTTIN/SIGTTOU, sent to the whole group, its leader too), and
/// would only end at the timeout: it asked for something nobody can answer there.
pub(crate) fn stopped(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            // "pid (comm) STATE ...": comm may hold anything, the state follows the last ')'.
            .and_then(|stat| {
                stat.rsplit_once(')')
                    .map(|(_, rest)| rest.trim_start().starts_with('T'))
            })
            .unwrap_or(false)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        false
    }
}

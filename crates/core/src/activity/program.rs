//! Who asked, for an [`Entry`](super::Entry): this process's command line and executable, and
//! for `credential-process` the program that ran it (its parent, as the agent's MFA dialog names
//! it). `--mfa-token`'s code is masked: the log must never hold anything that signs in.

use crate::agent::{Peer, ProcessInfo, ProgramLookup};

/// The flag whose value is masked in logged command lines.
const MFA_TOKEN_FLAG: &str = "--mfa-token";
/// The longest command line kept (characters): the log is bounded, and the start names the program.
const MAX_COMMAND_CHARS: usize = 300;

/// `args` joined by spaces, `--mfa-token`'s value (`--mfa-token 123456` or `--mfa-token=…`)
/// replaced by `***`, shortened to [`MAX_COMMAND_CHARS`].
pub fn masked_command_line<S: AsRef<str>>(args: &[S]) -> String {
    let mut words = Vec::with_capacity(args.len());
    let mut mask_next = false;
    for arg in args {
        let arg = arg.as_ref();
        if mask_next {
            words.push("***".to_string());
            mask_next = false;
        } else if arg == MFA_TOKEN_FLAG {
            words.push(arg.to_string());
            mask_next = true;
        } else if arg.starts_with(&format!("{MFA_TOKEN_FLAG}=")) {
            words.push(format!("{MFA_TOKEN_FLAG}=***"));
        } else {
            words.push(arg.to_string());
        }
    }
    let line = words.join(" ");
    match line.char_indices().nth(MAX_COMMAND_CHARS) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

/// This process as a program: its command line (masked) and resolved executable.
pub fn this_process() -> String {
    let args: Vec<String> = std::env::args().collect();
    let command = masked_command_line(&args);
    match std::env::current_exe() {
        Ok(exe) => format!("{command} ({})", exe.display()),
        Err(_) => command,
    }
}

/// The program that ran this process (Linux: from `/proc`), as `COMMAND (pid N, EXE)`, and its
/// pid; `None` where it cannot be read.
pub fn parent_process() -> Option<(String, u32)> {
    #[cfg(unix)]
    {
        let ppid = std::os::unix::process::parent_id();
        let info = ProcessInfo::read(i32::try_from(ppid).ok()?, &ProgramLookup::from_env())?;
        Some((describe(&info), ppid))
    }
    #[cfg(not(unix))]
    None
}

fn describe(info: &ProcessInfo) -> String {
    // The parent's command line as /proc shows it: mask our flag there too (a script may run
    // `rolebar exec --mfa-token …` itself and ask again).
    let words: Vec<&str> = info.command.split(' ').collect();
    let command = masked_command_line(&words);
    match &info.exe {
        Some(exe) => format!("{command} (pid {}, {})", info.pid, exe.display()),
        None => format!("{command} (pid {}, executable unreadable)", info.pid),
    }
}

/// `program` and `pid` for a hand-out by this process: for `credential-process` the parent
/// (the AWS CLI or SDK that ran it) via this process; otherwise this process.
pub fn requester(via_parent: bool) -> (String, u32) {
    let own = this_process();
    if via_parent {
        if let Some((parent, pid)) = parent_process() {
            return (format!("{parent} via {own}"), pid);
        }
    }
    (own, std::process::id())
}

/// `program` and `pid` for a request that reached the agent from `peer`: the requesting process
/// as the MFA dialog names it (`PARENT (pid N, EXE) via CLIENT`), read from the kernel and
/// `/proc` when the connection came, not from what the client says. The pid is the parent's
/// when `via_parent` (the client is `rolebar credential-process`, run by the program that wants
/// the keys), else the connecting process's.
pub fn of_peer(peer: &Peer, via_parent: bool) -> (Option<String>, Option<u32>) {
    let pid_of = |info: &ProcessInfo| u32::try_from(info.pid).ok();
    let peer_pid = peer.pid.and_then(|p| u32::try_from(p).ok());
    match (&peer.process, &peer.parent) {
        (Some(process), Some(parent)) => {
            let words: Vec<&str> = process.command.split(' ').collect();
            let program = format!("{} via {}", describe(parent), masked_command_line(&words));
            let pid = if via_parent { pid_of(parent) } else { pid_of(process) };
            (Some(program), pid)
        }
        (Some(process), None) => (Some(describe(process)), pid_of(process)),
        (None, _) => (Some(peer.describe()), peer_pid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mfa_code_is_masked_in_both_spellings() {
        let line = masked_command_line(&["rolebar", "exec", "p", "--mfa-token", "123456", "--", "env"]);
        assert_eq!(line, "rolebar exec p --mfa-token *** -- env");
        let line = masked_command_line(&["rolebar", "export", "--mfa-token=654321", "p"]);
        assert_eq!(line, "rolebar export --mfa-token=*** p");
        let long = "x".repeat(1000);
        assert_eq!(
            masked_command_line(&[long.as_str()]).chars().count(),
            MAX_COMMAND_CHARS + 1
        );
    }

    #[test]
    fn a_peer_is_named_by_its_parent_via_the_client_with_paths() {
        let info = |pid: i32, command: &str, exe: Option<&str>| ProcessInfo {
            pid,
            exe: exe.map(std::path::PathBuf::from),
            command: command.into(),
            script: None,
        };
        let mut peer = Peer::new(1000, Some(20));
        peer.process = Some(info(20, "rolebar credential-process dev", Some("/usr/bin/rolebar")));
        peer.parent = Some(info(10, "aws sts get-caller-identity", Some("/usr/bin/aws")));
        assert_eq!(
            of_peer(&peer, true),
            (
                Some("aws sts get-caller-identity (pid 10, /usr/bin/aws) via rolebar credential-process dev".into()),
                Some(10)
            )
        );
        assert_eq!(
            of_peer(&peer, false).1,
            Some(20),
            "the client itself asked (exec, export)"
        );
        peer.parent = None;
        assert_eq!(
            of_peer(&peer, true),
            (
                Some("rolebar credential-process dev (pid 20, /usr/bin/rolebar)".into()),
                Some(20)
            )
        );
        let bare = Peer::new(1000, Some(30));
        assert_eq!(
            of_peer(&bare, false),
            (Some("a process of yours (pid 30)".into()), Some(30))
        );
    }
}

//! Who is asking: the peer of a connection as the kernel reports it (uid, pid), and on Linux the
//! requesting process and its parent as `/proc` shows them, for the MFA dialog to name.
//!
//! The uid is what security rests on; the rest is for people. A process of the same user can
//! set its own command line to anything, so the text is shown escaped and shortened (a crafted
//! command line cannot add lines or reorder text in the dialog), and the executable is added when
//! it does not match the command's name.

use std::path::PathBuf;

/// The longest command line shown, in characters.
const MAX_COMMAND_CHARS: usize = 120;

/// How much of `/proc/PID/cmdline` is read.
#[cfg(target_os = "linux")]
const MAX_CMDLINE_BYTES: u64 = 4096;

/// The process at the other end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Effective uid at connect time (SO_PEERCRED / getpeereid).
    pub uid: u32,
    /// Its pid, where the platform reports it.
    pub pid: Option<i32>,
    /// The connecting process (usually `rolebar credential-process …`), when it could be read.
    pub process: Option<ProcessInfo>,
    /// Its parent: usually the program that wants the credentials (`aws …`, an IDE, Terraform).
    pub parent: Option<ProcessInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: i32,
    /// Where its executable is (`/proc/PID/exe`), when readable.
    pub exe: Option<PathBuf>,
    /// Its command line for display: the program's file name and its arguments, control and
    /// invisible characters escaped, shortened to 120 characters.
    pub command: String,
}

impl Peer {
    /// A peer known only by its credentials (no process details).
    pub fn new(uid: u32, pid: Option<i32>) -> Self {
        Peer {
            uid,
            pid,
            process: None,
            parent: None,
        }
    }

    /// The peer with its process and parent read from `/proc` (Linux; elsewhere just `new`).
    /// Read at once on accept: the later, the likelier the pid is gone or reused.
    pub fn inspect(uid: u32, pid: Option<i32>) -> Self {
        let mut peer = Peer::new(uid, pid);
        #[cfg(target_os = "linux")]
        if let Some(pid) = pid.filter(|p| *p > 0) {
            peer.process = linux::process_info(pid);
            peer.parent = linux::parent_pid(pid).filter(|p| *p > 0).and_then(linux::process_info);
        }
        peer
    }

    /// One line for the MFA dialog, e.g.
    /// `aws sts get-caller-identity (pid 1234) via rolebar credential-process oppara-dev`.
    pub fn describe(&self) -> String {
        match (&self.process, &self.parent) {
            (Some(process), Some(parent)) => format!("{} via {}", parent.label(), process.command),
            (Some(process), None) => process.label(),
            (None, _) => match self.pid {
                Some(pid) => format!("a process of yours (pid {pid})"),
                None => "a process of yours".to_string(),
            },
        }
    }
}

impl ProcessInfo {
    /// `aws sts get-caller-identity (pid 1234)`, with the executable when its name differs from
    /// the command's: `aws … (pid 1234, /usr/bin/python3.11)`.
    pub fn label(&self) -> String {
        let program = self.command.split(' ').next().unwrap_or("").trim_start_matches('-');
        let named_by_command = |exe: &PathBuf| {
            exe.file_name()
                .is_some_and(|name| !program.is_empty() && name.to_string_lossy().starts_with(program))
        };
        let exe = self.exe.as_ref().filter(|exe| !named_by_command(exe));
        match exe {
            Some(exe) => format!(
                "{} (pid {}, {})",
                self.command,
                self.pid,
                escape_for_display(&exe.to_string_lossy())
            ),
            None => format!("{} (pid {})", self.command, self.pid),
        }
    }
}

/// A command line (`argv`) as one displayable line: the program by its file name, then the
/// arguments, separated by spaces, escaped and shortened.
pub fn display_command<S: AsRef<str>>(argv: &[S]) -> String {
    let mut words = argv.iter().map(AsRef::as_ref);
    let program = words.next().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or("");
    let joined = std::iter::once(program).chain(words).collect::<Vec<_>>().join(" ");
    escape_for_display(&joined)
}

/// Escapes control characters and the invisible ones that reorder or hide text (bidi controls,
/// zero-width characters), then shortens to [`MAX_COMMAND_CHARS`] characters.
fn escape_for_display(text: &str) -> String {
    let mut shown = String::new();
    let mut count = 0;
    for c in text.chars() {
        let piece: String = if c.is_control() || is_invisible_format(c) {
            c.escape_default().collect()
        } else {
            c.to_string()
        };
        count += piece.chars().count();
        if count > MAX_COMMAND_CHARS {
            shown.push('…');
            return shown;
        }
        shown.push_str(&piece);
    }
    shown
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{display_command, ProcessInfo, MAX_CMDLINE_BYTES};
    use std::io::Read;

    pub(super) fn process_info(pid: i32) -> Option<ProcessInfo> {
        let mut raw = Vec::new();
        std::fs::File::open(format!("/proc/{pid}/cmdline"))
            .ok()?
            .take(MAX_CMDLINE_BYTES)
            .read_to_end(&mut raw)
            .ok()?;
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|arg| !arg.is_empty())
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect();
        let command = if argv.is_empty() {
            // A zombie or a kernel thread: only its short name is left.
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            format!("[{}]", display_command(&[comm.trim_end()]))
        } else {
            display_command(&argv)
        };
        Some(ProcessInfo {
            pid,
            exe: std::fs::read_link(format!("/proc/{pid}/exe")).ok(),
            command,
        })
    }

    pub(super) fn parent_pid(pid: i32) -> Option<i32> {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("PPid:"))
            .and_then(|ppid| ppid.trim().parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(pid: i32, command: &str, exe: &str) -> ProcessInfo {
        ProcessInfo {
            pid,
            exe: Some(PathBuf::from(exe)),
            command: command.into(),
        }
    }

    #[test]
    fn describes_the_parent_via_the_client() {
        let peer = Peer {
            uid: 1000,
            pid: Some(1240),
            process: Some(info(1240, "rolebar credential-process oppara-dev", "/usr/bin/rolebar")),
            parent: Some(info(1234, "aws sts get-caller-identity", "/usr/bin/aws")),
        };
        assert_eq!(
            peer.describe(),
            "aws sts get-caller-identity (pid 1234) via rolebar credential-process oppara-dev"
        );
        let mut python = peer.clone();
        python.parent = Some(info(1234, "aws sts get-caller-identity", "/usr/bin/python3.11"));
        assert_eq!(
            python.describe(),
            "aws sts get-caller-identity (pid 1234, /usr/bin/python3.11) via rolebar credential-process oppara-dev",
            "an executable that is not the command's program is named"
        );
        assert_eq!(Peer::new(1000, Some(7)).describe(), "a process of yours (pid 7)");
    }

    #[test]
    fn commands_are_escaped_and_shortened() {
        assert_eq!(
            display_command(&["/usr/bin/aws", "s3", "ls"]),
            "aws s3 ls",
            "the program by its file name"
        );
        assert_eq!(
            display_command(&["evil", "line\nbreak", "\u{202E}reversed", "\u{1b}[31mred"]),
            "evil line\\nbreak \\u{202e}reversed \\u{1b}[31mred"
        );
        let long = display_command(&["x".repeat(500)]);
        assert_eq!(long.chars().count(), MAX_COMMAND_CHARS + 1);
        assert!(long.ends_with('…'));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn reads_this_process_and_its_parent_from_proc() {
        let pid = i32::try_from(std::process::id()).expect("pid fits");
        let peer = Peer::inspect(0, Some(pid));
        let process = peer.process.as_ref().expect("our own /proc entry");
        assert_eq!(process.pid, pid);
        assert_eq!(process.exe.as_deref(), std::env::current_exe().ok().as_deref());
        let ours = std::env::current_exe().expect("exe");
        let name = ours.file_name().expect("name").to_string_lossy();
        assert!(process.command.starts_with(name.as_ref()), "{process:?}");
        assert!(peer.parent.is_some(), "the test runner is our parent");
        assert!(peer.describe().contains(&format!("via {name}")), "{}", peer.describe());
    }
}

//! Who is asking: the peer of a connection as the kernel reports it (uid, pid), and on Linux the
//! requesting process and its parent as `/proc` shows them, for the MFA dialog to name.
//!
//! The uid is what security rests on; the rest is for people, and only the executable
//! (`/proc/PID/exe`) comes from the kernel: a process chooses its own `argv`, `argv[0]` included
//! (`exec -a aws /tmp/x/aws-stealer`). So the program is named by `argv[0]`'s file name only when
//! that name, looked up on the agent's own `PATH` (not the requester's: it chose that too), finds
//! this very executable (same device and inode, so a link such as `/usr/local/bin/aws` to the AWS
//! CLI's real binary counts); otherwise by the executable's real path. The arguments after it,
//! the script an interpreter runs included, stay what the process says about itself. The text is
//! shown escaped and shortened (a crafted command line cannot add lines or reorder text).

use std::ffi::OsStr;
use std::path::PathBuf;

/// The longest command line shown, in characters.
const MAX_COMMAND_CHARS: usize = 120;

/// The longest program path shown: longer ones keep their start and their end (the file name).
const MAX_PROGRAM_CHARS: usize = 80;

/// How much of `/proc/PID/cmdline` is read.
#[cfg(target_os = "linux")]
const MAX_CMDLINE_BYTES: u64 = 4096;

/// Where names are looked up when the agent has no usable `PATH` (Debian's default).
const STANDARD_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

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
    /// Where its executable is (`/proc/PID/exe`), when readable. `None`: the program's name in
    /// `command` could not be checked (a process that made itself undumpable, a zombie).
    pub exe: Option<PathBuf>,
    /// Its command line for display: the program (see the module's notes) and its arguments,
    /// control and invisible characters escaped, shortened to 120 characters.
    pub command: String,
    /// For an interpreter (python, node, ruby, perl, a shell): the script it runs, absolute and
    /// canonical (`approvals::program`). What the process says of itself, unlike `exe`.
    pub script: Option<String>,
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

    /// The peer with its process and parent read from `/proc` (Linux; elsewhere just `new`),
    /// program names checked on this process's `PATH` ([`ProgramLookup::from_env`]).
    /// Read at once on accept: the later, the likelier the pid is gone or reused.
    pub fn inspect(uid: u32, pid: Option<i32>) -> Self {
        Peer::inspect_with(uid, pid, &ProgramLookup::from_env())
    }

    /// [`Peer::inspect`] with names checked on `lookup`.
    pub fn inspect_with(uid: u32, pid: Option<i32>, lookup: &ProgramLookup) -> Self {
        let mut peer = Peer::new(uid, pid);
        #[cfg(target_os = "linux")]
        if let Some(pid) = pid.filter(|p| *p > 0) {
            peer.process = ProcessInfo::read(pid, lookup);
            peer.parent = linux::parent_pid(pid)
                .filter(|p| *p > 0)
                .and_then(|parent| ProcessInfo::read(parent, lookup));
        }
        #[cfg(not(target_os = "linux"))]
        let _ = lookup;
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

impl Peer {
    /// The program that wants the credentials, as approvals know it: the parent of the
    /// connecting `rolebar` (as [`Peer::describe`] names it). `None` when it cannot be told
    /// (either process unreadable, its executable hidden, a path that is not UTF-8): such a
    /// requester is asked about every time and never remembered.
    pub fn program(&self) -> Option<crate::approvals::ProgramId> {
        match (&self.process, &self.parent) {
            (Some(_), Some(parent)) => parent.program(),
            _ => None,
        }
    }
}

impl ProcessInfo {
    /// The program as approvals know it: its executable, and an interpreter's script.
    pub fn program(&self) -> Option<crate::approvals::ProgramId> {
        let exe = self.exe.as_deref()?.to_str()?;
        Some(crate::approvals::ProgramId::new(exe, self.script.clone()))
    }

    /// The process `pid` as `/proc` shows it, its program checked on `lookup` (Linux only).
    pub fn read(pid: i32, lookup: &ProgramLookup) -> Option<ProcessInfo> {
        #[cfg(target_os = "linux")]
        return linux::process_info(pid, lookup);
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (pid, lookup);
            None
        }
    }

    /// `aws sts get-caller-identity (pid 1234)`; a process whose executable cannot be read is
    /// marked, since then nothing vouches for the name it gives itself.
    pub fn label(&self) -> String {
        match self.exe {
            Some(_) => format!("{} (pid {})", self.command, self.pid),
            None => format!(
                "{} (pid {}, unchecked: its executable cannot be read)",
                self.command, self.pid
            ),
        }
    }
}

/// The folders a program's bare name is looked up in to check it: the first executable file of
/// that name must be the process's executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramLookup {
    dirs: Vec<PathBuf>,
}

impl ProgramLookup {
    /// This process's `PATH` (for the tray: the desktop session's, what "aws" means to the user
    /// reading the dialog), else the standard one.
    pub fn from_env() -> Self {
        ProgramLookup::from_path(std::env::var_os("PATH").as_deref())
    }

    /// The absolute folders of `path` (relative ones would depend on the agent's working folder);
    /// the standard `PATH` when that leaves none.
    pub fn from_path(path: Option<&OsStr>) -> Self {
        let absolute =
            |value: &OsStr| -> Vec<PathBuf> { std::env::split_paths(value).filter(|dir| dir.is_absolute()).collect() };
        let dirs = path.map(absolute).filter(|dirs| !dirs.is_empty());
        ProgramLookup {
            dirs: dirs.unwrap_or_else(|| absolute(OsStr::new(STANDARD_PATH))),
        }
    }

    /// Whether `name` (a bare file name) finds the file `(device, inode)` first.
    #[cfg(target_os = "linux")]
    fn finds(&self, name: &OsStr, file: (u64, u64)) -> bool {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if name.is_empty() || name == "." || name == ".." {
            return false;
        }
        let first = self.dirs.iter().find_map(|dir| {
            std::fs::metadata(dir.join(name))
                .ok()
                .filter(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        });
        first.is_some_and(|meta| (meta.dev(), meta.ino()) == file)
    }
}

/// How the program of a command line is shown: `argv0`'s file name (a login shell's `-` taken
/// off) when `lookup` finds the executable `exe` by that name; else `exe`'s own path; with no
/// readable executable, the name unchecked (the label says so).
#[cfg(target_os = "linux")]
fn shown_program(argv0: &[u8], exe: Option<(&std::path::Path, (u64, u64))>, lookup: &ProgramLookup) -> String {
    use std::os::unix::ffi::OsStrExt;
    let name = argv0.rsplit(|b| *b == b'/').next().unwrap_or(argv0);
    let name = name.strip_prefix(b"-").unwrap_or(name);
    let readable = String::from_utf8_lossy(name);
    match exe {
        None => escape_for_display(&readable, MAX_COMMAND_CHARS),
        Some((_, file)) if lookup.finds(OsStr::from_bytes(name), file) => {
            escape_for_display(&readable, MAX_COMMAND_CHARS)
        }
        Some((path, _)) => shorten_middle(&escape_for_display(&path.to_string_lossy(), usize::MAX)),
    }
}

/// The program and its arguments as one line, shortened to [`MAX_COMMAND_CHARS`].
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn command_line<S: AsRef<str>>(program: &str, args: &[S]) -> String {
    let mut line = program.to_string();
    for arg in args {
        line.push(' ');
        line.push_str(&escape_for_display(arg.as_ref(), usize::MAX));
    }
    cut(&line, MAX_COMMAND_CHARS)
}

/// Escapes control characters and the invisible ones that reorder or hide text (bidi controls,
/// zero-width characters), then shortens to `max` characters.
fn escape_for_display(text: &str, max: usize) -> String {
    let mut shown = String::new();
    for c in text.chars() {
        if c.is_control() || is_invisible_format(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    cut(&shown, max)
}

/// `text` cut to `max` characters and `…`.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A long path kept to [`MAX_PROGRAM_CHARS`] by its start and end: where it is and what it is
/// called both stay in sight.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn shorten_middle(text: &str) -> String {
    let count = text.chars().count();
    if count <= MAX_PROGRAM_CHARS {
        return text.to_string();
    }
    let head = MAX_PROGRAM_CHARS / 3;
    let tail = MAX_PROGRAM_CHARS - head - 1;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(target_os = "linux")]
mod linux {
    use super::{command_line, escape_for_display, shown_program, ProcessInfo, ProgramLookup, MAX_CMDLINE_BYTES};
    use std::io::Read;
    use std::os::unix::fs::MetadataExt;

    pub(super) fn process_info(pid: i32, lookup: &ProgramLookup) -> Option<ProcessInfo> {
        let mut raw = Vec::new();
        std::fs::File::open(format!("/proc/{pid}/cmdline"))
            .ok()?
            .take(MAX_CMDLINE_BYTES)
            .read_to_end(&mut raw)
            .ok()?;
        // Both read through the same link: the path as the kernel tells it ("… (deleted)" for a
        // removed file), and the file itself, which stays comparable even then.
        let exe_link = format!("/proc/{pid}/exe");
        let exe = std::fs::read_link(&exe_link).ok();
        let file = std::fs::metadata(&exe_link).ok().map(|meta| (meta.dev(), meta.ino()));
        let checked = exe.as_deref().zip(file);
        let mut argv = raw.split(|b| *b == 0).filter(|arg| !arg.is_empty());
        let mut script = None;
        let command = match argv.next() {
            None => {
                // A zombie or a kernel thread: only its short name is left.
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
                format!("[{}]", escape_for_display(comm.trim_end(), super::MAX_COMMAND_CHARS))
            }
            Some(argv0) => {
                let args: Vec<String> = argv.map(|arg| String::from_utf8_lossy(arg).into_owned()).collect();
                let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).ok();
                script = exe
                    .as_deref()
                    .and_then(|exe| crate::approvals::program::script_of(exe, &args, cwd.as_deref()));
                command_line(&shown_program(argv0, checked, lookup), &args)
            }
        };
        Some(ProcessInfo {
            pid,
            exe: checked.map(|(path, _)| path.to_path_buf()),
            command,
            script,
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

    fn info(pid: i32, command: &str, exe: Option<&str>) -> ProcessInfo {
        ProcessInfo {
            pid,
            exe: exe.map(PathBuf::from),
            command: command.into(),
            script: None,
        }
    }

    #[test]
    fn describes_the_parent_via_the_client() {
        let peer = Peer {
            uid: 1000,
            pid: Some(1240),
            process: Some(info(
                1240,
                "rolebar credential-process oppara-dev",
                Some("/usr/bin/rolebar"),
            )),
            parent: Some(info(1234, "aws sts get-caller-identity", Some("/usr/bin/aws"))),
        };
        assert_eq!(
            peer.describe(),
            "aws sts get-caller-identity (pid 1234) via rolebar credential-process oppara-dev"
        );
        let mut hidden = peer.clone();
        hidden.parent = Some(info(1234, "aws sts get-caller-identity", None));
        assert_eq!(
            hidden.describe(),
            "aws sts get-caller-identity (pid 1234, unchecked: its executable cannot be read) via rolebar credential-process oppara-dev",
            "nothing vouches for a name when the executable cannot be read"
        );
        assert_eq!(Peer::new(1000, Some(7)).describe(), "a process of yours (pid 7)");
    }

    #[test]
    fn commands_are_escaped_and_shortened() {
        assert_eq!(command_line("aws", &["s3", "ls"]), "aws s3 ls");
        assert_eq!(
            command_line("evil", &["line\nbreak", "\u{202E}reversed", "\u{1b}[31mred"]),
            "evil line\\nbreak \\u{202e}reversed \\u{1b}[31mred"
        );
        let long = command_line(&"x".repeat(500), &[] as &[&str]);
        assert_eq!(long.chars().count(), MAX_COMMAND_CHARS + 1);
        assert!(long.ends_with('…'));
        let deep = format!("/tmp/{}/usr/bin/aws", "a".repeat(300));
        let shown = shorten_middle(&deep);
        assert_eq!(shown.chars().count(), MAX_PROGRAM_CHARS);
        assert!(
            shown.starts_with("/tmp/aaa") && shown.ends_with("aaa/usr/bin/aws"),
            "{shown}"
        );
    }

    #[test]
    fn the_lookup_takes_absolute_folders_or_the_standard_path() {
        let dirs = |path: Option<&str>| ProgramLookup::from_path(path.map(OsStr::new)).dirs;
        assert_eq!(
            dirs(Some("/opt/bin:relative:/usr/bin")),
            [PathBuf::from("/opt/bin"), PathBuf::from("/usr/bin")]
        );
        let standard = dirs(None);
        assert_eq!(standard.first(), Some(&PathBuf::from("/usr/local/sbin")));
        assert_eq!(dirs(Some("")), standard);
        assert_eq!(dirs(Some(".:bin")), standard, "only relative folders: as if unset");
    }

    #[cfg(target_os = "linux")]
    mod processes {
        use super::super::*;
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        use std::os::unix::process::CommandExt;
        use std::path::Path;
        use std::process::{Child, Command, Stdio};
        use std::time::{Duration, Instant};

        /// A process killed (and reaped) when the test ends, pass or fail.
        struct Running(Child);

        impl Drop for Running {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }

        impl Running {
            fn start(command: &mut Command) -> Running {
                Running(
                    command
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .spawn()
                        .expect("spawn"),
                )
            }

            fn pid(&self) -> i32 {
                i32::try_from(self.0.id()).expect("pid fits")
            }

            /// Waits (bounded) until the process runs `file` with its arguments in place: after
            /// `bash -c 'exec …'` the exec is bash's to do, and even after `spawn` returns the
            /// kernel may not have laid out the new arguments yet (`/proc/PID/cmdline` is empty).
            fn runs(self, file: &Path) -> Running {
                let want = id(file);
                let began = Instant::now();
                let ready = || {
                    let exe = std::fs::metadata(format!("/proc/{}/exe", self.pid()));
                    let argv = std::fs::read(format!("/proc/{}/cmdline", self.pid()));
                    exe.is_ok_and(|m| (m.dev(), m.ino()) == want) && argv.is_ok_and(|a| !a.is_empty())
                };
                while !ready() {
                    assert!(began.elapsed() < Duration::from_secs(10), "the exec never happened");
                    std::thread::sleep(Duration::from_millis(5));
                }
                self
            }

            fn command(&self, lookup: &ProgramLookup) -> String {
                ProcessInfo::read(self.pid(), lookup).expect("in /proc").command
            }
        }

        fn id(file: &Path) -> (u64, u64) {
            let meta = std::fs::metadata(file).expect("meta");
            (meta.dev(), meta.ino())
        }

        /// A copy of `/usr/bin/sleep` at `dir/name`: a program that is not on any PATH.
        fn sleep_copy(dir: &Path, name: &str) -> PathBuf {
            let copy = dir.join(name);
            std::fs::copy("/usr/bin/sleep", &copy).expect("copy sleep");
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            copy
        }

        fn usr_bin() -> ProgramLookup {
            ProgramLookup::from_path(Some(OsStr::new("/usr/bin")))
        }

        #[test]
        fn exec_a_aws_shows_the_real_executable_not_the_name_it_chose() {
            let dir = tempfile::tempdir().expect("tempdir");
            let stealer = sleep_copy(dir.path(), "aws-stealer");
            // An `aws` on the PATH too, so the name itself is one the user knows.
            let bin = tempfile::tempdir().expect("tempdir");
            sleep_copy(bin.path(), "aws");
            let lookup = ProgramLookup::from_path(Some(bin.path().as_os_str()));
            let running = Running::start(Command::new("/usr/bin/bash").args([
                "-c",
                "exec -a aws \"$0\" 600",
                &stealer.to_string_lossy(),
            ]))
            .runs(&stealer);
            let shown = running.command(&lookup);
            assert_eq!(shown, format!("{} 600", stealer.display()));
            let info = ProcessInfo::read(running.pid(), &lookup).expect("in /proc");
            assert_eq!(
                info.label(),
                format!("{} 600 (pid {})", stealer.display(), running.pid())
            );
        }

        #[test]
        fn a_program_run_by_a_name_the_path_finds_is_shown_by_that_name() {
            let sleep = Path::new("/usr/bin/sleep");
            let by_name = Running::start(Command::new(sleep).arg0("sleep").arg("600")).runs(sleep);
            assert_eq!(by_name.command(&usr_bin()), "sleep 600");
            // A full path to the same file: the name still finds it.
            let by_path = Running::start(Command::new(sleep).arg("601")).runs(sleep);
            assert_eq!(by_path.command(&usr_bin()), "sleep 601");
            // A login shell's `-bash` style names the same program.
            let login = Running::start(Command::new(sleep).arg0("-sleep").arg("602")).runs(sleep);
            assert_eq!(login.command(&usr_bin()), "sleep 602");
        }

        #[test]
        fn a_full_path_to_a_program_off_the_path_is_shown_as_that_path() {
            let dir = tempfile::tempdir().expect("tempdir");
            let mine = sleep_copy(dir.path(), "sleep");
            let running = Running::start(Command::new(&mine).arg("600")).runs(&mine);
            assert_eq!(
                running.command(&usr_bin()),
                format!("{} 600", mine.display()),
                "`sleep` on the PATH is another file: its name would not be this program's"
            );
        }

        /// Decided: a link on the PATH to the real binary (how the AWS CLI v2 installs
        /// `/usr/local/bin/aws`) names it, since typing that name runs exactly this file.
        #[test]
        fn a_link_on_the_path_to_the_executable_names_it() {
            let real = tempfile::tempdir().expect("tempdir");
            let binary = sleep_copy(real.path(), "aws-v2");
            let bin = tempfile::tempdir().expect("tempdir");
            std::os::unix::fs::symlink(&binary, bin.path().join("aws")).expect("symlink");
            let lookup = ProgramLookup::from_path(Some(bin.path().as_os_str()));
            let running = Running::start(Command::new(bin.path().join("aws")).arg0("aws").arg("600")).runs(&binary);
            assert_eq!(running.command(&lookup), "aws 600");
            let info = ProcessInfo::read(running.pid(), &lookup).expect("in /proc");
            assert_eq!(
                info.exe.as_deref(),
                Some(binary.as_path()),
                "the kernel's path is the link's target"
            );
        }

        /// The requester's own PATH proves nothing: it chose it, as it chose its name.
        #[test]
        fn a_name_found_only_on_the_requesters_path_is_not_trusted() {
            let dir = tempfile::tempdir().expect("tempdir");
            let fake = sleep_copy(dir.path(), "aws");
            let running =
                Running::start(Command::new(&fake).arg0("aws").arg("600").env("PATH", dir.path())).runs(&fake);
            assert_eq!(running.command(&usr_bin()), format!("{} 600", fake.display()));
        }

        /// A script runs as its interpreter: the interpreter is named (checked), the script is
        /// the first argument, as the process says.
        #[test]
        fn a_script_shows_its_checked_interpreter_then_the_script() {
            if !Path::new("/usr/bin/python3").exists() {
                eprintln!("skipped: needs /usr/bin/python3");
                return;
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let script = dir.path().join("aws");
            std::fs::write(&script, "#!/usr/bin/python3\nimport time\ntime.sleep(600)\n").expect("write");
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
            let running = Running::start(Command::new(&script).args(["sts", "get-caller-identity"]))
                .runs(Path::new("/usr/bin/python3"));
            assert_eq!(
                running.command(&usr_bin()),
                format!("python3 {} sts get-caller-identity", script.display())
            );
            // Another python3 first on the PATH (a pyenv shim, say): the real path instead.
            let shim = tempfile::tempdir().expect("tempdir");
            sleep_copy(shim.path(), "python3");
            let shimmed = ProgramLookup::from_path(Some(
                std::env::join_paths([shim.path(), Path::new("/usr/bin")])
                    .expect("join")
                    .as_os_str(),
            ));
            let shown = running.command(&shimmed);
            assert!(shown.starts_with("/usr/bin/python3"), "{shown}");
            assert!(
                shown.ends_with(&format!(" {} sts get-caller-identity", script.display())),
                "{shown}"
            );
        }

        /// Approvals tell two scripts of one interpreter apart: the script, made absolute
        /// against the process's working folder, is part of the program's identity.
        #[test]
        fn an_interpreters_program_identity_includes_its_script() {
            if !Path::new("/usr/bin/python3").exists() {
                eprintln!("skipped: needs /usr/bin/python3");
                return;
            }
            let dir = tempfile::tempdir().expect("tempdir");
            let script = dir.path().join("list_buckets.py");
            std::fs::write(&script, "import time\ntime.sleep(600)\n").expect("write");
            let python = std::fs::canonicalize("/usr/bin/python3").expect("python3");
            let running = Running::start(
                Command::new("/usr/bin/python3")
                    .args(["-u", "list_buckets.py"])
                    .current_dir(dir.path()),
            )
            .runs(&python);
            let info = ProcessInfo::read(running.pid(), &usr_bin()).expect("in /proc");
            let program = info.program().expect("identified");
            assert_eq!(Some(program.exe.as_str()), python.to_str());
            let canonical = std::fs::canonicalize(&script).expect("canonical");
            assert_eq!(program.script.as_deref(), canonical.to_str());
        }

        #[test]
        fn reads_this_process_and_its_parent_from_proc() {
            let pid = i32::try_from(std::process::id()).expect("pid fits");
            let peer = Peer::inspect_with(0, Some(pid), &usr_bin());
            let process = peer.process.as_ref().expect("our own /proc entry");
            assert_eq!(process.pid, pid);
            let ours = std::env::current_exe().expect("exe");
            assert_eq!(process.exe.as_deref(), Some(ours.as_path()));
            // The test binary is on no PATH: its real path is shown.
            let shown = ours.to_string_lossy();
            assert!(
                process.command.starts_with(shorten_middle(&shown).as_str()),
                "{process:?}"
            );
            assert!(peer.parent.is_some(), "the test runner is our parent");
            assert!(peer.describe().contains(" via /"), "{}", peer.describe());
        }
    }
}

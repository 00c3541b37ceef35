//! Which program asks, as approvals remember it: the resolved executable (`/proc/PID/exe`, the
//! kernel's word), and for a known interpreter the script it runs (what the process says of
//! itself: its first non-option argument, made absolute against its working folder). Without the
//! script, Debian's `aws` and every boto3 script would be one program, `/usr/bin/python3.11`.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A program as approvals know it. Paths are kept as text (a path that is not UTF-8 gives no
/// identity: it is asked about every time, never remembered).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProgramId {
    /// The executable the kernel runs, symbolic links resolved.
    pub exe: String,
    /// For an interpreter: the script it runs (a canonical path), or `-m MODULE` for
    /// `python -m`; `None` for inline code (`-c`), standard input, an interactive shell, or any
    /// other program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
}

impl ProgramId {
    pub fn new(exe: impl Into<String>, script: Option<String>) -> Self {
        ProgramId {
            exe: exe.into(),
            script,
        }
    }
}

impl std::fmt::Display for ProgramId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.script {
            Some(script) => write!(f, "{} {}", self.exe, script),
            None => f.write_str(&self.exe),
        }
    }
}

/// The interpreters whose script is part of a program's identity, by the executable's file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interpreter {
    Python,
    Node,
    Ruby,
    Perl,
    Shell,
}

impl Interpreter {
    fn of(exe: &Path) -> Option<Self> {
        let name = exe.file_name()?.to_str()?;
        // `python3.11`, `ruby3.1`, `perl5.36.0`: a name then a version.
        let stem = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        match stem {
            "python" | "pypy" => Some(Interpreter::Python),
            "node" | "nodejs" => Some(Interpreter::Node),
            "ruby" => Some(Interpreter::Ruby),
            "perl" => Some(Interpreter::Perl),
            "sh" | "bash" | "dash" | "zsh" | "ksh" | "mksh" => Some(Interpreter::Shell),
            _ => None,
        }
    }

    /// Options whose value is the next argument (not the script).
    fn takes_value(self, option: &str) -> bool {
        match self {
            Interpreter::Python => matches!(option, "-W" | "-X" | "--check-hash-based-pycs"),
            Interpreter::Node => matches!(
                option,
                "-r" | "--require"
                    | "--import"
                    | "--loader"
                    | "--experimental-loader"
                    | "-C"
                    | "--conditions"
                    | "--title"
            ),
            Interpreter::Ruby => matches!(option, "-I" | "-r" | "-C" | "-E" | "--encoding"),
            Interpreter::Perl => matches!(option, "-I" | "-M" | "-m"),
            Interpreter::Shell => matches!(option, "-o" | "+o" | "-O" | "+O"),
        }
    }

    /// Options after which no script file follows (inline code, a REPL).
    fn runs_no_file(self, option: &str) -> bool {
        let short_cluster_has = |letter: char| {
            option.len() > 1
                && option.starts_with('-')
                && !option.starts_with("--")
                && option[1..].chars().all(|c| c.is_ascii_alphabetic())
                && option[1..].contains(letter)
        };
        match self {
            Interpreter::Python => short_cluster_has('c'),
            Interpreter::Node => matches!(option, "-e" | "--eval" | "-p" | "--print" | "-i" | "--interactive"),
            Interpreter::Ruby => option == "-e",
            Interpreter::Perl => matches!(option, "-e" | "-E"),
            Interpreter::Shell => short_cluster_has('c') || short_cluster_has('s') || short_cluster_has('i'),
        }
    }
}

/// The script part of the identity of a process running `exe` with `args` (after `argv[0]`) in
/// the working folder `cwd`, if `exe` is a known interpreter running a script.
pub fn script_of<S: AsRef<str>>(exe: &Path, args: &[S], cwd: Option<&Path>) -> Option<String> {
    let interpreter = Interpreter::of(exe)?;
    let mut args = args.iter().map(AsRef::as_ref);
    while let Some(arg) = args.next() {
        if arg == "--" {
            return args.next().and_then(|script| resolve(script, cwd));
        }
        if interpreter == Interpreter::Python && arg == "-m" {
            return args.next().map(|module| format!("-m {module}"));
        }
        if interpreter.runs_no_file(arg) {
            return None;
        }
        if arg == "-" {
            return None;
        }
        if arg.starts_with('-') || (interpreter == Interpreter::Shell && arg.starts_with('+')) {
            if interpreter.takes_value(arg) {
                args.next();
            }
            continue;
        }
        return resolve(arg, cwd);
    }
    None
}

/// `script` made absolute against `cwd` and canonical when it exists (links resolved, so two
/// names of one file are one program); kept as given when it cannot be resolved.
fn resolve(script: &str, cwd: Option<&Path>) -> Option<String> {
    let path = Path::new(script);
    let absolute: PathBuf = match (path.is_absolute(), cwd) {
        (true, _) => path.to_path_buf(),
        (false, Some(cwd)) => cwd.join(path),
        (false, None) => path.to_path_buf(),
    };
    let resolved = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    resolved.to_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(exe: &str, args: &[&str], cwd: &str) -> Option<String> {
        script_of(Path::new(exe), args, Some(Path::new(cwd)))
    }

    #[test]
    fn a_script_is_part_of_an_interpreters_identity() {
        assert_eq!(
            script("/usr/bin/python3.11", &["/usr/bin/aws", "s3", "ls"], "/home/u"),
            Some("/usr/bin/aws".into())
        );
        assert_eq!(
            script(
                "/usr/bin/python3.11",
                &["-u", "-W", "ignore", "x/list.py"],
                "/nonexistent/home"
            ),
            Some("/nonexistent/home/x/list.py".into()),
            "a relative script is made absolute; an option's value is not the script"
        );
        assert_eq!(
            script("/usr/bin/python3", &["-m", "awscli", "s3"], "/"),
            Some("-m awscli".into())
        );
        assert_eq!(script("/usr/bin/python3", &["-c", "import boto3"], "/"), None);
        assert_eq!(script("/usr/bin/python3", &["-Bc", "import boto3"], "/"), None);
        assert_eq!(script("/usr/bin/python3", &[], "/"), None, "a REPL");
        assert_eq!(
            script(
                "/usr/bin/node",
                &["--require", "./hook.js", "/opt/cdk/bin/cdk", "deploy"],
                "/"
            ),
            Some("/opt/cdk/bin/cdk".into())
        );
        assert_eq!(script("/usr/bin/node", &["-e", "x"], "/"), None);
        assert_eq!(
            script("/usr/bin/bash", &["-e", "-o", "pipefail", "/srv/deploy.sh"], "/"),
            Some("/srv/deploy.sh".into())
        );
        assert_eq!(script("/usr/bin/bash", &["-ec", "aws s3 ls"], "/"), None);
        assert_eq!(script("/usr/bin/bash", &[], "/"), None, "an interactive shell");
        assert_eq!(
            script("/usr/bin/perl5.36.0", &["--", "-odd.pl"], "/w"),
            Some("/w/-odd.pl".into())
        );
        assert_eq!(
            script("/usr/bin/ruby3.1", &["-I", "lib", "tool.rb"], "/w"),
            Some("/w/tool.rb".into())
        );
        assert_eq!(
            script("/usr/local/bin/aws", &["/etc/passwd"], "/"),
            None,
            "not an interpreter: its arguments are not a script"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_script_is_named_by_its_real_path() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.py");
        std::fs::write(&real, "print(1)\n").expect("write");
        std::os::unix::fs::symlink(&real, dir.path().join("link.py")).expect("symlink");
        let canonical = std::fs::canonicalize(&real).expect("canonical");
        assert_eq!(
            script_of(Path::new("/usr/bin/python3"), &["link.py"], Some(dir.path())),
            canonical.to_str().map(str::to_string)
        );
    }
}

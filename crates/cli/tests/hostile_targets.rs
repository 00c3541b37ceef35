//! Issue 9's repros through the `rolebar` binary: a credentials path that is a device node or a
//! FIFO is refused before any MFA code is asked and left as it is, and a section the user wrote
//! needs `--force` and keeps its lines after `rolebar logout`.

mod support;

use std::os::unix::fs::FileTypeExt;
use std::process::{Command, Output};
use std::sync::{mpsc, Arc};
use support::{text, World};

/// `rolebar ARGS` that must return: a FIFO once hung it forever. Fails the test after 30 s
/// instead of hanging the suite (a bound, not a synchronisation).
fn bounded(w: &Arc<World>, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let (tx, rx) = mpsc::channel();
    let shown = args.join(" ");
    let (w, args, stdin) = (Arc::clone(w), owned(args), stdin.to_string());
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    std::thread::spawn(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let _ = tx.send(w.rolebar(&args, &stdin, &env));
    });
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("`rolebar {shown}` hung"))
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_device_or_fifo_as_the_credentials_file_is_refused_before_the_code_is_asked() {
    let w = Arc::new(World::new("hostile-kind"));
    w.add_keys();
    let null = w.path("null");
    let made = Command::new("mknod")
        .args(["-m", "666"])
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    let fifo = w.path("fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let mut cases = vec![(fifo, "a FIFO")];
    if made {
        cases.push((null, "a character device"));
    } else {
        eprintln!("skipped the device node case: mknod needs root");
    }
    for (path, kind) in cases {
        let shown = path.display().to_string();
        // No code on stdin: the refusal must come before any prompt.
        let out = bounded(
            &w,
            &["write", "oppara-dev", "--to", "x1"],
            "",
            &[("AWS_SHARED_CREDENTIALS_FILE", shown.as_str())],
        );
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(stderr.contains(kind) && stderr.contains(&shown), "{stderr}");
        assert!(!stderr.contains("Enter MFA code"), "asked for a code first: {stderr}");
        let file_type = std::fs::symlink_metadata(&path).expect("still there").file_type();
        assert!(
            file_type.is_fifo() || file_type.is_char_device(),
            "{shown} was replaced"
        );
        // `list` reads the same file and must not hang on it either.
        let out = bounded(&w, &["list"], "", &[("AWS_SHARED_CREDENTIALS_FILE", shown.as_str())]);
        if kind == "a character device" {
            assert!(out.status.success(), "/dev/null reads as empty: {}", text(&out.stderr));
        } else {
            assert!(text(&out.stderr).contains(kind), "{}", text(&out.stderr));
        }
    }
}

#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn a_users_section_needs_force_and_logout_keeps_its_lines() {
    let w = World::new("hostile-owner");
    w.add_keys();
    let credentials = w.path("credentials");
    let original = "[work]\n# the work account\nregion = eu-west-1\noutput = json\n";
    std::fs::write(&credentials, original).expect("credentials");

    let out = w.rolebar(&["write", "oppara-dev", "--to", "work"], "", &[]);
    let stderr = text(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("region, output, 1 comment"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&credentials).expect("read"), original);

    let out = w.rolebar(&["write", "oppara-dev", "--to", "work", "--force"], "123456\n", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = w.rolebar(&["logout", "work"], "", &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&credentials).expect("read"), original);
}

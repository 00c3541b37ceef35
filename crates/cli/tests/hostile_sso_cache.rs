//! Issue 19 through the `rolebar` binary: an SSO token file that another tool wrote with a short
//! `expiresAt` (`2030-01-01T00:00UTC`, `2030-01-01 00:00 UTC`, 16 characters + `GMT`) made
//! `rolebar list` and `credential-process` exit 101 (a panic), and the tray died at every start.
//! Now such a file is read (dateutil reads these forms too), and one that is not a token at all
//! (an unreadable time, 200 MB) is an error of that sign-in alone, naming the file.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use support::{text, World};

/// SHA-1 of `corp`: the AWS CLI's token file name for `[sso-session corp]`.
const CORP_TOKEN_FILE: &str = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";

const SSO_CONFIG: &str = "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
    sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n\
    [profile sandbox-admin]\nsso_session = corp\nsso_account_id = 111111111111\n\
    sso_role_name = AdministratorAccess\nregion = us-east-1\n";

/// The issue's files: each must be read, in `expiresAt` and in `registrationExpiresAt`.
const SHORT_FORMS: [&str; 3] = ["2030-01-01T00:00UTC", "2030-01-01 00:00 UTC", "2030-01-01T00:00GMT"];

fn token_file(expires: &str) -> String {
    format!(
        r#"{{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "hostile-access-token", "expiresAt": "{expires}", "clientId": "c", "clientSecret": "hostile-client-secret", "registrationExpiresAt": "{expires}", "refreshToken": "hostile-refresh-token"}}"#
    )
}

/// The files that are not a token: a time no tool writes, and 200 MB (sparse: nothing is read).
enum Unreadable {
    Time(&'static str),
    Huge,
}

impl Unreadable {
    const ALL: [Unreadable; 3] = [
        Unreadable::Time("2030GMT"),
        Unreadable::Time("2030-01-01T00UTC"),
        Unreadable::Huge,
    ];

    fn write(&self, path: &Path) {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("cache folder");
        match self {
            Unreadable::Time(t) => std::fs::write(path, token_file(t)).expect("write"),
            Unreadable::Huge => {
                let _ = std::fs::remove_file(path);
                std::fs::File::create(path)
                    .expect("create")
                    .set_len(200 * 1024 * 1024)
                    .expect("sparse")
            }
        }
    }

    /// What the message says about the file.
    fn problem(&self) -> &'static str {
        match self {
            Unreadable::Time(_) => "`expiresAt` is not a time",
            Unreadable::Huge => "larger than a token file can be",
        }
    }
}

/// A HOME with the AWS files and Rolebar's state, and nothing else: `rolebar list` needs no
/// keyring and no network.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("config"),
            format!("[default]\nregion = us-east-1\n{SSO_CONFIG}"),
        )
        .expect("config");
        Home { dir }
    }

    fn token_path(&self) -> PathBuf {
        self.dir.path().join(".aws/sso/cache").join(CORP_TOKEN_FILE)
    }

    fn rolebar(&self, args: &[&str]) -> Output {
        let path = |name: &str| self.dir.path().join(name);
        Command::new(env!("CARGO_BIN_EXE_rolebar"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("AWS_CONFIG_FILE", path("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", path("credentials"))
            .env("ROLEBAR_STATE_DIR", path("state"))
            .env("XDG_CONFIG_HOME", path("xdg-config"))
            .env("ROLEBAR_AGENT_SOCKET", path("run/agent.sock"))
            .env("ROLEBAR_KEYRING_SERVICE", "rolebar-test-hostile-sso-cache")
            // Nothing here may reach a network: a closed port.
            .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
            .env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9")
            .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
            .stdin(Stdio::null())
            .output()
            .expect("rolebar runs")
    }
}

fn sign_in_row(out: &Output) -> String {
    text(&out.stdout)
        .lines()
        .find(|l| l.starts_with("[sso-session corp]"))
        .unwrap_or_else(|| panic!("no sign-in row: {}", text(&out.stdout)))
        .to_string()
}

/// No services: `rolebar list` with each file exits 0, shows the sign-in read from a short
/// form, and the error of an unreadable file in that row alone.
#[test]
fn list_reads_the_short_forms_and_survives_an_unreadable_token_file() {
    let home = Home::new();
    std::fs::create_dir_all(home.token_path().parent().expect("folder")).expect("cache folder");
    for form in SHORT_FORMS {
        std::fs::write(home.token_path(), token_file(form)).expect("write");
        let out = home.rolebar(&["list"]);
        assert_eq!(out.status.code(), Some(0), "{form}: {}", text(&out.stderr));
        let row = sign_in_row(&out);
        assert!(row.contains("signed in,") && row.contains("left"), "{form}: {row}");
        assert!(text(&out.stdout).contains("default"), "the other profiles are listed");
    }
    for file in Unreadable::ALL {
        file.write(&home.token_path());
        let out = home.rolebar(&["list"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            sign_in_row(&out).contains("(error: sso_cache_corrupt)"),
            "{}",
            text(&out.stdout)
        );
        assert!(text(&out.stdout).contains("sandbox-admin"), "every profile is listed");
    }
}

/// With moto and a keyring: beside each file, `credential-process` of another profile serves its
/// session (exit 0), and that of the SSO profile fails (exit 1, not 101) naming the file, what is
/// wrong with it and how to sign in again, and quoting no secret of it.
#[test]
#[ignore = "needs moto and a keyring: run bash scripts/test.sh"]
fn credential_process_of_another_profile_is_served_beside_a_hostile_token_file() {
    let w = World::new("hostile-sso-cache");
    let mut config = std::fs::read_to_string(w.path("config")).expect("config");
    config.push_str(SSO_CONFIG);
    std::fs::write(w.path("config"), config).expect("config");
    w.add_keys();
    let token_path = w.dir.path().join(".aws/sso/cache").join(CORP_TOKEN_FILE);
    std::fs::create_dir_all(token_path.parent().expect("folder")).expect("cache folder");
    // The SSO endpoints at a closed port: nothing here may sign in or call the portal.
    let env = [
        ("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9"),
        ("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9"),
    ];
    let served = |label: &str| {
        let out = w.rolebar(&["credential-process", "default"], "", &env);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        // (moto's session key ids do not start with ASIA as AWS's do)
        assert!(
            json["AccessKeyId"].as_str().is_some_and(|k| !k.is_empty())
                && json["SessionToken"].as_str().is_some_and(|t| !t.is_empty()),
            "{label}: not a session"
        );
        let out = w.rolebar(&["list"], "", &env);
        assert_eq!(out.status.code(), Some(0), "{label}: {}", text(&out.stderr));
    };
    for form in SHORT_FORMS {
        std::fs::write(&token_path, token_file(form)).expect("write");
        served(form);
    }
    for file in Unreadable::ALL {
        file.write(&token_path);
        served(file.problem());
        let out = w.rolebar(&["credential-process", "sandbox-admin"], "", &env);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let message = text(&out.stderr);
        for part in [
            &token_path.display().to_string(),
            file.problem(),
            "rolebar login-sso corp",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
        for secret in ["hostile-access-token", "hostile-client-secret", "hostile-refresh-token"] {
            assert!(!message.contains(secret), "{message}");
        }
    }
}

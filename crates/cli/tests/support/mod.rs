//! The world the CLI tests run in: a temp HOME with the seed's config, moto as STS, the real
//! keyring under a namespace of the test's own.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct World {
    pub dir: tempfile::TempDir,
    pub moto: String,
    pub aws: String,
    pub fixture: serde_json::Value,
    service: String,
}

pub fn need(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set: run the tests through `bash scripts/test.sh`"))
}

impl World {
    /// `name` keeps this test's keyring entries apart from other tests running at the same time.
    pub fn new(name: &str) -> Self {
        need("ROLEBAR_TEST_KEYRING");
        let fixture: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(need("ROLEBAR_TEST_MOTO_FIXTURE")).expect("fixture"))
                .expect("json");
        let dir = tempfile::tempdir().expect("tempdir");
        let role = fixture["roles"]["developer"].as_str().expect("role").to_string();
        std::fs::write(
            dir.path().join("config"),
            format!(
                "[default]\noutput=json\nregion=us-east-1\n\n[profile oppara-dev]\nsource_profile=default\n\
                 mfa_serial=arn:aws:iam::111111111111:mfa/oppara\nrole_arn={role}\n"
            ),
        )
        .expect("config");
        World {
            dir,
            moto: need("ROLEBAR_TEST_MOTO_URL"),
            aws: need("ROLEBAR_TEST_AWS_CLI"),
            fixture,
            service: format!("rolebar-test-{name}-{}", std::process::id()),
        }
    }

    /// The keyring service this world's entries are filed under.
    pub fn keyring_service(&self) -> String {
        self.service.clone()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn user(&self) -> (String, String) {
        let u = &self.fixture["users"]["oppara"];
        (
            u["access_key_id"].as_str().expect("id").into(),
            u["secret_access_key"].as_str().expect("secret").into(),
        )
    }

    /// The environment every process of this world gets (rolebar, the AWS CLI, shells).
    pub fn apply_env(&self, cmd: &mut Command) {
        cmd.env("HOME", self.dir.path())
            .env("AWS_CONFIG_FILE", self.path("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path("credentials"))
            .env("ROLEBAR_STATE_DIR", self.path("state"))
            // The world's own agent socket (none runs unless a test starts one): a tray app
            // running on the machine is never asked.
            .env("ROLEBAR_AGENT_SOCKET", self.path("run/rolebar/agent.sock"))
            .env_remove("ROLEBAR_NO_AGENT")
            .env("ROLEBAR_KEYRING_SERVICE", &self.service)
            .env("AWS_ENDPOINT_URL_STS", &self.moto)
            .env_remove("ROLEBAR_PROFILE");
    }

    pub fn run(&self, program: &str, args: &[&str], stdin: &str, extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        self.apply_env(&mut cmd);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{program} runs: {e}"));
        let written = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
        // A process may end without reading its input (`add` refusing a name before asking for
        // the keys): that is for the test to judge from the output, not a harness failure.
        if let Err(e) = written {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
        child.wait_with_output().expect("process finishes")
    }

    pub fn rolebar(&self, args: &[&str], stdin: &str, extra_env: &[(&str, &str)]) -> Output {
        self.run(env!("CARGO_BIN_EXE_rolebar"), args, stdin, extra_env)
    }

    /// `add default` with the moto user's keys.
    pub fn add_keys(&self) {
        let (id, secret) = self.user();
        let out = self.rolebar(&["add", "default"], &format!("{id}\n{secret}\n"), &[]);
        assert!(out.status.success(), "add: {}", text(&out.stderr));
    }

    /// `sts get-caller-identity` at this world's moto, printing JSON: the AWS CLI's arguments
    /// (without the `aws` itself), to follow a command line that sets up the credentials.
    pub fn identity_args(&self) -> [&str; 6] {
        [
            "sts",
            "get-caller-identity",
            "--endpoint-url",
            &self.moto,
            "--output",
            "json",
        ]
    }

    /// `rolebar exec PROFILE -- aws sts get-caller-identity …` as arguments for [`Self::rolebar`].
    pub fn exec_identity<'a>(&'a self, profile: &'a str) -> Vec<&'a str> {
        let mut args = vec!["exec", profile, "--", &self.aws];
        args.extend(self.identity_args());
        args
    }

    /// `aws sts get-caller-identity` with the given extra arguments; the ARN it prints.
    pub fn caller_arn(&self, extra: &[&str], env: &[(&str, &str)]) -> Result<String, String> {
        let mut args = self.identity_args().to_vec();
        args.extend_from_slice(&["--region", "us-east-1"]);
        args.extend_from_slice(extra);
        let out = self.run(&self.aws, &args, "", env);
        if !out.status.success() {
            return Err(text(&out.stderr));
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
        Ok(v["Arn"].as_str().unwrap_or_default().to_string())
    }
}

impl Drop for World {
    fn drop(&mut self) {
        // Leave nothing in the shared test keyring.
        let _ = self.rolebar(&["clear"], "", &[]);
        let _ = self.rolebar(&["remove", "default"], "", &[]);
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

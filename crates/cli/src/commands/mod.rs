//! The subcommands: the command line's grammar (clap's `Command`) and the dispatch to each
//! command's `run`, one file per command (as aws-vault's cli/). A command's file is a short
//! adapter from its arguments to rolebar-core; what several commands share lives in a module
//! named for it (`exec_env`, `shell_word`, and beside this folder `agent`, `context`,
//! `mfa_sources`, `prompt`, `sso`).

mod activity;
mod add;
mod clear;
mod credential_process;
mod exec;
mod exec_env;
mod exec_server;
mod export;
mod handed_out;
pub mod import;
mod list;
mod login;
mod login_sso;
mod logout;
mod logout_sso;
mod remove;
mod rotate;
mod shell_word;
mod write;

use crate::agent;
use crate::context;
use crate::mfa_sources;
use clap::Subcommand;
use rolebar_core::console::ConsoleOptions;
use rolebar_core::Result;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store a profile's long-term access key in the OS keyring.
    Add {
        profile: String,
        /// Read the key from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY instead of prompting.
        #[arg(long)]
        env: bool,
        /// Import the key written for this profile in ~/.aws/credentials.
        #[arg(long, conflicts_with = "env")]
        from_credentials_file: bool,
    },
    /// List profiles, stored keys and cached sessions with their time left.
    #[command(visible_alias = "ls")]
    List,
    /// Run a command (default: your $SHELL) with a profile's session in its environment.
    Exec {
        profile: String,
        /// Session length, e.g. 1h, 90m (15m to 36h; a role also stops at its MaxSessionDuration,
        /// and one assumed from temporary credentials at 1h). Default: the profile's
        /// duration_seconds or 1h for roles, 8h for MFA sessions. A cached session is still
        /// used while it lasts; rolebar says so when it ends more than 5 minutes sooner than
        /// asked (`rolebar clear PROFILE` first gets a new one). Sessions of this length are
        /// made here, not by the Rolebar tray app (its sessions have its own lengths).
        #[arg(long, value_parser = context::parse_duration)]
        duration: Option<time::Duration>,
        /// Give the command no keys: serve them from a local container-credentials endpoint
        /// (AWS_CONTAINER_CREDENTIALS_FULL_URI + a token) that renews the session as it runs,
        /// through the Rolebar tray app when it runs (aws-vault's --ecs-server). With
        /// --duration every session it serves has that length and is made by this command:
        /// the first code is asked here, and a renewal that needs a code fails (the program is
        /// told why) unless mfa_process or ykman gives one.
        #[arg(long)]
        server: bool,
        /// An MFA code (6 digits) to use first, before mfa_process, ykman or the prompt; used
        /// for one ask only. The Rolebar tray app is not asked then.
        #[arg(long, value_name = "CODE", value_parser = mfa_sources::parse_token, conflicts_with = "server")]
        mfa_token: Option<rolebar_core::mfa::MfaCode>,
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// Remove a profile's long-term key from the keyring (and its cached sessions).
    #[command(visible_alias = "rm")]
    Remove { profile: String },
    /// Remove cached sessions: of one profile, or all.
    Clear { profile: Option<String> },
    /// Write a profile's session into a profile of ~/.aws/credentials (every other byte kept).
    Write {
        profile: String,
        /// The credentials-file profile to write (not a role profile of ~/.aws/config).
        #[arg(long = "to", value_name = "TARGET")]
        target: String,
        /// Overwrite long-term keys found in TARGET (they would be lost).
        #[arg(long)]
        force: bool,
    },
    /// End what Rolebar holds for NAME (as the tray's Log out): NAME's cached sessions, the
    /// sections of ~/.aws/credentials written with its session, and the section NAME if Rolebar
    /// wrote it. Sections Rolebar did not write are never touched.
    Logout {
        name: Option<String>,
        /// Instead: remove every expired section Rolebar wrote.
        #[arg(long, conflicts_with = "name")]
        expired: bool,
        /// Only take back the section NAME (Rolebar's); keep the cached sessions.
        #[arg(long, requires = "name")]
        only_section: bool,
    },
    /// Print shell lines that export a profile's session.
    Export {
        profile: String,
        /// env, env-no-export, fish, powershell, windows-cmd, process (default: from $SHELL).
        #[arg(long)]
        format: Option<String>,
        /// An MFA code (6 digits) to use first, as for `exec`.
        #[arg(long, value_name = "CODE", value_parser = mfa_sources::parse_token)]
        mfa_token: Option<rolebar_core::mfa::MfaCode>,
    },
    /// Open the AWS console signed in as a profile's session (a role's session; for a profile
    /// with keys and no role, a federated user's made with GetFederationToken). An MFA code is
    /// asked only when no session serves (in the Rolebar tray's dialog when it runs).
    Login {
        profile: String,
        /// Print the sign-in URL instead of opening a browser. It signs in whoever has it (for
        /// 15 minutes): keep it out of chats and shell history.
        #[arg(long)]
        stdout: bool,
        /// The console's region (default: the profile's); it also picks the partition.
        #[arg(long)]
        region: Option<String>,
        /// A console page instead of the home page, e.g. `ec2/home` or `s3/buckets`.
        #[arg(long)]
        path: Option<String>,
        /// How long the console session lasts, e.g. 4h (15m to 12h for a role assumed with
        /// long-term keys; a role assumed from temporary credentials gets at most 1h; 15m to 36h
        /// for a federated user). Default: AWS's for roles, 1h for federated users.
        #[arg(long, value_parser = context::parse_duration)]
        duration: Option<time::Duration>,
        /// An MFA code (6 digits) to use first, before mfa_process, ykman or the prompt. The
        /// Rolebar tray app is not asked then.
        #[arg(long, value_name = "CODE", value_parser = mfa_sources::parse_token)]
        mfa_token: Option<rolebar_core::mfa::MfaCode>,
    },
    /// Rotate a profile's long-term access key (keys stored in the keyring): create a new key,
    /// wait until AWS accepts it, store it, delete the old one. With mfa_serial the IAM calls go
    /// through an MFA session (a cached one serves: no code asked).
    Rotate {
        profile: String,
        /// Instead: delete the user's access key ending in KEY (`****ABCD`, as a failed rotation
        /// names it). Never the key in the keyring.
        #[arg(long, value_name = "KEY")]
        delete_key: Option<String>,
        /// Instead: ask IAM when the key was created (ListAccessKeys), remember it for `list`.
        #[arg(long, conflicts_with = "delete_key")]
        age: bool,
    },
    /// Sign in to IAM Identity Center (SSO): NAME is an `[sso-session NAME]` or a profile using
    /// one. The token is kept where the AWS CLI keeps it (~/.aws/sso/cache), so `aws sso login`
    /// and Rolebar sign in for each other; it is renewed without a browser while it can be.
    LoginSso {
        name: String,
        /// Sign in with a code shown here instead of the browser's redirect (for a host with no
        /// browser, or a browser on another device).
        #[arg(long)]
        use_device_code: bool,
        /// Print the URL instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
    },
    /// Sign out of IAM Identity Center: ends the sign-in, removes its token file and drops the
    /// role sessions made with it.
    LogoutSso { name: String },
    /// The AWS CLI's credential_process: print the session as JSON. With the Rolebar tray app
    /// running, a needed MFA code is asked in its dialog; without it, never prompts.
    CredentialProcess { profile: String },
    /// Show the credential hand-outs noted in the activity log (who got which profile's
    /// credentials, how, and what came of it), oldest first. Never a secret.
    Activity {
        /// Only this profile's.
        #[arg(long)]
        profile: Option<String>,
        /// Only the last DURATION, e.g. 1h, 30m, 7d.
        #[arg(long, value_name = "DURATION", value_parser = activity::parse_since)]
        since: Option<time::Duration>,
        /// The log's JSON lines, one entry per line.
        #[arg(long)]
        json: bool,
    },
    /// Bring keys over from another tool: `rolebar import aws-vault [PROFILE…]`.
    Import {
        #[command(subcommand)]
        source: import::ImportSource,
    },
}

pub async fn run(command: Command, no_agent: bool) -> Result<ExitCode> {
    let using = if no_agent {
        agent::Use::NoAgent
    } else {
        agent::Use::Agent
    };
    match command {
        Command::Add {
            profile,
            env,
            from_credentials_file,
        } => add::run(&profile, env, from_credentials_file),
        Command::List => list::run(),
        Command::Exec {
            profile,
            duration,
            server: true,
            command,
            ..
        } => exec_server::run(&profile, command, using, duration).await,
        Command::Exec {
            profile,
            duration,
            server: false,
            command,
            mfa_token,
        } => exec::run(&profile, duration, command, using, mfa_token).await,
        Command::Remove { profile } => remove::run(&profile),
        Command::Clear { profile } => clear::run(profile.as_deref()),
        Command::Write { profile, target, force } => write::run(&profile, &target, force).await,
        Command::Logout {
            name,
            expired,
            only_section,
        } => logout::run(name.as_deref(), expired, only_section),
        Command::Export {
            profile,
            format,
            mfa_token,
        } => export::run(&profile, format.as_deref(), using, mfa_token).await,
        Command::CredentialProcess { profile } => credential_process::run(&profile, using).await,
        Command::Import { source } => import::run(source).await,
        Command::Activity { profile, since, json } => activity::run(profile, since, json),
        Command::LoginSso {
            name,
            use_device_code,
            no_browser,
        } => login_sso::run(&name, use_device_code, no_browser).await,
        Command::LogoutSso { name } => logout_sso::run(&name).await,
        Command::Rotate {
            profile,
            delete_key,
            age,
        } => rotate::run(&profile, delete_key.as_deref(), age).await,
        Command::Login {
            profile,
            stdout,
            region,
            path,
            duration,
            mfa_token,
        } => {
            let options = ConsoleOptions { region, path, duration };
            // A code given here is for this process: the tray is not asked then.
            let using = if mfa_token.is_some() {
                agent::Use::NoAgent
            } else {
                using
            };
            login::run(&profile, &options, stdout, using, mfa_token).await
        }
    }
}

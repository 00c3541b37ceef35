//! A profile's approval policy: its values, where it is set and which one is in force.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use time::Duration;

/// The profile key in `~/.aws/config`.
pub const CONFIG_KEY: &str = "rolebar_approve";

/// How long "Allow once" answers the same program's further requests for the same profile: the
/// AWS CLI, Terraform's providers and the SDKs often ask several times within a second.
pub const FOLD_WINDOW: Duration = Duration::seconds(5);

/// When a profile asks before serving a program.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Serve without asking (Rolebar's behaviour before approvals).
    #[default]
    Never,
    /// Ask the first time a program asks; "Always for this program" is remembered.
    NewPrograms,
    /// Ask on each request (requests of one program within [`FOLD_WINDOW`] are one).
    EveryTime,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::Never, Policy::NewPrograms, Policy::EveryTime];

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Never => "never",
            Policy::NewPrograms => "new-programs",
            Policy::EveryTime => "every-time",
        }
    }

    /// `never`, `new-programs` or `every-time` (any case, `_` for `-`).
    pub fn parse(text: &str) -> Option<Policy> {
        let text = text.trim().to_ascii_lowercase().replace('_', "-");
        Policy::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// Whether a request may need the user's answer.
    pub fn asks(self) -> bool {
        self != Policy::Never
    }
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `rolebar_approve` as written for a profile, with where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredPolicy {
    pub policy: Policy,
    pub path: PathBuf,
    pub line: usize,
}

/// Where the policy in force comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    /// Nothing set: `never`.
    Default,
    /// `rolebar_approve` in the AWS config file.
    Config { path: PathBuf, line: usize },
    /// Chosen in Rolebar's window (kept in `approvals.json`); wins over the config file.
    Window,
}

/// The policy in force for a profile and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePolicy {
    pub policy: Policy,
    pub source: PolicySource,
}

impl EffectivePolicy {
    /// The window's choice if made, else the config file's, else `never`.
    pub fn of(configured: Option<&ConfiguredPolicy>, window: Option<Policy>) -> Self {
        match (window, configured) {
            (Some(policy), _) => EffectivePolicy {
                policy,
                source: PolicySource::Window,
            },
            (None, Some(c)) => EffectivePolicy {
                policy: c.policy,
                source: PolicySource::Config {
                    path: c.path.clone(),
                    line: c.line,
                },
            },
            (None, None) => EffectivePolicy {
                policy: Policy::Never,
                source: PolicySource::Default,
            },
        }
    }

    /// Where to change it, for messages: `rolebar_approve = every-time (~/.aws/config:12)`.
    pub fn set_where(&self) -> String {
        match &self.source {
            PolicySource::Default => format!("{CONFIG_KEY} = {}", self.policy),
            PolicySource::Config { path, line } => {
                format!("{CONFIG_KEY} = {} ({}:{line})", self.policy, path.display())
            }
            PolicySource::Window => format!("approvals: {} (set in Rolebar's window)", self.policy),
        }
    }
}

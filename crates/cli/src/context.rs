//! What every command needs: the user's sessions (rolebar-core's `Sessions`), wired once.

use rolebar_core::session::cache::DEFAULT_EXPIRY_WINDOW;
use rolebar_core::session::operations::Sessions;
use rolebar_core::Result;

/// Every command works on the user's sessions as rolebar-core wires them (the tray app does the
/// same): the AWS files, the keyring and its index, STS, the system clock.
pub type Context = Sessions;

/// The sessions, handing out cached ones with more than aws-vault's 5 minutes left.
pub fn open() -> Result<Context> {
    Sessions::from_env(DEFAULT_EXPIRY_WINDOW, false)
}

/// The sessions, handing out cached ones with more than `window` left.
pub fn with_window(window: time::Duration) -> Result<Context> {
    Sessions::from_env(window, false)
}

/// Shortest session STS hands out (AssumeRole and GetSessionToken alike).
const MIN_SESSION: time::Duration = time::Duration::minutes(15);
/// Longest GetSessionToken session for an IAM user; roles stop at their MaxSessionDuration
/// (1 h unless raised, 12 h at most), which STS itself enforces.
const MAX_SESSION: time::Duration = time::Duration::hours(36);

/// `exec --duration`: `90m`, `8h`, `1h30m`, `3600s` (rolebar-core's duration syntax) or plain
/// seconds, between 15 minutes and 36 hours.
pub fn parse_duration(text: &str) -> Result<time::Duration, String> {
    let duration = match text.trim().parse::<i64>() {
        Ok(secs) => time::Duration::seconds(secs),
        Err(_) => rolebar_core::schedule::parse_duration(text)?,
    };
    if duration < MIN_SESSION || duration > MAX_SESSION {
        return Err(format!("`{text}`: sessions last between 15m and 36h"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use time::Duration;

    #[test]
    fn exec_durations_read_as_aws_vault_users_write_them() {
        assert_eq!(parse_duration("2h"), Ok(Duration::hours(2)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("3600"), Ok(Duration::hours(1)));
        assert_eq!(parse_duration("36h"), Ok(Duration::hours(36)));
    }

    #[test]
    fn durations_sts_would_refuse_are_refused_here_with_the_range() {
        for text in ["10m", "899", "37h", "0s"] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains("between 15m and 36h"), "{text}: {err}");
        }
        assert!(parse_duration("2 hours").is_err());
        assert!(parse_duration("").is_err());
    }
}

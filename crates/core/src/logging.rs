//! What `ROLEBAR_LOG` turns on, one rule for the command line and the tray app.
//!
//! A bare level (`ROLEBAR_LOG=debug`) is meant for Rolebar's own crates. Applied to every crate,
//! as `EnvFilter` would, it also turns on the AWS SDK's debug lines, and those print the full
//! long-term access key id (the identity cache logs the credentials it loaded). So a bare level
//! sets Rolebar's crates to that level and every other crate to at most `info`; a crate named in
//! the variable (`ROLEBAR_LOG=debug,aws_config=debug`) gets what was asked for.

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::EnvFilter;

/// The variable both front ends read.
pub const LOG_VAR: &str = "ROLEBAR_LOG";

/// Matches every Rolebar crate: an `EnvFilter` target matches targets starting with it
/// (`rolebar` for the CLI binary, `rolebar_core`, `rolebar_app`, `rolebar_tray`).
const OWN_TARGET: &str = "rolebar";

/// The most another crate gets from a bare level.
const OTHERS_AT_MOST: LevelFilter = LevelFilter::INFO;

/// `ROLEBAR_LOG`'s directives with bare levels narrowed as the module says; every other
/// directive (a named target, a span filter) is kept as written. Bare levels go first: for one
/// target the later directive wins, and a target the user named must win over a bare level
/// wherever it was written (`rolebar_core=trace,debug`).
pub fn directives(spec: &str) -> String {
    let (mut bare, mut named) = (Vec::new(), Vec::new());
    for directive in spec.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        match bare_level(directive) {
            Some(level) => bare.push(format!(
                "{},{OWN_TARGET}={}",
                lower(level.min(OTHERS_AT_MOST)),
                lower(level)
            )),
            None => named.push(directive.to_string()),
        }
    }
    bare.extend(named);
    bare.join(",")
}

/// `LevelFilter` prints `DEBUG`; directives read better as users write them.
fn lower(level: LevelFilter) -> String {
    level.to_string().to_ascii_lowercase()
}

/// `debug`, `TRACE`, `3`… alone; `aws_config` alone names a target (at trace), not a level.
fn bare_level(directive: &str) -> Option<LevelFilter> {
    if directive.contains(['=', '[']) {
        return None;
    }
    directive.parse().ok()
}

/// The filter from `ROLEBAR_LOG`, or `default` when it is unset, empty or not a valid filter
/// (a logging typo must not stop the program). `default` is used as written.
pub fn env_filter(default: &str) -> EnvFilter {
    let spec = std::env::var(LOG_VAR).unwrap_or_default();
    filter_from(&spec).unwrap_or_else(|| EnvFilter::new(default))
}

/// The filter for `spec` (see [`directives`]); `None` when it is empty or does not parse.
pub fn filter_from(spec: &str) -> Option<EnvFilter> {
    let directives = directives(spec);
    if directives.is_empty() {
        return None;
    }
    EnvFilter::builder().parse(directives).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_level_is_rolebars_and_other_crates_stay_at_info() {
        assert_eq!(directives("debug"), "info,rolebar=debug");
        assert_eq!(directives("TRACE"), "info,rolebar=trace");
        assert_eq!(directives("info"), "info,rolebar=info");
    }

    #[test]
    fn a_quieter_bare_level_quiets_every_crate() {
        assert_eq!(directives("warn"), "warn,rolebar=warn");
        assert_eq!(directives("off"), "off,rolebar=off");
    }

    #[test]
    fn crates_named_explicitly_get_what_was_asked() {
        assert_eq!(
            directives("debug, aws_config=debug,aws_smithy_runtime"),
            "info,rolebar=debug,aws_config=debug,aws_smithy_runtime"
        );
        assert_eq!(directives("rolebar_core=trace"), "rolebar_core=trace");
        assert_eq!(directives("[span{x=1}]=debug"), "[span{x=1}]=debug");
        assert_eq!(directives("rolebar=trace,debug"), "info,rolebar=debug,rolebar=trace");
    }

    #[test]
    fn the_sdk_debug_lines_are_off_unless_named() {
        let filter = filter_from("debug").expect("parses");
        let text = filter.to_string();
        assert!(text.contains("rolebar=debug") && text.contains("info"), "{text}");
        assert!(!text.contains("aws"), "{text}");
        let named = filter_from("debug,aws_smithy_runtime=debug")
            .expect("parses")
            .to_string();
        assert!(named.contains("aws_smithy_runtime=debug"), "{named}");
    }

    #[test]
    fn nothing_usable_falls_back() {
        assert!(filter_from("").is_none());
        assert!(filter_from(" , ").is_none());
        assert!(filter_from("rolebar=loud").is_none());
    }
}

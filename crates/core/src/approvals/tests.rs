use super::*;
use crate::error_code::HasCode;
use std::path::Path;

fn aws() -> ProgramId {
    ProgramId::new("/usr/bin/python3.11", Some("/usr/bin/aws".into()))
}

fn boto_script() -> ProgramId {
    ProgramId::new("/usr/bin/python3.11", Some("/home/u/list_buckets.py".into()))
}

fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).expect("time")
}

#[test]
fn policies_parse_from_their_names() {
    assert_eq!(Policy::parse("never"), Some(Policy::Never));
    assert_eq!(Policy::parse(" New-Programs "), Some(Policy::NewPrograms));
    assert_eq!(Policy::parse("every_time"), Some(Policy::EveryTime));
    assert_eq!(Policy::parse("always"), None);
    for policy in Policy::ALL {
        assert_eq!(Policy::parse(policy.as_str()), Some(policy));
        let json = serde_json::to_string(&policy).expect("json");
        assert_eq!(json, format!("\"{}\"", policy.as_str()));
    }
}

#[test]
fn the_decision_follows_the_policy() {
    let program = aws();
    let p = Some(&program);
    assert_eq!(
        decide(Policy::Never, None, false, false),
        Decision::Allow(Allowed::NoApprovalNeeded)
    );
    assert_eq!(
        decide(Policy::NewPrograms, p, false, false),
        Decision::Ask { offer_always: true }
    );
    assert_eq!(
        decide(Policy::NewPrograms, p, true, false),
        Decision::Allow(Allowed::Remembered)
    );
    assert_eq!(
        decide(Policy::NewPrograms, None, true, true),
        Decision::Ask { offer_always: false },
        "a program that cannot be identified is asked every time and never remembered"
    );
    assert_eq!(
        decide(Policy::EveryTime, p, true, false),
        Decision::Ask { offer_always: false }
    );
    assert_eq!(
        decide(Policy::EveryTime, p, false, true),
        Decision::Allow(Allowed::JustAllowed)
    );
}

#[test]
fn allow_once_covers_the_same_program_and_profile_for_a_few_seconds() {
    let grants = RecentGrants::default();
    grants.allow("prod", &aws(), at(0));
    assert!(grants.covers("prod", &aws(), at(0)));
    assert!(grants.covers("prod", &aws(), at(4)));
    assert!(
        !grants.covers("prod", &aws(), at(5)),
        "after the fold window: asked again"
    );
    assert!(
        !grants.covers("prod", &boto_script(), at(1)),
        "another script of the same interpreter"
    );
    assert!(!grants.covers("dev", &aws(), at(1)), "another profile");
    assert!(
        !grants.covers("prod", &aws(), at(-1)),
        "a clock set back does not extend a grant"
    );
    grants.allow("prod", &aws(), at(10));
    grants.forget("prod");
    assert!(!grants.covers("prod", &aws(), at(10)));
}

#[test]
fn the_config_key_is_read_with_its_place_and_a_bad_value_names_file_and_line() {
    let config = Path::new("/home/u/.aws/config");
    let text = "[profile prod]\nregion = eu-west-1\nrolebar_approve = every-time\n\n[profile dev]\n\n[profile bad]\nrolebar_approve = sometimes\n";
    let set = ProfileSet::parse(config, text, Path::new("/home/u/.aws/credentials"), "").expect("parse");
    let prod = configured(&set, "prod").expect("ok").expect("set");
    assert_eq!((prod.policy, prod.line), (Policy::EveryTime, 3));
    assert_eq!(configured(&set, "dev").expect("ok"), None);
    let err = configured(&set, "bad").expect_err("refused");
    assert_eq!(err.code(), "invalid_setting");
    let message = err.to_string();
    assert!(
        message.contains("/home/u/.aws/config") && message.contains('8'),
        "{message}"
    );
    assert!(message.contains("new-programs"), "{message}");
}

#[test]
fn the_windows_choice_wins_over_the_config_file() {
    let c = ConfiguredPolicy {
        policy: Policy::EveryTime,
        path: "/c".into(),
        line: 3,
    };
    assert_eq!(EffectivePolicy::of(Some(&c), None).policy, Policy::EveryTime);
    assert_eq!(
        EffectivePolicy::of(Some(&c), None).set_where(),
        "rolebar_approve = every-time (/c:3)"
    );
    let window = EffectivePolicy::of(Some(&c), Some(Policy::Never));
    assert_eq!((window.policy, window.source), (Policy::Never, PolicySource::Window));
    assert_eq!(EffectivePolicy::of(None, None).policy, Policy::Never);
}

#[test]
fn the_headless_error_says_why_and_what_to_do() {
    let e = ApprovalError::NoDialog {
        profile: "prod".into(),
        policy: EffectivePolicy::of(None, Some(Policy::NewPrograms)),
        why: NoDialog::NoTray,
    };
    assert_eq!(e.code(), "approval_required");
    let text = e.to_string();
    assert!(text.contains("`prod`") && text.contains("Start Rolebar"), "{text}");
    assert!(text.contains("rolebar_approve = never"), "{text}");
}

mod file {
    use super::*;

    fn file() -> (tempfile::TempDir, ApprovalsFile) {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = ApprovalsFile::at(dir.path().join("state").join(store::FILE_NAME));
        (dir, file)
    }

    #[test]
    fn remembered_programs_survive_a_reload_and_can_be_revoked() {
        let (_dir, file) = file();
        assert!(file.profile("prod").expect("missing is empty").programs.is_empty());
        file.remember("prod", &aws(), at(0)).expect("remember");
        file.remember("prod", &aws(), at(9)).expect("twice is once");
        file.remember("prod", &ProgramId::new("/usr/local/bin/terraform", None), at(1))
            .expect("remember");
        let again = ApprovalsFile::at(file.path());
        let prod = again.profile("prod").expect("load");
        assert_eq!(prod.programs.len(), 2);
        assert!(prod.remembers(&aws()));
        assert_eq!(prod.programs[0].since, at(0));
        assert!(!prod.remembers(&boto_script()));
        assert!(again.revoke("prod", &aws()).expect("revoke"));
        assert!(!again.revoke("prod", &aws()).expect("revoke twice"));
        assert!(!file.profile("prod").expect("load").remembers(&aws()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file.path()).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_windows_policy_is_kept_per_profile_and_can_be_cleared() {
        let (_dir, file) = file();
        file.set_policy("prod", Some(Policy::EveryTime)).expect("set");
        file.set_policy("dev", Some(Policy::NewPrograms)).expect("set");
        assert_eq!(file.profile("prod").expect("load").approve, Some(Policy::EveryTime));
        file.set_policy("prod", None).expect("clear");
        let all = file.load().expect("load");
        assert!(!all.contains_key("prod"), "an empty entry is dropped");
        assert_eq!(all["dev"].approve, Some(Policy::NewPrograms));
    }

    #[test]
    fn a_file_rolebar_cannot_read_is_refused_and_left_alone() {
        let (_dir, file) = file();
        std::fs::create_dir_all(file.path().parent().expect("dir")).expect("mkdir");
        std::fs::write(file.path(), "{not json").expect("write");
        let e = file.profile("prod").expect_err("refused");
        assert_eq!(e.code(), "approvals_corrupt");
        assert!(file.remember("prod", &aws(), at(0)).is_err());
        assert_eq!(std::fs::read_to_string(file.path()).expect("read"), "{not json");
        std::fs::write(file.path(), "{\"version\": 7}").expect("write");
        assert!(matches!(
            file.load(),
            Err(ApprovalError::UnknownVersion { version: 7, .. })
        ));
    }
}

//! Where each AWS service Rolebar calls is reached, chosen as the AWS SDKs choose it
//! ("service-specific endpoints"), in one place for every service:
//!
//! 1. `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_SSO_OIDC`);
//! 2. `AWS_ENDPOINT_URL`;
//! 3. the profile's `services = NAME`, whose `[services NAME]` section holds the service's key
//!    (`sso_oidc =`) with a nested `endpoint_url = …`;
//! 4. the profile's own `endpoint_url`;
//! 5. AWS's endpoint.
//!
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`, or `ignore_configured_endpoint_urls = true` in the
//! profile (the variable wins when both are set), drops 1 to 4. The order is botocore's
//! (tests/functional/configured_endpoint_urls): a global variable beats a service's section.
//!
//! A value is checked only when its service is called, so a bad `AWS_ENDPOINT_URL_SSO` fails
//! what needs IAM Identity Center and nothing else; the error names the variable, or the file
//! and line of the setting.

use super::{ProfileSet, ProfileView, Setting};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// A service Rolebar calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Sts,
    /// The IAM Identity Center portal (GetRoleCredentials, ListAccounts).
    Sso,
    /// IAM Identity Center's sign-in (CreateToken, the browser's authorize page).
    SsoOidc,
    Iam,
    /// The console sign-in's federation endpoint (service id `signin`).
    Signin,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::Sts,
        Service::Sso,
        Service::SsoOidc,
        Service::Iam,
        Service::Signin,
    ];

    /// The service's own variable: `AWS_ENDPOINT_URL_` and its service id, upper case, spaces
    /// as `_`.
    pub fn variable(self) -> &'static str {
        match self {
            Service::Sts => "AWS_ENDPOINT_URL_STS",
            Service::Sso => "AWS_ENDPOINT_URL_SSO",
            Service::SsoOidc => "AWS_ENDPOINT_URL_SSO_OIDC",
            Service::Iam => "AWS_ENDPOINT_URL_IAM",
            Service::Signin => "AWS_ENDPOINT_URL_SIGNIN",
        }
    }

    /// Its key in a `[services NAME]` section: the service id, lower case, spaces as `_` (so
    /// `sso_oidc`, as botocore reads it; `sso-oidc` is not read by the SDKs either).
    pub fn config_key(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Sso => "sso",
            Service::SsoOidc => "sso_oidc",
            Service::Iam => "iam",
            Service::Signin => "signin",
        }
    }
}

pub const GLOBAL_VARIABLE: &str = "AWS_ENDPOINT_URL";
pub const IGNORE_VARIABLE: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

/// Where a configured endpoint was found, for the error when it is not a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointOrigin {
    Variable(&'static str),
    /// A setting in a file: the profile's `endpoint_url`, or `endpoint_url` nested under the
    /// service's key of a `[services NAME]` section (`key` then says which, e.g.
    /// `services.sts.endpoint_url`).
    Setting {
        profile: String,
        key: &'static str,
        path: PathBuf,
        line: usize,
    },
}

/// An endpoint the environment or the files configure for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredEndpoint {
    pub url: String,
    pub origin: EndpointOrigin,
}

impl ConfiguredEndpoint {
    /// The URL without a trailing `/` (a base: paths are added to it), or an error naming where
    /// it was written when it is no http(s) URL an SDK could send a request to.
    pub fn checked(&self, service: Service) -> Result<String> {
        if let Some(url) = base_url(&self.url) {
            return Ok(url);
        }
        let value: String = self.url.chars().filter(|c| !c.is_control()).take(200).collect();
        Err(match &self.origin {
            EndpointOrigin::Setting {
                profile,
                key,
                path,
                line,
            } => Error::InvalidSetting {
                profile: profile.clone(),
                key,
                value,
                path: path.clone(),
                line: *line,
                reason:
                    "expected a URL such as https://sts.example.com (a `#` comment on the line is part of the value)"
                        .into(),
            },
            EndpointOrigin::Variable(variable) => match service {
                Service::Sso | Service::SsoOidc => {
                    crate::sso::error::SsoError::InvalidEndpoint { variable, value }.into()
                }
                Service::Signin => crate::console::error::ConsoleError::InvalidEndpoint { variable, value }.into(),
                Service::Sts | Service::Iam => Error::InvalidEndpointVariable { variable, value },
            },
        })
    }
}

/// `value` as a base URL, if an SDK can build requests on it: http(s), a host (name, IPv4 or
/// `[IPv6]`, optional port), an optional path, no query, fragment or spaces.
fn base_url(value: &str) -> Option<String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))?;
    let authority = rest.split('/').next().unwrap_or("");
    let authority_ok = !authority.is_empty()
        && !authority.starts_with(':')
        && authority
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b));
    let rest_ok = value.bytes().all(|b| b.is_ascii_graphic() && b != b'#' && b != b'?');
    (authority_ok && rest_ok).then(|| value.trim_end_matches('/').to_string())
}

/// What the environment and a profile configure for every service (see the module doc).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceEndpoints {
    sts: Option<ConfiguredEndpoint>,
    sso: Option<ConfiguredEndpoint>,
    sso_oidc: Option<ConfiguredEndpoint>,
    iam: Option<ConfiguredEndpoint>,
    signin: Option<ConfiguredEndpoint>,
}

impl ServiceEndpoints {
    fn slot(&mut self, service: Service) -> &mut Option<ConfiguredEndpoint> {
        match service {
            Service::Sts => &mut self.sts,
            Service::Sso => &mut self.sso,
            Service::SsoOidc => &mut self.sso_oidc,
            Service::Iam => &mut self.iam,
            Service::Signin => &mut self.signin,
        }
    }

    /// The configured endpoint of `service`, unchecked; `None`: AWS's.
    pub fn get(&self, service: Service) -> Option<&ConfiguredEndpoint> {
        match service {
            Service::Sts => self.sts.as_ref(),
            Service::Sso => self.sso.as_ref(),
            Service::SsoOidc => self.sso_oidc.as_ref(),
            Service::Iam => self.iam.as_ref(),
            Service::Signin => self.signin.as_ref(),
        }
    }

    /// The checked base URL of `service`; `None`: AWS's endpoint.
    pub fn url(&self, service: Service) -> Result<Option<String>> {
        self.get(service).map(|e| e.checked(service)).transpose()
    }

    /// The two IAM Identity Center services only (what a sign-in carries).
    pub fn sso_only(&self) -> ServiceEndpoints {
        ServiceEndpoints {
            sso: self.sso.clone(),
            sso_oidc: self.sso_oidc.clone(),
            ..ServiceEndpoints::default()
        }
    }
}

/// The `true` of botocore's `ensure_boolean`: the word `true` in any case; anything else is false.
fn is_true(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

/// The environment variables endpoints come from: the process's (`resolve::Environment`), or a
/// test's. A trait so that this module needs nothing of resolution's.
pub(crate) trait EndpointVariables {
    /// `AWS_ENDPOINT_URL_<SERVICE>`.
    fn service_variable(&self, service: Service) -> Option<&String>;
    /// `AWS_ENDPOINT_URL`.
    fn global_variable(&self) -> Option<&String>;
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, when set.
    fn ignore_variable(&self) -> Option<bool>;
}

impl ProfileSet {
    /// The endpoints `view`'s profile configures with `env` (see the module doc).
    pub(crate) fn configured_endpoints(
        &self,
        view: &ProfileView<'_>,
        env: &impl EndpointVariables,
    ) -> Result<ServiceEndpoints> {
        let ignore = match env.ignore_variable() {
            Some(value) => value,
            None => view
                .get("ignore_configured_endpoint_urls")?
                .is_some_and(|s| is_true(s.value)),
        };
        let mut endpoints = ServiceEndpoints::default();
        if ignore {
            return Ok(endpoints);
        }
        let name = view.name();
        let services = match view.get("services")? {
            None => None,
            Some(s) => Some(self.services_section(s.value).ok_or_else(|| {
                s.invalid(
                    name,
                    "services",
                    &format!(
                        "the config file ({}) has no [services {}] section",
                        self.config_path().display(),
                        s.value
                    ),
                )
            })?),
        };
        let global_setting = view.get("endpoint_url")?;
        for service in Service::ALL {
            let variable = |v: &'static str, value: Option<&String>| {
                value.map(|url| ConfiguredEndpoint {
                    url: url.clone(),
                    origin: EndpointOrigin::Variable(v),
                })
            };
            let from_section = services.and_then(|section| {
                let entry = section.get(service.config_key())?;
                let nested = entry.sub_properties.iter().find(|p| p.key == "endpoint_url")?;
                Some(ConfiguredEndpoint {
                    url: nested.value.clone(),
                    origin: EndpointOrigin::Setting {
                        profile: name.to_string(),
                        key: services_key(service),
                        path: self.config_path().to_path_buf(),
                        line: nested.line,
                    },
                })
            });
            let from_profile = global_setting.map(|s: Setting<'_>| ConfiguredEndpoint {
                url: s.value.to_string(),
                origin: EndpointOrigin::Setting {
                    profile: name.to_string(),
                    key: "endpoint_url",
                    path: s.path.to_path_buf(),
                    line: s.line,
                },
            });
            *endpoints.slot(service) = variable(service.variable(), env.service_variable(service))
                .or_else(|| variable(GLOBAL_VARIABLE, env.global_variable()))
                .or(from_section)
                .or(from_profile);
        }
        Ok(endpoints)
    }
}

/// How the nested setting is named in messages.
fn services_key(service: Service) -> &'static str {
    match service {
        Service::Sts => "services.sts.endpoint_url",
        Service::Sso => "services.sso.endpoint_url",
        Service::SsoOidc => "services.sso_oidc.endpoint_url",
        Service::Iam => "services.iam.endpoint_url",
        Service::Signin => "services.signin.endpoint_url",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::HasCode;
    use crate::profile::resolve::Environment;
    use std::path::Path;

    // botocore's profiles (tests/functional/configured_endpoint_urls/profile-tests.json), with
    // STS and IAM for its S3 and DynamoDB.
    const CONFIG: &str = "\
[profile default]
region = fake-region-10

[profile service_global_only]
endpoint_url = https://global.endpoint.aws

[profile service_specific_sts]
services = service_specific_sts

[profile global_and_service_specific_sts]
endpoint_url = https://global.endpoint.aws
services = service_specific_sts

[profile ignore_global_and_service_specific_sts]
endpoint_url = https://global.endpoint.aws
services = service_specific_sts
ignore_configured_endpoint_urls = true

[profile service_specific_iam_and_sts]
services = service_specific_iam_and_sts

[services service_specific_sts]
sts =
  endpoint_url = https://sts.endpoint.aws

[services service_specific_iam_and_sts]
iam =
  endpoint_url = https://iam.endpoint.aws
sts =
  endpoint_url = https://sts.endpoint.aws
";

    fn environment(name: &str) -> Environment {
        let s = |v: &str| Some(v.to_string());
        match name {
            "default" => Environment::default(),
            "global_only" => Environment {
                endpoint_url: s("https://global-from-envvar.endpoint.aws"),
                ..Environment::default()
            },
            "service_specific_sts" => Environment {
                endpoint_url_sts: s("https://sts-from-envvar.endpoint.aws"),
                ..Environment::default()
            },
            "global_and_service_specific_sts" => Environment {
                endpoint_url: s("https://global-from-envvar.endpoint.aws"),
                endpoint_url_sts: s("https://sts-from-envvar.endpoint.aws"),
                ..Environment::default()
            },
            "ignore_global_and_service_specific_sts" => Environment {
                ignore_configured_endpoint_urls: Some(true),
                ..environment("global_and_service_specific_sts")
            },
            "service_specific_iam_and_sts" => Environment {
                endpoint_url_iam: s("https://iam-from-envvar.endpoint.aws"),
                endpoint_url_sts: s("https://sts-from-envvar.endpoint.aws"),
                ..Environment::default()
            },
            other => panic!("no environment {other}"),
        }
    }

    fn url(service: Service, profile: &str, env: &str) -> Option<String> {
        let set = ProfileSet::parse(Path::new("config"), CONFIG, Path::new("credentials"), "").expect("parses");
        let view = set.view(profile);
        set.configured_endpoints(&view, &environment(env))
            .expect("endpoints")
            .url(service)
            .expect("a URL")
    }

    #[test]
    fn botocore_configured_endpoint_cases_for_every_service_rolebar_calls() {
        use Service::*;
        let global = Some("https://global.endpoint.aws".to_string());
        let global_env = Some("https://global-from-envvar.endpoint.aws".to_string());
        let sts_env = Some("https://sts-from-envvar.endpoint.aws".to_string());
        let sts_conf = Some("https://sts.endpoint.aws".to_string());
        let cases: &[(&str, &str, Option<String>)] = &[
            ("service_global_only", "default", global.clone()),
            ("service_specific_sts", "default", sts_conf.clone()),
            ("global_and_service_specific_sts", "default", sts_conf.clone()),
            ("default", "global_only", global_env.clone()),
            ("service_global_only", "global_only", global_env.clone()),
            ("service_specific_sts", "global_only", global_env.clone()),
            ("global_and_service_specific_sts", "global_only", global_env.clone()),
            ("default", "service_specific_sts", sts_env.clone()),
            ("service_global_only", "service_specific_sts", sts_env.clone()),
            ("service_specific_sts", "service_specific_sts", sts_env.clone()),
            (
                "global_and_service_specific_sts",
                "service_specific_sts",
                sts_env.clone(),
            ),
            ("default", "global_and_service_specific_sts", sts_env.clone()),
            (
                "service_global_only",
                "global_and_service_specific_sts",
                sts_env.clone(),
            ),
            (
                "service_specific_sts",
                "global_and_service_specific_sts",
                sts_env.clone(),
            ),
            (
                "global_and_service_specific_sts",
                "global_and_service_specific_sts",
                sts_env.clone(),
            ),
            (
                "global_and_service_specific_sts",
                "ignore_global_and_service_specific_sts",
                None,
            ),
            (
                "ignore_global_and_service_specific_sts",
                "global_and_service_specific_sts",
                None,
            ),
            ("default", "default", None),
        ];
        for (profile, env, expected) in cases {
            assert_eq!(
                &url(Sts, profile, env),
                expected,
                "STS: profile {profile}, environment {env}"
            );
        }
        // A service's section or variable serves that service only; the global ones serve all.
        assert_eq!(
            url(Iam, "service_specific_iam_and_sts", "default").as_deref(),
            Some("https://iam.endpoint.aws")
        );
        assert_eq!(
            url(Iam, "default", "service_specific_iam_and_sts").as_deref(),
            Some("https://iam-from-envvar.endpoint.aws")
        );
        for service in [Sso, SsoOidc, Iam, Signin] {
            assert_eq!(
                url(service, "service_specific_sts", "service_specific_sts"),
                None,
                "{service:?}"
            );
            assert_eq!(url(service, "service_global_only", "default"), global, "{service:?}");
            assert_eq!(
                url(service, "service_specific_sts", "global_only"),
                global_env,
                "{service:?}"
            );
        }
    }

    #[test]
    fn each_service_reads_its_own_key_and_variable() {
        let config = "[profile p]\nservices = mine\n[services mine]\nsso =\n  endpoint_url = http://127.0.0.1:1\n\
                      sso_oidc =\n  endpoint_url = http://127.0.0.1:2\nsigned-in = x\nsso-oidc =\n  endpoint_url = http://no\n\
                      signin =\n  endpoint_url = http://127.0.0.1:3/\niam =\n  endpoint_url = http://127.0.0.1:4\n";
        let set = ProfileSet::parse(Path::new("config"), config, Path::new("c"), "").expect("parses");
        let endpoints = set
            .configured_endpoints(&set.view("p"), &Environment::default())
            .expect("ok");
        let got: Vec<_> = Service::ALL.iter().map(|s| endpoints.url(*s).expect("url")).collect();
        let want = [
            None,
            Some("http://127.0.0.1:1"),
            Some("http://127.0.0.1:2"),
            Some("http://127.0.0.1:4"),
            Some("http://127.0.0.1:3"),
        ];
        assert_eq!(got, want.map(|w| w.map(str::to_string)));
        for service in Service::ALL {
            assert!(service.variable().ends_with(&service.config_key().to_ascii_uppercase()));
        }
    }

    #[test]
    fn the_ignore_variable_wins_over_the_profile_setting_either_way() {
        let config = "[profile on]\nendpoint_url = https://x.example\nignore_configured_endpoint_urls = TRUE\n\
                      [profile off]\nendpoint_url = https://x.example\nignore_configured_endpoint_urls = false\n";
        let set = ProfileSet::parse(Path::new("config"), config, Path::new("c"), "").expect("parses");
        let sts = |profile: &str, ignore: Option<bool>| {
            let env = Environment {
                ignore_configured_endpoint_urls: ignore,
                endpoint_url_sts: Some("https://env.example".into()),
                ..Environment::default()
            };
            set.configured_endpoints(&set.view(profile), &env)
                .expect("ok")
                .url(Service::Sts)
                .expect("url")
        };
        assert_eq!(sts("on", None), None);
        assert_eq!(sts("on", Some(false)).as_deref(), Some("https://env.example"));
        assert_eq!(sts("off", None).as_deref(), Some("https://env.example"));
        assert_eq!(sts("off", Some(true)), None);
    }

    #[test]
    fn bad_values_are_named_where_they_are_written_and_only_for_their_service() {
        let config = "[profile p]\nservices = s\n[services s]\nsts =\n  endpoint_url = https://sts.example # x\n\
                      [profile missing]\nservices = nowhere\n";
        let set = ProfileSet::parse(Path::new("config"), config, Path::new("c"), "").expect("parses");
        let endpoints = set
            .configured_endpoints(&set.view("p"), &Environment::default())
            .expect("ok");
        let err = endpoints.url(Service::Sts).expect_err("not a URL");
        let text = err.to_string();
        assert_eq!(err.code(), "invalid_setting");
        assert!(
            text.contains("services.sts.endpoint_url") && text.contains("config line 5"),
            "{text}"
        );
        assert_eq!(endpoints.url(Service::Iam).expect("not configured"), None);

        let err = set
            .configured_endpoints(&set.view("missing"), &Environment::default())
            .expect_err("no such section");
        assert!(err.to_string().contains("no [services nowhere] section"), "{err}");

        let env = Environment {
            endpoint_url_sso: Some("not a url".into()),
            endpoint_url_iam: Some("ftp://x".into()),
            ..Environment::default()
        };
        let endpoints = set
            .configured_endpoints(&set.view("missing-is-fine-here"), &env)
            .expect("ok");
        let sso = endpoints.url(Service::Sso).expect_err("bad");
        assert_eq!(sso.code(), "sso_endpoint_invalid");
        assert!(sso.to_string().contains("AWS_ENDPOINT_URL_SSO is `not a url`"), "{sso}");
        let iam = endpoints.url(Service::Iam).expect_err("bad");
        assert!(iam.to_string().contains("AWS_ENDPOINT_URL_IAM"), "{iam}");
        assert_eq!(endpoints.url(Service::Sts).expect("fine"), None);
    }
}

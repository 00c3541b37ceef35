//! How the GTK/WebKit stack draws on Linux, chosen before GTK starts.
//!
//! Rolebar's windows are a few form controls and a table: software drawing is instant for them,
//! while the GPU path costs memory for as long as the app runs. With GTK's GL on, the tray
//! process maps Mesa (libLLVM alone is ~43 MiB resident) before any window exists; WebKit's
//! accelerated compositing adds ~80 MiB to the web process while a window is open. Both are off
//! unless the user sets the variables themselves (`GDK_GL=…`, `WEBKIT_DISABLE_COMPOSITING_MODE=0`)
//! or asks for the GPU path with `ROLEBAR_GPU=1`.

/// The variables set when the user has not set them: (name, value).
pub const LEAN_DEFAULTS: [(&str, &str); 2] = [("GDK_GL", "disable"), ("WEBKIT_DISABLE_COMPOSITING_MODE", "1")];

/// The defaults still to apply given the current environment (`lookup` reads a variable).
pub fn missing_defaults(lookup: impl Fn(&str) -> Option<String>) -> Vec<(&'static str, &'static str)> {
    if lookup("ROLEBAR_GPU").is_some_and(|v| v == "1") {
        return Vec::new();
    }
    LEAN_DEFAULTS
        .into_iter()
        .filter(|(name, _)| lookup(name).is_none())
        .collect()
}

/// Applies the defaults to this process (inherited by WebKit's helper processes). Must run
/// before GTK initialises and before any other thread exists: `set_var` is not thread-safe.
pub fn apply_lean_defaults() {
    if !cfg!(target_os = "linux") {
        return;
    }
    for (name, value) in missing_defaults(|name| std::env::var(name).ok()) {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn both_defaults_apply_on_a_clean_environment() {
        assert_eq!(missing_defaults(env(&[])), LEAN_DEFAULTS.to_vec());
    }

    #[test]
    fn a_variable_the_user_set_is_left_alone() {
        let left = missing_defaults(env(&[("WEBKIT_DISABLE_COMPOSITING_MODE", "0")]));
        assert_eq!(left, vec![("GDK_GL", "disable")]);
    }

    #[test]
    fn rolebar_gpu_keeps_the_gpu_path() {
        assert!(missing_defaults(env(&[("ROLEBAR_GPU", "1")])).is_empty());
        assert_eq!(missing_defaults(env(&[("ROLEBAR_GPU", "0")])).len(), 2);
    }
}

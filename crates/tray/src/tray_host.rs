//! Whether the desktop shows tray icons, and noticing when it starts to.
//!
//! On Linux the tray icon is a StatusNotifierItem: it is seen only where a host (a panel) is
//! registered with `org.kde.StatusNotifierWatcher` on the session bus. Stock GNOME has none
//! without the AppIndicator extension, nor do several tiling window managers; there Rolebar would
//! run with no way to reach it, so it opens its main window instead, says how to get the icon, and
//! offers Quit (`lib.rs`). macOS and Windows always have a tray.
//!
//! The decision is pure (`has_host`, `hint`); `watch` asks the bus once and then follows the
//! watcher's name and its host registrations (signals, no polling). Nothing here imports the rest
//! of the app: the tray process of a later design takes it as it is.

use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use ts_rs::TS;

/// The well-known name (and interface) of the StatusNotifier watcher.
pub const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// What the session says about a tray host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sighting {
    /// The system's own tray (macOS menu bar, Windows notification area): always there.
    Native,
    /// No session bus to ask (none in the environment, or it refused the connection).
    NoBus,
    /// Nobody owns the watcher's name.
    NoWatcher,
    /// A watcher runs; `host_registered` is its `IsStatusNotifierHostRegistered`, `None` when it
    /// could not be read.
    Watcher { host_registered: Option<bool> },
}

/// Whether the tray icon can be seen: it was made (`icon_made`), and the system has a tray or a
/// watcher runs with a host registered. A watcher whose property cannot be read is believed: the
/// name is nearly always owned by the panel itself (KDE, waybar), which shows the items.
pub fn has_host(sighting: Sighting, icon_made: bool) -> bool {
    icon_made
        && match sighting {
            Sighting::Native => true,
            Sighting::NoBus | Sighting::NoWatcher => false,
            Sighting::Watcher { host_registered } => host_registered.unwrap_or(true),
        }
}

/// Which advice gets the icon shown: GNOME needs an extension, other desktops a tray.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TrayHint {
    /// Install and enable "AppIndicator and KStatusNotifierItem Support".
    Gnome,
    /// Add a system tray (a StatusNotifier host) to the panel or bar.
    Other,
}

/// The advice for the desktop named by `XDG_CURRENT_DESKTOP` (a colon-separated list, e.g.
/// `ubuntu:GNOME`, `GNOME-Classic:GNOME`, `sway`).
pub fn hint(current_desktop: Option<&str>) -> TrayHint {
    let gnome = current_desktop
        .unwrap_or_default()
        .split(':')
        .any(|d| d.trim().eq_ignore_ascii_case("gnome"));
    if gnome {
        TrayHint::Gnome
    } else {
        TrayHint::Other
    }
}

/// What the app knows about the tray host now; held by the app, read by the main window.
#[derive(Debug)]
pub struct TrayHost {
    present: AtomicBool,
    hint: TrayHint,
}

impl Default for TrayHost {
    /// A host until the bus says otherwise: the window shows no notice before the first look.
    fn default() -> Self {
        TrayHost {
            present: AtomicBool::new(true),
            hint: hint(std::env::var("XDG_CURRENT_DESKTOP").ok().as_deref()),
        }
    }
}

impl TrayHost {
    pub fn present(&self) -> bool {
        self.present.load(Ordering::Relaxed)
    }

    /// Records whether a host is there; true when that changed.
    pub fn set_present(&self, present: bool) -> bool {
        self.present.swap(present, Ordering::Relaxed) != present
    }

    pub fn hint(&self) -> TrayHint {
        self.hint
    }
}

/// Calls `seen` with what the session says now, then again each time the watcher's name changes
/// hands or a host registers with it, for as long as the session bus lasts (without a bus, once).
#[cfg(all(unix, not(target_os = "macos")))]
pub async fn watch(mut seen: impl FnMut(Sighting)) {
    use futures_util::StreamExt;
    use zbus::{MatchRule, MessageStream};

    let conn = match zbus::Connection::session().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::info!(error = %e, "no session bus: no tray host to ask");
            return seen(Sighting::NoBus);
        }
    };
    // Subscribed before the first look, so a watcher starting in between is not missed.
    let rules = MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .sender("org.freedesktop.DBus")
        .and_then(|b| b.interface("org.freedesktop.DBus"))
        .and_then(|b| b.member("NameOwnerChanged"))
        .and_then(|b| b.add_arg(WATCHER))
        .map(|b| b.build())
        .and_then(|owner| {
            MatchRule::builder()
                .msg_type(zbus::message::Type::Signal)
                .interface(WATCHER)
                .and_then(|b| b.member("StatusNotifierHostRegistered"))
                .map(|b| (owner, b.build()))
        });
    let streams = match rules {
        Ok((owner, host)) => {
            let owner = MessageStream::for_match_rule(owner, &conn, Some(8)).await;
            let host = MessageStream::for_match_rule(host, &conn, Some(8)).await;
            owner.and_then(|o| host.map(|h| (o, h)))
        }
        Err(e) => Err(e),
    };
    seen(sight(&conn).await);
    let (owner, host) = match streams {
        Ok(streams) => streams,
        Err(e) => {
            tracing::warn!(error = %e, "cannot follow the tray host: a panel started later goes unnoticed");
            return;
        }
    };
    let mut events = futures_util::stream::select(owner, host);
    while events.next().await.is_some() {
        seen(sight(&conn).await);
    }
}

/// macOS and Windows: the system's tray is always there.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub async fn watch(mut seen: impl FnMut(Sighting)) {
    seen(Sighting::Native)
}

/// One look at the bus: the watcher's owner, then its host property.
#[cfg(all(unix, not(target_os = "macos")))]
async fn sight(conn: &zbus::Connection) -> Sighting {
    // A watcher that never answers must not hold the window back for D-Bus's 25 s.
    const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(2);
    let owned = conn
        .call_method(
            Some("org.freedesktop.DBus"),
            "/org/freedesktop/DBus",
            Some("org.freedesktop.DBus"),
            "NameHasOwner",
            &(WATCHER,),
        )
        .await
        .and_then(|reply| reply.body().deserialize::<bool>());
    match owned {
        Ok(false) => return Sighting::NoWatcher,
        Ok(true) => {}
        Err(e) => {
            tracing::warn!(error = %e, "cannot ask the session bus for a tray host");
            return Sighting::NoBus;
        }
    }
    let property = conn.call_method(
        Some(WATCHER),
        "/StatusNotifierWatcher",
        Some("org.freedesktop.DBus.Properties"),
        "Get",
        &(WATCHER, "IsStatusNotifierHostRegistered"),
    );
    let host_registered = match tokio::time::timeout(ANSWER_WITHIN, property).await {
        Ok(Ok(reply)) => reply
            .body()
            .deserialize::<zbus::zvariant::OwnedValue>()
            .ok()
            .and_then(|v| bool::try_from(v).ok()),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "the tray watcher does not say whether a host is registered");
            None
        }
        Err(_) => {
            tracing::debug!("the tray watcher did not answer within 2 s");
            None
        }
    };
    Sighting::Watcher { host_registered }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tray_is_seen_only_with_a_registered_host_and_an_icon() {
        let registered = Sighting::Watcher {
            host_registered: Some(true),
        };
        assert!(has_host(registered, true));
        assert!(has_host(Sighting::Native, true), "macOS and Windows");
        for none in [
            Sighting::NoBus,
            Sighting::NoWatcher,
            Sighting::Watcher {
                host_registered: Some(false),
            },
        ] {
            assert!(!has_host(none, true), "{none:?}");
        }
        for any in [registered, Sighting::Native] {
            assert!(!has_host(any, false), "no icon made: nothing to see ({any:?})");
        }
    }

    #[test]
    fn a_watcher_that_does_not_say_is_believed() {
        assert!(has_host(Sighting::Watcher { host_registered: None }, true));
    }

    #[test]
    fn gnome_is_told_of_its_extension_and_the_rest_of_a_tray() {
        for gnome in ["GNOME", "ubuntu:GNOME", "GNOME-Classic:GNOME", "gnome", "Pop : GNOME"] {
            assert_eq!(hint(Some(gnome)), TrayHint::Gnome, "{gnome}");
        }
        for other in ["sway", "i3", "KDE", "GNOME-Flashback", "", "X-Cinnamon"] {
            assert_eq!(hint(Some(other)), TrayHint::Other, "{other}");
        }
        assert_eq!(hint(None), TrayHint::Other);
    }

    #[test]
    fn a_change_of_host_is_reported_once() {
        let host = TrayHost::default();
        assert!(host.present(), "a host until the bus says otherwise");
        assert!(host.set_present(false));
        assert!(!host.set_present(false), "no change the second time");
        assert!(!host.present());
        assert!(host.set_present(true));
    }
}

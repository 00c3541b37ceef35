//! Follows the files the tray's menu is read from, so that a change made elsewhere — a profile
//! added to ~/.aws/config by hand, a session or key stored by the command line, a sign-in by
//! `aws sso login` — shows in the menu at once rather than at the next minute, and so that the
//! idle tray runs nothing while nothing in its menu counts down (`tray::spawn_refresher`).
//! The `notify` crate: inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows.

use ::notify::event::ModifyKind;
use ::notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use rolebar_core::approvals::store::ApprovalsFile;
use rolebar_core::keystore::index::Index;
use rolebar_core::profile::AwsPaths;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// What to follow. Files by name in their folder — editors and Rolebar replace a file by renaming
/// a new one over it, so the folder is watched, not the file — and folders whose every file counts
/// (the IAM Identity Center token cache).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Followed {
    pub files: Vec<PathBuf>,
    pub folders: Vec<PathBuf>,
}

impl Followed {
    /// What the menu is read from: ~/.aws/config and credentials (or where `AWS_CONFIG_FILE` and
    /// `AWS_SHARED_CREDENTIALS_FILE` say), the IAM Identity Center token cache, and Rolebar's
    /// index (sessions and keys stored by the command line) and approvals file. Not Rolebar's
    /// other state files: the tray writes those itself, and says so when it does.
    pub fn menu_sources(paths: &AwsPaths) -> Followed {
        let mut followed = Followed::default();
        followed.add_file(paths.config.clone());
        followed.add_file(paths.credentials.clone());
        if let Some(home) = dirs::home_dir() {
            followed.folders.push(rolebar_core::sso::default_cache_dir(&home));
        }
        if let Ok(index) = Index::default_location() {
            followed.add_file(ApprovalsFile::beside(&index).path().to_path_buf());
            followed.add_file(index.path().to_path_buf());
        }
        followed
    }

    /// `file`, and the file it links to if it is a symbolic link (a config kept in a dotfiles
    /// folder changes there, not beside the link).
    pub fn add_file(&mut self, file: PathBuf) {
        if let Ok(target) = std::fs::canonicalize(&file) {
            if target != file && !self.files.contains(&target) {
                self.files.push(target);
            }
        }
        if !self.files.contains(&file) {
            self.files.push(file);
        }
    }

    /// Whether a change of `path` concerns the menu.
    pub fn concerns(&self, path: &Path) -> bool {
        self.files.iter().any(|f| f == path) || path.parent().is_some_and(|p| self.folders.iter().any(|f| f == p))
    }

    /// The folders to watch (each once).
    fn watched_folders(&self) -> BTreeSet<PathBuf> {
        let parents = self.files.iter().filter_map(|f| f.parent().map(Path::to_path_buf));
        parents.chain(self.folders.iter().cloned()).collect()
    }
}

/// Whether an event is a change of a file's content or name. Reads and metadata are not: the
/// refresh reads these files and must never wake itself.
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) => true,
        EventKind::Modify(modify) => !matches!(modify, ModifyKind::Metadata(_)),
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    }
}

/// The watcher, kept for as long as the files are followed.
#[derive(Debug)]
pub struct Following {
    _watcher: Arc<Mutex<Option<RecommendedWatcher>>>,
}

/// Starts following `followed`; `on_change` runs on the watcher's thread after each change (and
/// after a watch error such as an overflowed event queue, when changes may have been missed).
/// `None` when `must_follow` (the config file's folder) cannot be watched: the caller then reads
/// the files again every minute. A folder that does not exist yet (no sign-in ever, no state
/// folder) is followed from the moment it appears: its nearest existing parent is watched until
/// then.
pub fn follow(
    followed: Followed,
    must_follow: &Path,
    on_change: impl Fn() + Send + Sync + 'static,
) -> Option<Following> {
    let slot: Arc<Mutex<Option<RecommendedWatcher>>> = Arc::default();
    let missing: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let on_change: Arc<dyn Fn() + Send + Sync> = Arc::new(on_change);
    let handler = {
        let (filter, slot, missing, on_change) = (followed.clone(), slot.clone(), missing.clone(), on_change.clone());
        move |event: ::notify::Result<::notify::Event>| match event {
            Ok(event) => {
                if !is_change(&event.kind) {
                    return;
                }
                if event.paths.iter().any(|p| filter.concerns(p)) {
                    tracing::debug!(kind = ?event.kind, paths = ?event.paths, "a file the menu is read from changed");
                    on_change();
                }
                let on_the_way = event
                    .paths
                    .iter()
                    .any(|p| lock(&missing).iter().any(|m| m.starts_with(p)));
                if on_the_way {
                    // Watching waits for the watcher's own thread, which runs this: another does it.
                    let (slot, missing, on_change) = (slot.clone(), missing.clone(), on_change.clone());
                    std::thread::spawn(move || follow_appeared(&slot, &missing, on_change.as_ref()));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "following the AWS files: a change may have been missed");
                on_change();
            }
        }
    };
    let watcher = match ::notify::recommended_watcher(handler) {
        Ok(watcher) => watcher,
        Err(e) => {
            tracing::warn!(error = %e, "cannot follow the AWS files; the menu reads them every minute");
            return None;
        }
    };
    let mut guard = lock(&slot);
    let watcher = guard.insert(watcher);
    let mut followed_main = false;
    for folder in followed.watched_folders() {
        match watcher.watch(&folder, RecursiveMode::NonRecursive) {
            Ok(()) => followed_main |= must_follow.parent() == Some(folder.as_path()),
            Err(_) if !folder.exists() => {
                if !watch_towards(watcher, &folder) {
                    tracing::debug!(folder = %folder.display(), "followed once it appears");
                    lock(&missing).push(folder);
                }
            }
            Err(e) => tracing::debug!(folder = %folder.display(), error = %e, "not followed"),
        }
    }
    drop(guard);
    if !followed_main {
        tracing::info!(
            folder = ?must_follow.parent(),
            "the AWS config's folder cannot be followed; the menu reads it every minute"
        );
        return None;
    }
    Some(Following { _watcher: slot })
}

/// After something appeared on the way to a missing folder: watches the folder if it is there
/// now (and says so: files may be in it already), else its nearest existing parent.
fn follow_appeared(
    slot: &Mutex<Option<RecommendedWatcher>>,
    missing: &Mutex<Vec<PathBuf>>,
    on_change: &(dyn Fn() + Send + Sync),
) {
    // Not held while watching: the watcher's thread takes it to filter events.
    let waiting = lock(missing).clone();
    let mut appeared = Vec::new();
    {
        let mut guard = lock(slot);
        let Some(watcher) = guard.as_mut() else { return };
        for folder in waiting {
            if watch_towards(watcher, &folder) {
                appeared.push(folder);
            }
        }
    }
    if !appeared.is_empty() {
        lock(missing).retain(|m| !appeared.contains(m));
        tracing::debug!(folders = ?appeared, "followed now that they exist");
        on_change();
    }
}

/// Watches `folder` if it exists (true), else its nearest existing parent, looking again after
/// each watch: what appeared before the watch began sent no event, so it is found by looking.
fn watch_towards(watcher: &mut RecommendedWatcher, folder: &Path) -> bool {
    let mut watched: Option<PathBuf> = None;
    loop {
        if folder.is_dir() {
            return watcher.watch(folder, RecursiveMode::NonRecursive).is_ok();
        }
        let Some(parent) = folder.ancestors().find(|a| a.is_dir()) else {
            return false;
        };
        if watched.as_deref() == Some(parent) {
            // Watched, and nothing nearer has appeared since: the next step sends an event.
            return false;
        }
        let _ = watcher.watch(parent, RecursiveMode::NonRecursive);
        watched = Some(parent.to_path_buf());
    }
}

/// A poisoned lock only means a panic elsewhere; the paths it holds are still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::notify::event::{AccessKind, CreateKind, DataChange, MetadataKind, RenameMode};

    #[test]
    fn reads_and_metadata_are_not_changes() {
        assert!(!is_change(&EventKind::Access(AccessKind::Any)));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::AccessTime
        ))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(RenameMode::To))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn only_the_named_files_and_the_followed_folders_concern_the_menu() {
        let mut followed = Followed::default();
        followed.add_file(PathBuf::from("/home/u/.aws/config"));
        followed.folders.push(PathBuf::from("/home/u/.aws/sso/cache"));
        assert!(followed.concerns(Path::new("/home/u/.aws/config")));
        assert!(followed.concerns(Path::new("/home/u/.aws/sso/cache/abc.json")));
        assert!(!followed.concerns(Path::new("/home/u/.aws/config.swp")));
        assert!(!followed.concerns(Path::new("/home/u/.aws/cli/cache/x.json")));
        assert_eq!(
            followed.watched_folders().into_iter().collect::<Vec<_>>(),
            [PathBuf::from("/home/u/.aws"), PathBuf::from("/home/u/.aws/sso/cache")]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_config_is_followed_where_it_lives() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("dotfiles");
        std::fs::create_dir(&real).expect("dotfiles");
        std::fs::write(real.join("aws-config"), "[default]\n").expect("config");
        let aws = dir.path().join(".aws");
        std::fs::create_dir(&aws).expect(".aws");
        std::os::unix::fs::symlink(real.join("aws-config"), aws.join("config")).expect("link");
        let mut followed = Followed::default();
        followed.add_file(aws.join("config"));
        let target = std::fs::canonicalize(real.join("aws-config")).expect("canonical");
        assert!(followed.concerns(&target), "{followed:?}");
        assert!(followed.concerns(&aws.join("config")));
    }

    /// A real watcher: an edit of the config written in place, and one replacing it by a rename
    /// (as editors and Rolebar do), are both reported.
    #[test]
    fn an_edit_and_a_replacement_of_the_config_are_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config");
        std::fs::write(&config, "[default]\n").expect("config");
        let mut followed = Followed::default();
        followed.add_file(config.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let watcher = follow(followed, &config, move || {
            let _ = tx.send(());
        })
        .expect("the folder is followed");
        let within = std::time::Duration::from_secs(10);

        std::fs::write(&config, "[default]\nregion = eu-west-1\n").expect("edit");
        rx.recv_timeout(within).expect("the edit is reported");
        let replacement = dir.path().join(".config.new");
        std::fs::write(&replacement, "[profile new]\n").expect("new");
        std::fs::rename(&replacement, &config).expect("rename over");
        rx.recv_timeout(within).expect("the replacement is reported");
        drop(watcher);
    }

    #[test]
    fn a_config_folder_that_cannot_be_watched_falls_back_to_reading_every_minute() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("missing").join("config");
        let mut followed = Followed::default();
        followed.add_file(config.clone());
        assert!(follow(followed, &config, || {}).is_none());
    }

    /// The token cache does not exist before the first sign-in: it is followed once it appears
    /// (`aws sso login` makes it), and a token written into it is reported.
    #[test]
    fn a_folder_that_appears_later_is_followed_from_then_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config");
        std::fs::write(&config, "[default]\n").expect("config");
        let cache = dir.path().join("sso").join("cache");
        let mut followed = Followed::default();
        followed.add_file(config.clone());
        followed.folders.push(cache.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let following = follow(followed, &config, move || {
            let _ = tx.send(());
        })
        .expect("the config's folder is followed");
        let within = std::time::Duration::from_secs(10);

        std::fs::create_dir_all(&cache).expect("the cache appears");
        rx.recv_timeout(within).expect("its appearing is reported");
        while rx.try_recv().is_ok() {}
        std::fs::write(cache.join("token.json"), "{}").expect("a token");
        rx.recv_timeout(within).expect("a token written into it is reported");
        drop(following);
    }
}

//! How long the user has left keyboard and mouse alone: the one platform
//! call behind filling streams "when the computer is idle"
//! ([`crate::streams_fill`]).
//!
//! [`idle_time`] is the whole interface; `None` means "not known here", and
//! the fill then goes on slowly anyway (a short slice now and then, see
//! [`crate::streams_fill`]) rather than never.
//!
//! # Why no crate
//!
//! `user-idle` (0.6.0) was the candidate: X11 via XScreenSaver, macOS,
//! Windows. It was not taken:
//! - it is unmaintained (last release and commit October 2023; `user-idle2`
//!   is a fork with the same code);
//! - on X11 it calls `XDefaultScreen` on the result of `XOpenDisplay`
//!   without checking it for NULL: with no X server (a Wayland session
//!   without XWayland, `DISPLAY` unset) the tray would crash;
//! - it links libXss at build time (one more `-dev` package) and on macOS
//!   brings `mach` 0.3 (flagged unmaintained by RustSec), `IOKit-sys` and
//!   `CoreFoundation-sys`; on Windows a second `windows-sys` (0.48).
//!
//! Each OS answers in a few lines instead:
//! - **X11** (Linux, BSD): the MIT-SCREEN-SAVER extension's idle counter
//!   (`XScreenSaverQueryInfo`), through `x11-dl`, which the tray already
//!   builds for `tao`/`wry`: libX11 and libXss are opened at run time, so a
//!   missing library or display is `None`, never a crash or a build
//!   dependency. Under **Wayland** XWayland only sees input sent to X
//!   windows, so its counter would call a busy user idle: a Wayland session
//!   (`WAYLAND_DISPLAY` or `XDG_SESSION_TYPE=wayland`) answers `None`.
//!   (GNOME's `org.gnome.Mutter.IdleMonitor` or the `ext-idle-notify`
//!   protocol could answer there; not done yet.)
//! - **macOS**: `CGEventSourceSecondsSinceLastEventType` (CoreGraphics).
//! - **Windows**: `GetLastInputInfo` against `GetTickCount`.

use std::time::Duration;

/// Time since the user's last keyboard or mouse input; `None` when this
/// desktop does not say. Cheap (one X round trip or one system call). Call
/// it on the GUI's main thread: on X11 it opens a connection of its own
/// with Xlib, which is thread-safe only when `XInitThreads` ran first.
pub fn idle_time() -> Option<Duration> {
    platform::idle_time()
}

#[cfg(all(unix, not(target_os = "macos")))]
mod platform {
    use std::time::Duration;
    use x11_dl::{xlib::Xlib, xss::Xss};

    pub fn idle_time() -> Option<Duration> {
        if wayland_session(|key| std::env::var_os(key)) {
            return None;
        }
        // Both libraries are opened once and kept (x11-dl caches them).
        let xlib = Xlib::open().ok()?;
        let xss = Xss::open().ok()?;
        // SAFETY: the display is checked for NULL before use and closed on
        // every path; the info struct is allocated by libXss, checked for
        // NULL, and freed with XFree after its one field was read.
        unsafe {
            let display = (xlib.XOpenDisplay)(std::ptr::null());
            if display.is_null() {
                return None;
            }
            let (mut event_base, mut error_base) = (0, 0);
            let mut idle = None;
            if (xss.XScreenSaverQueryExtension)(display, &mut event_base, &mut error_base) != 0 {
                let info = (xss.XScreenSaverAllocInfo)();
                if !info.is_null() {
                    let root = (xlib.XDefaultRootWindow)(display);
                    if (xss.XScreenSaverQueryInfo)(display, root, info) != 0 {
                        // c_ulong: 64 bits here, 32 on 32-bit targets.
                        #[allow(clippy::unnecessary_cast)]
                        let millis = (*info).idle as u64;
                        idle = Some(Duration::from_millis(millis));
                    }
                    (xlib.XFree)(info.cast());
                }
            }
            (xlib.XCloseDisplay)(display);
            idle
        }
    }

    /// True in a Wayland session, where the X server (XWayland) does not
    /// see most input.
    pub(super) fn wayland_session(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
        var("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
            || var("XDG_SESSION_TYPE").is_some_and(|v| v.eq_ignore_ascii_case("wayland"))
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::time::Duration;

    /// `kCGEventSourceStateCombinedSessionState`.
    const COMBINED_SESSION_STATE: i32 = 0;
    /// `kCGAnyInputEventType`: keyboard, mouse, trackpad and tablet events.
    const ANY_INPUT_EVENT: u32 = !0;

    #[link(name = "CoreGraphics", kind = "framework")]
    unsafe extern "C" {
        fn CGEventSourceSecondsSinceLastEventType(state_id: i32, event_type: u32) -> f64;
    }

    pub fn idle_time() -> Option<Duration> {
        // SAFETY: a pure query with plain values in and out.
        let seconds = unsafe {
            CGEventSourceSecondsSinceLastEventType(COMBINED_SESSION_STATE, ANY_INPUT_EVENT)
        };
        Duration::try_from_secs_f64(seconds).ok()
    }
}

#[cfg(windows)]
mod platform {
    use std::time::Duration;

    /// `LASTINPUTINFO`.
    #[repr(C)]
    struct LastInputInfo {
        cb_size: u32,
        dw_time: u32,
    }

    #[link(name = "user32")]
    unsafe extern "system" {
        fn GetLastInputInfo(plii: *mut LastInputInfo) -> i32;
    }

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetTickCount() -> u32;
    }

    pub fn idle_time() -> Option<Duration> {
        let mut info = LastInputInfo {
            cb_size: std::mem::size_of::<LastInputInfo>() as u32,
            dw_time: 0,
        };
        // SAFETY: `info` is a valid LASTINPUTINFO with its size set, as the
        // call requires; GetTickCount has no arguments.
        let (ok, now) = unsafe { (GetLastInputInfo(&mut info), GetTickCount()) };
        // Both are milliseconds since boot in 32 bits: the difference is
        // right across their wrap-around (every 49.7 days).
        (ok != 0).then(|| Duration::from_millis(u64::from(now.wrapping_sub(info.dw_time))))
    }
}

#[cfg(not(any(unix, windows)))]
mod platform {
    pub fn idle_time() -> Option<std::time::Duration> {
        None
    }
}

#[cfg(all(test, unix, not(target_os = "macos")))]
mod tests {
    use super::platform::wayland_session;
    use std::ffi::OsString;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn a_wayland_session_is_not_asked_over_x11() {
        assert!(wayland_session(env(&[("WAYLAND_DISPLAY", "wayland-0")])));
        assert!(wayland_session(env(&[("XDG_SESSION_TYPE", "wayland")])));
        assert!(!wayland_session(env(&[("XDG_SESSION_TYPE", "x11")])));
        assert!(!wayland_session(env(&[("WAYLAND_DISPLAY", "")])));
        assert!(!wayland_session(env(&[])));
    }

    #[test]
    fn no_display_is_unknown_not_a_crash() {
        // Without DISPLAY, XOpenDisplay returns NULL: checked, not used.
        // (The test process's environment is read, so only run where the
        // test runner has no display.)
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            assert_eq!(super::idle_time(), None);
        }
    }
}

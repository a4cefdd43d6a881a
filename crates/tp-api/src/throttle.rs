//! Spacing between requests.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Makes every request start at least `spacing` after the previous one
/// started, across all tasks sharing the client. Callers queue on the mutex,
/// so the order of waiting is the order of sending.
#[derive(Debug)]
pub struct Throttle {
    spacing: Duration,
    last_start: Mutex<Option<Instant>>,
}

impl Throttle {
    pub fn new(spacing: Duration) -> Throttle {
        Throttle {
            spacing,
            last_start: Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    pub async fn wait(&self) {
        let mut last = self.last_start.lock().await;
        if let Some(previous) = *last {
            tokio::time::sleep_until(previous + self.spacing).await;
        }
        *last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced() {
        let t = Throttle::new(Duration::from_millis(150));
        let start = Instant::now();
        for _ in 0..4 {
            t.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(450));
    }
}

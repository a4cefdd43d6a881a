//! The bearer token, cached and refreshed once for everyone.

use crate::error::ApiError;
use crate::secret::Secret;
use std::future::Future;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// A token as the exchange issued it.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: Secret,
    pub expires_in: Duration,
}

/// A token handed to a request, tagged with its generation so that a 401 on
/// an old token does not throw away a newer one another task just fetched.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub token: Secret,
    pub generation: u64,
}

#[derive(Debug)]
struct Cached {
    token: Secret,
    expires_at: Instant,
    generation: u64,
}

#[derive(Debug, Default)]
struct State {
    current: Option<Cached>,
    generation: u64,
}

/// Caches the bearer token and refreshes it `margin` before it expires.
///
/// The lock is held across the exchange, so concurrent callers that find the
/// token stale wait for one refresh and share its result instead of each
/// asking TrainingPeaks.
#[derive(Debug)]
pub struct TokenCache {
    state: Mutex<State>,
    margin: Duration,
}

impl TokenCache {
    pub fn new(margin: Duration) -> TokenCache {
        TokenCache {
            state: Mutex::new(State::default()),
            margin,
        }
    }

    /// The cached token if it is still fresh, else the result of `exchange`.
    pub async fn get_or_refresh<F, Fut>(&self, exchange: F) -> Result<Bearer, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<IssuedToken, ApiError>>,
    {
        let mut state = self.state.lock().await;
        if let Some(cached) = &state.current
            && Instant::now() + self.margin < cached.expires_at
        {
            return Ok(Bearer {
                token: cached.token.clone(),
                generation: cached.generation,
            });
        }
        state.current = None;
        let issued = exchange().await?;
        state.generation += 1;
        let generation = state.generation;
        state.current = Some(Cached {
            token: issued.access_token.clone(),
            expires_at: Instant::now() + issued.expires_in,
            generation,
        });
        Ok(Bearer {
            token: issued.access_token,
            generation,
        })
    }

    /// Drops the token of `generation` (one that TrainingPeaks just refused),
    /// unless a newer one has replaced it already.
    pub async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.generation == generation)
        {
            state.current = None;
        }
    }

    /// Drops whatever token is cached.
    pub async fn clear(&self) {
        self.state.lock().await.current = None;
    }

    /// Time left before the cached token expires, if one is cached.
    pub async fn remaining(&self) -> Option<Duration> {
        let state = self.state.lock().await;
        state
            .current
            .as_ref()
            .map(|c| c.expires_at.saturating_duration_since(Instant::now()))
    }

    /// How many tokens were issued so far (for status and tests).
    pub async fn exchanges(&self) -> u64 {
        self.state.lock().await.generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn issue(n: &AtomicU32, ttl: u64) -> Result<IssuedToken, ApiError> {
        let k = n.fetch_add(1, Ordering::SeqCst);
        Ok(IssuedToken {
            access_token: Secret::new(format!("t{k}")),
            expires_in: Duration::from_secs(ttl),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_margin_before_expiry() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let n = AtomicU32::new(0);
        let a = cache
            .get_or_refresh(|| async { issue(&n, 3600) })
            .await
            .unwrap();
        tokio::time::advance(Duration::from_secs(3600 - 61)).await;
        let b = cache
            .get_or_refresh(|| async { issue(&n, 3600) })
            .await
            .unwrap();
        assert_eq!(
            a.token.expose(),
            b.token.expose(),
            "still fresh 61 s before expiry"
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        let c = cache
            .get_or_refresh(|| async { issue(&n, 3600) })
            .await
            .unwrap();
        assert_eq!(c.token.expose(), "t1", "refreshed 59 s before expiry");
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let cache = Arc::new(TokenCache::new(Duration::from_secs(60)));
        let n = Arc::new(AtomicU32::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (cache, n) = (cache.clone(), n.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_refresh(|| async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        issue(&n, 3600)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().token.expose(), "t0");
        }
        assert_eq!(n.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidating_an_old_generation_keeps_the_new_token() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let n = AtomicU32::new(0);
        let old = cache
            .get_or_refresh(|| async { issue(&n, 3600) })
            .await
            .unwrap();
        cache.invalidate(old.generation).await;
        let new = cache
            .get_or_refresh(|| async { issue(&n, 3600) })
            .await
            .unwrap();
        cache.invalidate(old.generation).await; // a late 401 from the old token
        let again = cache
            .get_or_refresh(|| async { issue(&n, 3600) })
            .await
            .unwrap();
        assert_eq!(new.token.expose(), again.token.expose());
        assert_eq!(n.load(Ordering::SeqCst), 2);
    }
}

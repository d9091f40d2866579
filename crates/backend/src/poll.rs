//! [`Backend::poll`]: fetch a trace again and again, with jittered exponential backoff, until
//! it is complete or a deadline passes.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use tbt_trace::Trace;
use tokio::time::Instant;

use crate::client::Backend;
use crate::config::PollConfig;
use crate::error::{BackendError, BackendErrorKind};

/// How [`Backend::poll`] ended.
#[derive(Debug)]
pub struct Polled {
    /// The last trace the backend returned (complete or not), or `None` when it never had
    /// the trace.
    pub trace: Option<Trace>,
    /// Whether `complete` held for `trace` before the deadline.
    pub complete: bool,
    /// How many requests were sent, counting one abandoned at the deadline.
    pub attempts: u32,
    /// The error of the last request, when it failed with a transient error (a connection
    /// failure, a timeout, 429 or 5xx) after an earlier request had returned the trace.
    pub last_error: Option<BackendError>,
}

impl Backend {
    /// Fetches `trace_id` until `complete(&trace)` holds or `deadline` passes, waiting between
    /// requests with exponential backoff (`[backend.poll]`: from `initial`, doubling up to
    /// `max`, each wait jittered down by up to half; a longer `Retry-After` is honoured).
    ///
    /// - `Ok` with `complete: true` and the trace as soon as `complete` holds;
    /// - `Ok` with `complete: false` at the deadline, with the last trace seen (maybe none);
    /// - `Err` at once for a final error (a 4xx other than 404 and 429, a malformed body);
    /// - `Err` at the deadline when the backend never returned the trace and the last
    ///   request failed with a transient error (the backend is down, not merely empty).
    ///
    /// The last request starts no later than `initial` before the deadline, and a request
    /// still running at the deadline is abandoned.
    pub async fn poll(
        &self,
        trace_id: [u8; 16],
        deadline: Instant,
        mut complete: impl FnMut(&Trace) -> bool,
    ) -> Result<Polled, BackendError> {
        let mut backoff = Backoff::new(self.poll, RandomState::new().hash_one(trace_id));
        let mut trace: Option<Trace> = None;
        let mut attempts = 0u32;
        let mut last_error: Option<BackendError> = None;
        loop {
            attempts += 1;
            let wait = match tokio::time::timeout_at(deadline, self.fetch(trace_id)).await {
                Err(_deadline_passed) => {
                    if attempts == 1 {
                        last_error = Some(self.deadline_error(trace_id));
                    }
                    break;
                }
                Ok(Ok(Some(fetched))) => {
                    last_error = None;
                    if complete(&fetched) {
                        return Ok(Polled {
                            trace: Some(fetched),
                            complete: true,
                            attempts,
                            last_error: None,
                        });
                    }
                    trace = Some(fetched);
                    backoff.next_delay()
                }
                Ok(Ok(None)) => {
                    last_error = None;
                    backoff.next_delay()
                }
                Ok(Err(e)) if e.is_transient() => {
                    let wait = backoff
                        .next_delay()
                        .max(e.retry_after().unwrap_or_default());
                    last_error = Some(e);
                    wait
                }
                Ok(Err(e)) => return Err(e),
            };
            let now = Instant::now();
            let latest_start = deadline.checked_sub(self.poll.initial).unwrap_or(now);
            let wake = (now + wait).min(latest_start);
            if wake <= now {
                break;
            }
            tokio::time::sleep_until(wake).await;
        }
        match (trace, last_error) {
            (None, Some(mut e)) => {
                if attempts > 1 {
                    e.message = format!(
                        "{} (the last of {attempts} attempts before the deadline)",
                        e.message
                    );
                }
                Err(e)
            }
            (trace, last_error) => Ok(Polled {
                trace,
                complete: false,
                attempts,
                last_error,
            }),
        }
    }

    fn deadline_error(&self, trace_id: [u8; 16]) -> BackendError {
        BackendError::new(
            BackendErrorKind::Timeout,
            format!(
                "{} at {} did not answer before the deadline",
                self.kind().describe(),
                self.trace_url(trace_id)
            ),
        )
    }
}

/// Exponential backoff with "equal jitter": each delay is drawn from `[d/2, d)` where `d`
/// doubles from `initial` up to `max`.
struct Backoff {
    next: Duration,
    max: Duration,
    rng: SplitMix64,
}

impl Backoff {
    fn new(config: PollConfig, seed: u64) -> Backoff {
        Backoff {
            next: config.initial,
            max: config.max,
            rng: SplitMix64(seed),
        }
    }

    fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (d * 2).min(self.max);
        d.mul_f64(0.5 + 0.5 * self.rng.next_unit())
    }
}

/// A tiny, good-enough generator for jitter (SplitMix64); seeded per poll.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_the_max_with_jitter_in_the_upper_half() {
        let config = PollConfig {
            initial: Duration::from_millis(50),
            max: Duration::from_secs(1),
        };
        let mut b = Backoff::new(config, 7);
        let bounds = [50u64, 100, 200, 400, 800, 1000, 1000, 1000];
        for (i, hi) in bounds.into_iter().enumerate() {
            let d = b.next_delay();
            let hi = Duration::from_millis(hi);
            assert!(
                d >= hi / 2 && d < hi,
                "delay {i} is {d:?}, expected in [{:?}, {hi:?})",
                hi / 2
            );
        }
    }

    #[test]
    fn jitter_varies() {
        let mut rng = SplitMix64(1);
        let draws: Vec<f64> = (0..100).map(|_| rng.next_unit()).collect();
        assert!(draws.iter().all(|&u| (0.0..1.0).contains(&u)));
        let low = draws.iter().filter(|&&u| u < 0.5).count();
        assert!((20..80).contains(&low), "{low} of 100 draws below 0.5");
    }
}

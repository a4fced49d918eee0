//! Slows down password guessing: an account may fail to sign in a few times in a row,
//! then once per interval. A blocked account is refused before its password is checked,
//! so guesses beyond the limit cost no argon2 time and cannot succeed; successful
//! sign-ins do not count.
//!
//! The count lives in this process: with several replicas behind a balancer, each
//! counts on its own, which multiplies the allowance by the replica count but still
//! turns a guessing run from thousands of tries a minute into a handful.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Accounts remembered before idle ones are forgotten, so that guesses at made-up
/// e-mail addresses cannot grow the tables without end.
const TRACKED_ACCOUNTS: usize = 10_000;

pub(crate) struct LoginThrottle {
    /// Failed attempts, per normalised e-mail address.
    failures: DefaultKeyedRateLimiter<String>,
    /// Accounts that failed too often, and until when they are refused.
    blocked: Mutex<HashMap<String, Instant>>,
}

impl LoginThrottle {
    /// `burst` failures in a row, then one more every `refill`.
    pub(crate) fn new(burst: u32, refill: Duration) -> Self {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(refill.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            failures: RateLimiter::keyed(quota),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `account` may try now; how long it must wait otherwise.
    pub(crate) fn check(&self, account: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut blocked = self.lock();
        match blocked.get(account) {
            Some(until) if *until > now => Err(*until - now),
            Some(_) => {
                blocked.remove(account);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a failed attempt for `account`; one too many blocks it for a while.
    pub(crate) fn failed(&self, account: &str) {
        if self.failures.len() > TRACKED_ACCOUNTS {
            self.failures.retain_recent();
        }
        if let Err(not_until) = self.failures.check_key(&account.to_owned()) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let now = Instant::now();
            let mut blocked = self.lock();
            if blocked.len() > TRACKED_ACCOUNTS {
                blocked.retain(|_, until| *until > now);
            }
            blocked.insert(account.to_owned(), now + wait);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        // The map holds no invariant a panicking holder could break.
        self.blocked
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_fails_its_burst_then_waits_while_others_are_unaffected() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(30));
        for _ in 0..3 {
            assert!(throttle.check("a@example.com").is_ok());
            throttle.failed("a@example.com");
        }
        assert!(
            throttle.check("a@example.com").is_ok(),
            "three failures are allowed"
        );
        throttle.failed("a@example.com");
        let wait = throttle
            .check("a@example.com")
            .expect_err("a fourth failure blocks");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert!(throttle.check("b@example.com").is_ok());
    }

    #[test]
    fn successful_sign_ins_do_not_count() {
        let throttle = LoginThrottle::new(1, Duration::from_secs(30));
        for _ in 0..5 {
            assert!(throttle.check("a@example.com").is_ok());
        }
    }
}

//! The one hot loop of the mean-maximal curve, `max(ends[i] − starts[i])`,
//! written with explicit SIMD instructions.
//!
//! **Why by hand.** The shipped binary is optimised for size (`opt-level =
//! "z"`, fat LTO: `Cargo.toml`), and with fat LTO the whole program is
//! optimised at the binary's level — LLVM's loop vectoriser does not run at
//! `Oz`, whatever a crate's own profile says. The same loop that takes 15 ms
//! for a 6-hour ride in a speed-optimised build takes 60–100 ms there.
//! Intrinsics are instructions, not hopes: with them the size-optimised
//! binary runs the loop 8 lanes at a time (AVX2, detected at run time), 4
//! (SSE4.1, or NEON, which every 64-bit ARM has), and plain Rust elsewhere.
//! Every path is checked against the plain one in the tests.
//!
//! The only `unsafe` here is calling a `#[target_feature]` function after
//! checking that the processor has the feature, and unaligned loads within
//! the slices' bounds.

/// `max over i of ends[i] − starts[i]` (wrapping; the caller guarantees no
/// difference overflows), over the common length; `i32::MIN` when empty.
pub fn max_difference(ends: &[i32], starts: &[i32]) -> i32 {
    let n = ends.len().min(starts.len());
    let (ends, starts) = (&ends[..n], &starts[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            return unsafe { x86::max_difference_avx2(ends, starts) };
        }
        if std::arch::is_x86_feature_detected!("sse4.1") {
            // SAFETY: the processor has SSE4.1 (checked just above).
            return unsafe { x86::max_difference_sse41(ends, starts) };
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        return arm::max_difference_neon(ends, starts);
    }
    #[allow(unreachable_code)]
    max_difference_plain(ends, starts)
}

/// The same in plain Rust (other processors, the tails of the SIMD loops,
/// and the tests' reference).
pub fn max_difference_plain(ends: &[i32], starts: &[i32]) -> i32 {
    ends.iter()
        .zip(starts)
        .map(|(e, s)| e.wrapping_sub(*s))
        .fold(i32::MIN, i32::max)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// # Safety
    /// The processor must support AVX2; `ends` and `starts` have one length.
    #[target_feature(enable = "avx2")]
    pub unsafe fn max_difference_avx2(ends: &[i32], starts: &[i32]) -> i32 {
        let n = ends.len();
        let blocks = n / 32;
        let mut acc = [_mm256_set1_epi32(i32::MIN); 4];
        for b in 0..blocks {
            for (lane, a) in acc.iter_mut().enumerate() {
                let at = b * 32 + lane * 8;
                // SAFETY: at + 8 ≤ blocks · 32 ≤ n, inside both slices;
                // loadu needs no alignment.
                let (e, s) = unsafe {
                    (
                        _mm256_loadu_si256(ends.as_ptr().add(at).cast()),
                        _mm256_loadu_si256(starts.as_ptr().add(at).cast()),
                    )
                };
                *a = _mm256_max_epi32(*a, _mm256_sub_epi32(e, s));
            }
        }
        let both = _mm256_max_epi32(
            _mm256_max_epi32(acc[0], acc[1]),
            _mm256_max_epi32(acc[2], acc[3]),
        );
        let mut lanes = [0i32; 8];
        // SAFETY: `lanes` holds exactly 8 i32; storeu needs no alignment.
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), both) };
        let tail = super::max_difference_plain(&ends[blocks * 32..], &starts[blocks * 32..]);
        lanes.into_iter().fold(tail, i32::max)
    }

    /// # Safety
    /// The processor must support SSE4.1; `ends` and `starts` have one length.
    #[target_feature(enable = "sse4.1")]
    pub unsafe fn max_difference_sse41(ends: &[i32], starts: &[i32]) -> i32 {
        let n = ends.len();
        let blocks = n / 16;
        let mut acc = [_mm_set1_epi32(i32::MIN); 4];
        for b in 0..blocks {
            for (lane, a) in acc.iter_mut().enumerate() {
                let at = b * 16 + lane * 4;
                // SAFETY: at + 4 ≤ blocks · 16 ≤ n, inside both slices.
                let (e, s) = unsafe {
                    (
                        _mm_loadu_si128(ends.as_ptr().add(at).cast()),
                        _mm_loadu_si128(starts.as_ptr().add(at).cast()),
                    )
                };
                *a = _mm_max_epi32(*a, _mm_sub_epi32(e, s));
            }
        }
        let both = _mm_max_epi32(_mm_max_epi32(acc[0], acc[1]), _mm_max_epi32(acc[2], acc[3]));
        let mut lanes = [0i32; 4];
        // SAFETY: `lanes` holds exactly 4 i32.
        unsafe { _mm_storeu_si128(lanes.as_mut_ptr().cast(), both) };
        let tail = super::max_difference_plain(&ends[blocks * 16..], &starts[blocks * 16..]);
        lanes.into_iter().fold(tail, i32::max)
    }
}

#[cfg(target_arch = "aarch64")]
mod arm {
    use std::arch::aarch64::*;

    /// NEON is part of every 64-bit ARM processor (Apple silicon included).
    pub fn max_difference_neon(ends: &[i32], starts: &[i32]) -> i32 {
        let n = ends.len();
        let blocks = n / 16;
        // SAFETY: NEON is always present on aarch64; every load reads 4
        // i32 at an index + 4 ≤ blocks · 16 ≤ n, inside both slices.
        unsafe {
            let mut acc = [vdupq_n_s32(i32::MIN); 4];
            for b in 0..blocks {
                for (lane, a) in acc.iter_mut().enumerate() {
                    let at = b * 16 + lane * 4;
                    let e = vld1q_s32(ends.as_ptr().add(at));
                    let s = vld1q_s32(starts.as_ptr().add(at));
                    *a = vmaxq_s32(*a, vsubq_s32(e, s));
                }
            }
            let both = vmaxq_s32(vmaxq_s32(acc[0], acc[1]), vmaxq_s32(acc[2], acc[3]));
            let tail = super::max_difference_plain(&ends[blocks * 16..], &starts[blocks * 16..]);
            tail.max(vmaxvq_s32(both))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // Proves the dispatched path (AVX2/SSE4.1/NEON here) equals the
        // plain one on every length around the block sizes and any values.
        #[test]
        fn simd_equals_plain(
            pairs in proptest::collection::vec((-1_000_000i32..1_000_000, -1_000_000i32..1_000_000), 0..200)
        ) {
            let (ends, starts): (Vec<i32>, Vec<i32>) = pairs.into_iter().unzip();
            prop_assert_eq!(max_difference(&ends, &starts), max_difference_plain(&ends, &starts));
        }
    }

    // Proves each x86 path directly (the dispatcher takes only the best).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_x86_path_agrees() {
        let ends: Vec<i32> = (0..1000).map(|i| (i * 7919) % 2003 - 1000).collect();
        let starts: Vec<i32> = (0..1000).map(|i| (i * 104_729) % 1999 - 900).collect();
        for len in [0, 1, 3, 15, 16, 17, 31, 32, 33, 999, 1000] {
            let (e, s) = (&ends[..len], &starts[..len]);
            let plain = max_difference_plain(e, s);
            if std::arch::is_x86_feature_detected!("avx2") {
                assert_eq!(
                    unsafe { x86::max_difference_avx2(e, s) },
                    plain,
                    "avx2 {len}"
                );
            }
            if std::arch::is_x86_feature_detected!("sse4.1") {
                assert_eq!(
                    unsafe { x86::max_difference_sse41(e, s) },
                    plain,
                    "sse4.1 {len}"
                );
            }
        }
    }
}

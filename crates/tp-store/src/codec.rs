//! The compact binary forms of second-by-second data.
//!
//! **Why this encoding.** A device records slowly changing integers once a
//! second: heart rate moves by a beat, altitude by a 20 cm step, distance by
//! about the same amount each second. So each channel is stored as the
//! *difference* from the previous sample (for distance and other smooth
//! channels, the difference of differences — the encoder picks the order
//! that is smaller), zigzag-mapped so small negative numbers are small, in
//! LEB128 varints: most seconds of most channels take one byte. Missing
//! values are runs of a presence mask, not sentinels. The result is then
//! DEFLATE-compressed (flate2's pure-Rust backend, already used for `.gz`
//! device files), which removes what repeats (runs of equal deltas, the
//! time base's endless `+1`). An hour of 1 Hz riding with seven channels
//! is about 15–25 KB (`bench/RESULTS.md` has the measured numbers) — well
//! under the 100 KB budget — and encodes or decodes in about a millisecond.
//! A general-purpose compressor alone (no deltas) does much worse on noisy
//! power, and zstd or lz4 would bring a C library or a second codec for no
//! gain at this size.
//!
//! Every decoder here treats its input as untrusted: a damaged blob is an
//! error, never a panic, and sizes are bounded before anything is allocated.

use std::io::{Read, Write};
use tp_model::{Channel, ChannelKind, CurveEnvelope, EnvelopeEntry, Streams};

/// Format tag of [`encode_streams`]'s output.
const STREAMS_MAGIC: &[u8; 4] = b"TPS1";

/// The most samples a stored blob may claim (8 days at 1 Hz): bounds what
/// a damaged blob can make the decoder allocate.
pub const MAX_SAMPLES: usize = 8 * 24 * 3600;

/// A blob that is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored second-by-second data is damaged: {0}")]
pub struct CodecError(pub &'static str);

/// Appends `v` as an LEB128 varint.
fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A reader over a byte slice that fails, never panics.
/// The LEB128 varint at the start of `bytes`, and its length. A plain
/// loop: iterator adapters here cost a third of a decade's curve read in
/// the size-optimised release build.
#[inline]
fn varint(bytes: &[u8]) -> Result<(u64, usize), CodecError> {
    let mut v = 0u64;
    let mut i = 0;
    while i < 10 {
        let Some(&b) = bytes.get(i) else {
            return Err(CodecError("it ends too early"));
        };
        v |= u64::from(b & 0x7f) << (7 * i);
        i += 1;
        if b & 0x80 == 0 {
            return Ok((v, i));
        }
    }
    Err(CodecError("a number is too long"))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    fn u64(&mut self) -> Result<u64, CodecError> {
        let (v, len) = varint(&self.bytes[self.at..])?;
        self.at += len;
        Ok(v)
    }

    fn i64(&mut self) -> Result<i64, CodecError> {
        Ok(unzigzag(self.u64()?))
    }

    fn usize_at_most(&mut self, max: usize) -> Result<usize, CodecError> {
        let v = self.u64()?;
        if v > max as u64 {
            return Err(CodecError("a length is out of range"));
        }
        Ok(v as usize)
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or(CodecError("it ends too early"))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or(CodecError("it ends too early"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Writes `values` as deltas of order 1 or 2 (whichever is shorter),
/// prefixed by the order.
fn put_deltas(out: &mut Vec<u8>, values: &[i64]) {
    let encode = |order: u8| -> Vec<u8> {
        let mut buf = vec![order];
        let (mut prev, mut prev_delta) = (0i64, 0i64);
        for &v in values {
            let delta = v.wrapping_sub(prev);
            let code = if order == 1 {
                delta
            } else {
                delta.wrapping_sub(prev_delta)
            };
            put_u64(&mut buf, zigzag(code));
            prev = v;
            prev_delta = delta;
        }
        buf
    };
    let first = encode(1);
    let second = encode(2);
    out.extend_from_slice(if second.len() < first.len() {
        &second
    } else {
        &first
    });
}

/// Undoes [`put_deltas`]' first- or second-order deltas, a value at a time.
struct Undelta {
    order: u8,
    prev: i64,
    prev_delta: i64,
}

impl Undelta {
    fn new(order: u8) -> Result<Undelta, CodecError> {
        if order != 1 && order != 2 {
            return Err(CodecError("unknown delta order"));
        }
        Ok(Undelta {
            order,
            prev: 0,
            prev_delta: 0,
        })
    }

    fn next(&mut self, code: i64) -> i64 {
        let delta = if self.order == 1 {
            code
        } else {
            self.prev_delta.wrapping_add(code)
        };
        self.prev = self.prev.wrapping_add(delta);
        self.prev_delta = delta;
        self.prev
    }
}

fn read_deltas(r: &mut Reader, n: usize) -> Result<Vec<i64>, CodecError> {
    let mut undelta = Undelta::new(r.byte()?)?;
    let mut out = Vec::with_capacity(n.min(MAX_SAMPLES));
    for _ in 0..n {
        out.push(undelta.next(r.i64()?));
    }
    Ok(out)
}

fn deflate(raw: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(
        Vec::with_capacity(raw.len() / 2),
        flate2::Compression::default(),
    );
    e.write_all(raw).expect("writing to memory cannot fail");
    e.finish().expect("writing to memory cannot fail")
}

fn inflate(packed: &[u8], limit: usize) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(packed)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| CodecError("the compressed data is corrupt"))?;
    if out.len() > limit {
        return Err(CodecError("it expands beyond any real recording"));
    }
    Ok(out)
}

/// The largest raw (uncompressed) streams blob a decoder accepts.
const MAX_RAW_BYTES: usize = MAX_SAMPLES * 10 * (ChannelKind::ALL.len() + 1) + 1024;

/// Encodes streams: `TPS1`, then DEFLATE of the sample count, the time
/// base's deltas, and per channel its id, presence runs and value deltas.
pub fn encode_streams(streams: &Streams) -> Vec<u8> {
    let mut raw = Vec::with_capacity(streams.len() * 8);
    put_u64(&mut raw, streams.len() as u64);
    let times: Vec<i64> = streams.time_s().iter().map(|t| i64::from(*t)).collect();
    put_deltas(&mut raw, &times);
    let channels: Vec<(ChannelKind, &[Option<i32>])> = streams.channels().collect();
    put_u64(&mut raw, channels.len() as u64);
    for (kind, values) in channels {
        raw.push(kind.id());
        // Presence as alternating run lengths, starting with "present".
        let mut runs = Vec::new();
        let mut present = true;
        let mut run = 0u64;
        for v in values {
            if v.is_some() == present {
                run += 1;
            } else {
                runs.push(run);
                present = !present;
                run = 1;
            }
        }
        runs.push(run);
        put_u64(&mut raw, runs.len() as u64);
        for r in runs {
            put_u64(&mut raw, r);
        }
        let present: Vec<i64> = values.iter().flatten().map(|v| i64::from(*v)).collect();
        put_deltas(&mut raw, &present);
    }
    let mut out = STREAMS_MAGIC.to_vec();
    out.extend(deflate(&raw));
    out
}

/// Decodes [`encode_streams`]'s output.
pub fn decode_streams(blob: &[u8]) -> Result<Streams, CodecError> {
    let packed = blob
        .strip_prefix(STREAMS_MAGIC.as_slice())
        .ok_or(CodecError("unknown format"))?;
    let raw = inflate(packed, MAX_RAW_BYTES)?;
    let mut r = Reader::new(&raw);
    let n = r.usize_at_most(MAX_SAMPLES)?;
    let times = read_deltas(&mut r, n)?;
    let time_s: Vec<u32> = times
        .into_iter()
        .map(|t| u32::try_from(t).map_err(|_| CodecError("a time is out of range")))
        .collect::<Result<_, _>>()?;
    let count = r.usize_at_most(ChannelKind::ALL.len())?;
    let mut channels = std::collections::BTreeMap::new();
    for _ in 0..count {
        let kind = ChannelKind::from_id(r.byte()?).ok_or(CodecError("unknown channel"))?;
        let run_count = r.usize_at_most(n + 1)?;
        let mut runs = Vec::with_capacity(run_count);
        let mut covered = 0usize;
        for _ in 0..run_count {
            let run = r.usize_at_most(n)?;
            covered = covered.saturating_add(run);
            runs.push(run);
        }
        if covered != n {
            return Err(CodecError("a channel's length differs from the samples'"));
        }
        let present_count: usize = runs.iter().step_by(2).sum();
        let values = read_deltas(&mut r, present_count)?;
        let mut channel: Channel = Vec::with_capacity(n);
        let mut values = values.into_iter();
        for (i, run) in runs.into_iter().enumerate() {
            for _ in 0..run {
                channel.push(if i % 2 == 0 {
                    let v = values.next().ok_or(CodecError("values are missing"))?;
                    Some(i32::try_from(v).map_err(|_| CodecError("a value is out of range"))?)
                } else {
                    None
                });
            }
        }
        channels.insert(kind, channel);
    }
    if !r.done() {
        return Err(CodecError("there are bytes after the data"));
    }
    Streams::from_parts(time_s, channels).map_err(|_| CodecError("the samples are inconsistent"))
}

/// Encodes a non-decreasing integer series (a mean-maximal curve's best
/// sums) as DEFLATE of its second-order deltas.
pub fn encode_series(values: &[i64]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(values.len() + 8);
    put_u64(&mut raw, values.len() as u64);
    put_deltas(&mut raw, values);
    deflate(&raw)
}

/// Decodes [`encode_series`]'s output.
pub fn decode_series(blob: &[u8]) -> Result<Vec<i64>, CodecError> {
    let raw = inflate(blob, MAX_SAMPLES * 11 + 16)?;
    let mut r = Reader::new(&raw);
    let n = r.usize_at_most(MAX_SAMPLES)?;
    let out = read_deltas(&mut r, n)?;
    if !r.done() {
        return Err(CodecError("there are bytes after the data"));
    }
    Ok(out)
}

/// Encodes `(value, count)` pairs sorted by value (a histogram).
pub fn encode_pairs(pairs: &[(i64, u64)]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(pairs.len() * 3 + 8);
    put_u64(&mut raw, pairs.len() as u64);
    let values: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    put_deltas(&mut raw, &values);
    for p in pairs {
        put_u64(&mut raw, p.1);
    }
    deflate(&raw)
}

/// Decodes [`encode_pairs`]'s output.
pub fn decode_pairs(blob: &[u8]) -> Result<Vec<(i64, u64)>, CodecError> {
    let raw = inflate(blob, MAX_SAMPLES * 21 + 16)?;
    let mut r = Reader::new(&raw);
    let n = r.usize_at_most(MAX_SAMPLES)?;
    let values = read_deltas(&mut r, n)?;
    let mut out = Vec::with_capacity(n);
    for v in values {
        out.push((v, r.u64()?));
    }
    if !r.done() {
        return Err(CodecError("there are bytes after the data"));
    }
    Ok(out)
}

/// Encodes a curve envelope entry by entry — for each duration `d`: the
/// window's excess over `d`, the sum's and the workout id's change from the
/// previous entry — so a reader can stop after the durations it needs.
pub fn encode_envelope(envelope: &CurveEnvelope) -> Vec<u8> {
    let mut raw = Vec::with_capacity(envelope.entries.len() * 4 + 8);
    put_u64(&mut raw, envelope.entries.len() as u64);
    let (mut sum, mut id) = (0i64, 0i64);
    for (i, e) in envelope.entries.iter().enumerate() {
        put_u64(&mut raw, zigzag(i64::from(e.window_s) - (i as i64 + 1)));
        put_u64(&mut raw, zigzag(e.sum.wrapping_sub(sum)));
        put_u64(&mut raw, zigzag(e.workout_id.wrapping_sub(id)));
        sum = e.sum;
        id = e.workout_id;
    }
    deflate(&raw)
}

/// The first `max_entries` entries of [`encode_envelope`]'s output,
/// inflating no more than they need.
pub fn decode_envelope_prefix(
    blob: &[u8],
    max_entries: usize,
) -> Result<CurveEnvelope, CodecError> {
    let mut reader = VarintStream::new(flate2::read::DeflateDecoder::new(blob));
    let n = reader.u64()?;
    if n > MAX_SAMPLES as u64 {
        return Err(CodecError("a length is out of range"));
    }
    let take = (n as usize).min(max_entries);
    let mut entries = Vec::with_capacity(take);
    let (mut sum, mut id) = (0i64, 0i64);
    for i in 0..take {
        let window = unzigzag(reader.u64()?) + i as i64 + 1;
        sum = sum.wrapping_add(unzigzag(reader.u64()?));
        id = id.wrapping_add(unzigzag(reader.u64()?));
        let window_s = u32::try_from(window).map_err(|_| CodecError("a window is out of range"))?;
        entries.push(EnvelopeEntry {
            sum,
            window_s,
            workout_id: id,
        });
    }
    Ok(CurveEnvelope { entries })
}

/// Varints read from a stream, a chunk at a time.
struct VarintStream<R: Read> {
    inner: R,
    buf: Vec<u8>,
    at: usize,
}

impl<R: Read> VarintStream<R> {
    fn new(inner: R) -> Self {
        VarintStream {
            inner,
            buf: Vec::new(),
            at: 0,
        }
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        if self.at == self.buf.len() {
            self.buf.resize(8192, 0);
            let n = self
                .inner
                .read(&mut self.buf)
                .map_err(|_| CodecError("the compressed data is corrupt"))?;
            if n == 0 {
                return Err(CodecError("it ends too early"));
            }
            self.buf.truncate(n);
            self.at = 0;
        }
        self.at += 1;
        Ok(self.buf[self.at - 1])
    }

    fn u64(&mut self) -> Result<u64, CodecError> {
        // Whole varints in the buffer: read in place.
        if self.buf.len() - self.at >= 10 {
            let (v, len) = varint(&self.buf[self.at..])?;
            self.at += len;
            return Ok(v);
        }
        // Near the end of the buffer: a byte at a time, refilling.
        let mut v = 0u64;
        let mut shift = 0;
        while shift < 64 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
        Err(CodecError("a number is too long"))
    }
}

/// Raw bytes with a length prefix (for composing blobs).
pub fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u64(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Reads what [`put_bytes`] wrote, advancing `at`.
pub fn get_bytes<'a>(blob: &'a [u8], at: &mut usize) -> Result<&'a [u8], CodecError> {
    let mut r = Reader {
        bytes: blob,
        at: *at,
    };
    let n = r.usize_at_most(blob.len())?;
    let s = r.take(n)?;
    *at = r.at;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn streams(time: Vec<u32>, channels: Vec<(ChannelKind, Channel)>) -> Streams {
        Streams::from_parts(time, channels.into_iter().collect::<BTreeMap<_, _>>()).unwrap()
    }

    // Proves a typical hour of riding round-trips exactly and stays far
    // below 100 KB.
    #[test]
    fn an_hour_of_riding_round_trips_and_is_small() {
        let n = 3600u32;
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i32
        };
        let mut time: Vec<u32> = (0..n).collect();
        time.iter_mut().skip(2000).for_each(|t| *t += 600);
        let power: Channel = (0..n)
            .map(|i| Some(200 + (next() % 60) - 30 + (i as i32 % 300) / 10))
            .collect();
        let hr: Channel = (0..n).map(|i| Some(120 + (i as i32) / 90)).collect();
        let cadence: Channel = (0..n)
            .map(|i| {
                if i % 97 == 0 {
                    None
                } else {
                    Some(88 + next() % 5)
                }
            })
            .collect();
        let mut d = 0;
        let speed: Channel = (0..n).map(|_| Some(8000 + next() % 400)).collect();
        let distance: Channel = speed
            .iter()
            .map(|v| {
                d += v.unwrap() / 10;
                Some(d)
            })
            .collect();
        let alt: Channel = (0..n)
            .map(|i| Some(2000 + 20 * ((i as i32 / 40) % 15)))
            .collect();
        let temp: Channel = (0..n).map(|i| Some(18 + (i as i32 / 1200))).collect();
        let s = streams(
            time,
            vec![
                (ChannelKind::Power, power),
                (ChannelKind::HeartRate, hr),
                (ChannelKind::Cadence, cadence),
                (ChannelKind::Speed, speed),
                (ChannelKind::Distance, distance),
                (ChannelKind::Altitude, alt),
                (ChannelKind::Temperature, temp),
            ],
        );
        let blob = encode_streams(&s);
        assert!(blob.len() < 40_000, "{} bytes for an hour", blob.len());
        assert_eq!(decode_streams(&blob).unwrap(), s);
    }

    // Proves damaged blobs are errors, never panics: every truncation and
    // every single-byte change of a real blob.
    #[test]
    fn damaged_blobs_are_errors() {
        let s = streams(
            (0..300).collect(),
            vec![(
                ChannelKind::HeartRate,
                (0..300).map(|i| Some(100 + i % 7)).collect(),
            )],
        );
        let blob = encode_streams(&s);
        for cut in 0..blob.len() {
            let _ = decode_streams(&blob[..cut]);
        }
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x5a;
            let _ = decode_streams(&bad);
        }
        assert!(decode_streams(b"TPS1").is_err());
        assert!(decode_streams(b"nope").is_err());
    }

    proptest! {
        // Proves streams of any shape (gaps, missing values, extreme
        // values) round-trip exactly.
        #[test]
        fn any_streams_round_trip(
            steps in proptest::collection::vec(1u32..5000, 0..400),
            a in proptest::collection::vec(proptest::option::of(any::<i32>()), 400),
            b in proptest::collection::vec(proptest::option::of(-5i32..5), 400),
        ) {
            let mut t = 0u32;
            let time: Vec<u32> = steps.iter().map(|s| { let v = t; t += s; v }).collect();
            let n = time.len();
            let s = streams(time, vec![
                (ChannelKind::Power, a[..n].to_vec()),
                (ChannelKind::Altitude, b[..n].to_vec()),
            ]);
            prop_assert_eq!(decode_streams(&encode_streams(&s)).unwrap(), s);
        }

        // Proves series and pairs round-trip exactly.
        #[test]
        fn series_and_pairs_round_trip(
            v in proptest::collection::vec(any::<i64>(), 0..300),
            p in proptest::collection::vec((any::<i64>(), any::<u64>()), 0..300),
        ) {
            prop_assert_eq!(decode_series(&encode_series(&v)).unwrap(), v);
            prop_assert_eq!(decode_pairs(&encode_pairs(&p)).unwrap(), p);
        }

        // Proves envelopes round-trip, whole or as a prefix.
        #[test]
        fn envelopes_round_trip(
            raw in proptest::collection::vec((0u32..5, any::<i32>(), -3i64..3), 0..300),
            take in 0usize..400,
        ) {
            let mut id = 0i64;
            let entries: Vec<EnvelopeEntry> = raw.iter().enumerate().map(|(i, (extra, sum, step))| {
                id += step;
                EnvelopeEntry { sum: i64::from(*sum), window_s: i as u32 + 1 + extra, workout_id: 3_000_000_000 + id }
            }).collect();
            let e = CurveEnvelope { entries };
            let blob = encode_envelope(&e);
            prop_assert_eq!(decode_envelope_prefix(&blob, usize::MAX).unwrap(), e.clone());
            let prefix = decode_envelope_prefix(&blob, take).unwrap();
            prop_assert_eq!(&prefix.entries[..], &e.entries[..take.min(e.entries.len())]);
        }

        // Proves arbitrary bytes never panic any decoder.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_streams(&bytes);
            let mut tagged = STREAMS_MAGIC.to_vec();
            tagged.extend(&bytes);
            let _ = decode_streams(&tagged);
            let _ = decode_series(&bytes);
            let _ = decode_pairs(&bytes);
            let _ = decode_envelope_prefix(&bytes, 100);
            let mut at = 0;
            let _ = get_bytes(&bytes, &mut at);
        }
    }
}

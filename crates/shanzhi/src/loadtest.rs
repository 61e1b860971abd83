//! A load driver for durable intake: keep-alive HTTP/1.1 connections POSTing reports to a
//! running server (report → locate → route → store → 201), closed-loop (as fast as it answers)
//! or open-loop at a fixed rate, reporting throughput and latency percentiles.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// host:port of the server.
    pub addr: String,
    /// A login token of the reporting account (see [`login`]).
    pub token: String,
    pub connections: usize,
    /// Reports per second over all connections; 0: as fast as the server answers.
    pub rate: u32,
    pub duration: Duration,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub sent: usize,
    pub created: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Latencies of successful reports, sorted.
    pub latencies: Vec<Duration>,
}

impl Outcome {
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i.min(self.latencies.len() - 1)]
    }

    pub fn per_second(&self) -> f64 {
        self.created as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

const TYPES: [&str; 8] = ["0602", "0604", "0701", "1004", "1005", "1006", "0101", "0617"];

fn body(rng: &mut ChaCha8Rng) -> String {
    // Central Tangshan: 路南、路北 and their neighbours.
    let lon = rng.random_range(118.05..118.30);
    let lat = rng.random_range(39.55..39.70);
    let ty = TYPES[rng.random_range(0..TYPES.len())];
    format!(
        r#"{{"kind":"event","type":"{ty}","description":"压测上报 load test","lon":{lon:.6},"lat":{lat:.6},"crs":"wgs84","channel":"patrol"}}"#
    )
}

/// Sends one request on a keep-alive connection; answers the status and the body.
/// `headers` are extra header lines, each ending in CRLF.
async fn request(
    stream: &mut BufReader<TcpStream>,
    addr: &str,
    target: &str,
    headers: &str,
    body: &str,
) -> anyhow::Result<(u16, Vec<u8>)> {
    let req = format!(
        "{target} HTTP/1.1\r\nHost: {addr}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(req.as_bytes()).await?;
    let mut status_line = String::new();
    stream.read_line(&mut status_line).await?;
    let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).context("bad status line")?;
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await? == 0 {
            bail!("connection closed");
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse()?;
        }
    }
    let mut buf = vec![0u8; length];
    stream.read_exact(&mut buf).await?;
    Ok((status, buf))
}

/// Logs in and returns the token the reports will carry.
pub async fn login(addr: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let tcp = TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
    let mut stream = BufReader::new(tcp);
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    let (status, answer) = request(&mut stream, addr, "POST /api/v1/auth/login", "", &body).await?;
    let v: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
    if status != 200 {
        bail!("login as {user} failed ({status}): {}", v["message"]);
    }
    v["token"].as_str().map(str::to_string).context("no token in the login answer")
}

async fn one(stream: &mut BufReader<TcpStream>, addr: &str, token: &str, key: &str, body: &str) -> anyhow::Result<u16> {
    let headers = format!("Authorization: Bearer {token}\r\nIdempotency-Key: {key}\r\n");
    Ok(request(stream, addr, "POST /api/v1/cases", &headers, body).await?.0)
}

async fn connection(plan: Plan, n: usize, start: Instant, run_id: u64) -> (usize, usize, Vec<Duration>) {
    let mut rng = ChaCha8Rng::seed_from_u64(run_id ^ (n as u64) << 32);
    let (mut created, mut errors, mut lat) = (0, 0, Vec::new());
    let Ok(tcp) = TcpStream::connect(&plan.addr).await else { return (0, 1, lat) };
    let _ = tcp.set_nodelay(true);
    let mut stream = BufReader::new(tcp);
    // Open loop: this connection's share of the rate, with its own schedule.
    let interval = (plan.rate > 0).then(|| Duration::from_secs_f64(plan.connections as f64 / plan.rate as f64));
    let mut next = start + interval.map(|i| i.mul_f64(n as f64 / plan.connections as f64)).unwrap_or_default();
    let mut i = 0u64;
    while start.elapsed() < plan.duration {
        if let Some(iv) = interval {
            tokio::time::sleep_until(next.into()).await;
            next += iv;
        }
        let sent_at = Instant::now();
        let key = format!("load-{run_id}-{n}-{i}");
        i += 1;
        match one(&mut stream, &plan.addr, &plan.token, &key, &body(&mut rng)).await {
            Ok(201) => {
                created += 1;
                // Latency from the scheduled send time in open loop (no coordinated omission).
                let from = if interval.is_some() { next - interval.unwrap_or_default() } else { sent_at };
                lat.push(Instant::now().saturating_duration_since(from.min(sent_at)));
            }
            Ok(_) => errors += 1,
            Err(_) => {
                errors += 1;
                break;
            }
        }
    }
    (created, errors, lat)
}

/// Runs the plan and gathers the outcome.
pub async fn run(plan: Plan, mut progress: impl FnMut(Duration)) -> anyhow::Result<Outcome> {
    let run_id = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as u64;
    let start = Instant::now();
    let tasks: Vec<_> =
        (0..plan.connections).map(|n| tokio::spawn(connection(plan.clone(), n, start, run_id))).collect();
    while start.elapsed() < plan.duration {
        tokio::time::sleep(Duration::from_millis(500)).await;
        progress(start.elapsed());
    }
    let mut out = Outcome { sent: 0, created: 0, errors: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for t in tasks {
        let (c, e, l) = t.await?;
        out.created += c;
        out.errors += e;
        out.latencies.extend(l);
    }
    out.elapsed = start.elapsed();
    out.sent = out.created + out.errors;
    out.latencies.sort_unstable();
    Ok(out)
}

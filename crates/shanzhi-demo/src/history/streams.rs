//! The report streams (grid workers' patrols, devices, residents online and by phone, 12345 calls
//! and online submissions, Open311): their channels, their volume by day and by hour of the day,
//! and how many cases each stream gets on each day.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::config::{ChannelMix, HistoryConfig};
use super::draw::{cumulative, normal, pick, round_to};
use super::seasons::{Day, DayKind};
use super::world::World;
use shanzhi_domain::cases::case::Channel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stream {
    Patrol,
    Device,
    EventWeb,
    EventPhone,
    Hotline,
    DemandWeb,
    Open311,
}

pub(super) const STREAMS: [Stream; 7] = [
    Stream::Patrol,
    Stream::Device,
    Stream::EventWeb,
    Stream::EventPhone,
    Stream::Hotline,
    Stream::DemandWeb,
    Stream::Open311,
];

impl Stream {
    pub(super) fn channel(self) -> Channel {
        match self {
            Stream::Patrol => Channel::Patrol,
            Stream::Device => Channel::Device,
            Stream::EventWeb | Stream::DemandWeb => Channel::ResidentWeb,
            Stream::EventPhone => Channel::ResidentPhone,
            Stream::Hotline => Channel::Hotline,
            Stream::Open311 => Channel::Open311,
        }
    }

    pub(super) fn is_demand(self) -> bool {
        matches!(self, Stream::Hotline | Stream::DemandWeb | Stream::Open311)
    }

    pub(super) fn share(self, mix: &ChannelMix) -> f64 {
        match self {
            Stream::Patrol => mix.patrol,
            Stream::Device => mix.device,
            Stream::EventWeb => mix.event_web,
            Stream::EventPhone => mix.event_phone,
            Stream::Hotline => mix.hotline,
            Stream::DemandWeb => mix.demand_web,
            Stream::Open311 => mix.open311,
        }
    }

    /// Volume on a day relative to an ordinary weekday.
    pub(super) fn day_factor(self, day: &Day) -> f64 {
        let monday = day.date.weekday() == Weekday::Mon;
        let base = match (self, day.kind) {
            (Stream::Patrol, DayKind::Working) => {
                if monday {
                    1.1
                } else {
                    1.0
                }
            }
            (Stream::Patrol, DayKind::Weekend) => 0.45,
            (Stream::Patrol, DayKind::Holiday) => 0.3,
            (Stream::Device, _) => 1.0,
            (Stream::Hotline | Stream::EventPhone, DayKind::Working) => {
                if monday {
                    1.15
                } else {
                    1.0
                }
            }
            (Stream::Hotline | Stream::EventPhone, DayKind::Weekend) => 0.85,
            (Stream::Hotline | Stream::EventPhone, DayKind::Holiday) => 0.75,
            (_, DayKind::Working) => 1.0,
            (_, DayKind::Weekend) => 1.1,
            (_, DayKind::Holiday) => 0.9,
        };
        // The first week of the Spring Festival is quiet in the streets.
        let festival = if day.festival_week && self == Stream::Patrol { 0.6 } else { 1.0 };
        base * festival
    }

    pub(super) fn column(self) -> usize {
        match self {
            Stream::Patrol => 0,
            Stream::Device => 2,
            _ => 1,
        }
    }
}

// Reports per hour of the day (local), by profile.
const H_PATROL: [f64; 24] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.5, 1.8, 3.2, 3.4, 3.0, 0.9, 0.8, 2.6, 3.0, 3.0, 2.2, 0.6, 0.3, 0.1, 0.0, 0.0,
    0.0,
];
const H_HOTLINE: [f64; 24] = [
    0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.7, 1.8, 3.2, 4.0, 4.1, 3.6, 2.6, 2.8, 3.5, 3.6, 3.4, 3.0, 2.6, 2.7, 2.8, 2.4,
    1.7, 1.0,
];
const H_NIGHT: [f64; 24] = [
    2.0, 1.5, 0.8, 0.4, 0.3, 0.4, 0.8, 1.0, 1.2, 1.4, 1.4, 1.3, 1.2, 1.5, 1.5, 1.4, 1.4, 1.6, 2.4, 3.2, 4.0, 4.6, 4.4,
    3.2,
];
const H_DEVICE: [f64; 24] = [
    0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1.2, 2.2, 2.8, 3.0, 3.0, 3.0, 2.8, 2.8, 2.8, 2.8, 2.8, 2.6, 2.4, 2.0, 1.5, 1.0, 0.6,
    0.4,
];
const H_WEB: [f64; 24] = [
    0.8, 0.4, 0.2, 0.1, 0.1, 0.2, 0.6, 1.4, 2.2, 2.8, 2.8, 2.6, 2.4, 2.4, 2.6, 2.6, 2.6, 2.6, 2.6, 3.0, 3.4, 3.4, 2.6,
    1.6,
];

/// The hour profiles as cumulative weights, in the order `report_time` uses them.
pub(super) fn hour_profiles() -> [Vec<f64>; 5] {
    [H_PATROL, H_HOTLINE, H_NIGHT, H_DEVICE, H_WEB].map(|h| cumulative(&h))
}

pub(super) struct Pending {
    pub(super) at: DateTime<Utc>,
    pub(super) stream: Stream,
    pub(super) ty: usize,
    pub(super) grid: usize,
}

impl World<'_> {
    /// Cases per stream and day: shares of the total, spread by each day's volume, rounded so
    /// that the total is exact.
    pub(super) fn allot(&self, cfg: &HistoryConfig, rng: &mut ChaCha8Rng) -> Vec<Vec<usize>> {
        let mix_total: f64 = STREAMS.iter().map(|s| s.share(&cfg.mix).max(0.0)).sum();
        let shares: Vec<f64> = STREAMS
            .iter()
            .map(|s| if mix_total > 0.0 { s.share(&cfg.mix).max(0.0) / mix_total * cfg.cases as f64 } else { 0.0 })
            .collect();
        let totals = round_to(&shares, cfg.cases);
        let mut buf = Vec::new();
        let base_sums: Vec<f64> = (0..3).map(|c| self.types.iter().map(|t| t.w[c]).sum::<f64>()).collect();
        STREAMS
            .iter()
            .zip(totals)
            .map(|(&s, total)| {
                let raw: Vec<f64> = self
                    .days
                    .iter()
                    .map(|d| {
                        let seasonal = self.type_weights(s, d, &mut buf) / base_sums[s.column()].max(1e-9);
                        s.day_factor(d) * seasonal * (0.12 * normal(rng)).exp()
                    })
                    .collect();
                let sum: f64 = raw.iter().sum();
                let scale = if sum > 0.0 { total as f64 / sum } else { 0.0 };
                let expected: Vec<f64> = raw.into_iter().map(|r| r * scale).collect();
                if sum > 0.0 { round_to(&expected, total) } else { vec![0; expected.len()] }
            })
            .collect()
    }

    pub(super) fn report_time(
        &self,
        day: &Day,
        stream: Stream,
        ty: usize,
        end: DateTime<Utc>,
        rng: &mut ChaCha8Rng,
    ) -> DateTime<Utc> {
        let t = &self.types[ty];
        let profile = match stream {
            Stream::Patrol => 0,
            Stream::Device => 3,
            _ if t.night => 2,
            Stream::Hotline | Stream::EventPhone => 1,
            _ => 4,
        };
        for _ in 0..8 {
            let hour = pick(&self.hours[profile], rng) as i64;
            let at = day.start + Duration::seconds(hour * 3600 + rng.random_range(0..3600));
            if at < end {
                return at;
            }
        }
        (end - Duration::minutes(rng.random_range(1..60))).max(day.start)
    }
}

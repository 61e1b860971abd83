//! Who is knocking: the client address that rate limits, login lockouts and the connection cap
//! count by. Behind a reverse proxy (TLS ends there in a real deployment) the TCP peer is the
//! proxy, so for peers listed as trusted proxies the client is the nearest untrusted address of
//! `X-Forwarded-For`; an IPv6 client counts by its /64 (one subscriber's prefix), not by each of
//! its addresses.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::http::HeaderMap;

/// The client address as counted: the peer's, or for a trusted proxy the nearest untrusted
/// address it forwarded; `local` when there is no peer (requests made in-process).
pub fn client_address(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> String {
    let Some(peer) = peer else { return "local".into() };
    let mut ip = canonical(peer.ip());
    if trusted.contains(&ip) {
        // Each proxy appends the address it heard from: read from the right, past our proxies.
        let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        let hops: Vec<IpAddr> = forwarded
            .flat_map(|v| v.split(','))
            .filter_map(|h| h.trim().parse::<IpAddr>().ok())
            .map(canonical)
            .collect();
        if let Some(client) = hops.iter().rev().find(|h| !trusted.contains(h)) {
            ip = *client;
        }
    }
    bucket(ip)
}

/// Whether the peer is one of the trusted proxies (not capped: all clients come through it).
pub fn is_trusted(peer: IpAddr, trusted: &[IpAddr]) -> bool {
    trusted.contains(&canonical(peer))
}

/// An IPv4-mapped IPv6 address as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The key an address counts under: IPv4 as it is, IPv6 by its /64.
pub fn bucket(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// A client's key widened to the /48 an IPv6 site is given (IPv4 and other keys as they are):
/// where guesses are counted, so that the 65,536 /64s of one cheap allocation count as one.
pub fn site(client: &str) -> String {
    match client.strip_suffix("/64").and_then(|a| a.parse::<Ipv6Addr>().ok()) {
        Some(v6) => {
            let s = v6.segments();
            format!("{}/48", Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
        }
        None => client.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_site_counts_as_one_for_guesses() {
        let a = bucket("2001:db8:1:2::9".parse().unwrap());
        let b = bucket("2001:db8:1:ffff::1".parse().unwrap());
        assert_ne!(a, b, "two /64s are two clients for logins and reports");
        assert_eq!((site(&a), site(&b)), ("2001:db8:1::/48".to_string(), "2001:db8:1::/48".to_string()));
        assert_eq!(site("203.0.113.9"), "203.0.113.9");
        assert_eq!(site("local"), "local");
    }

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn behind_a_trusted_proxy_the_client_is_the_forwarded_address() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let peer = Some(SocketAddr::new(proxy, 40000));
        assert_eq!(client_address(peer, &headers("203.0.113.9"), &[proxy]), "203.0.113.9");
        // A client cannot pretend: what it wrote itself stands left of what the proxy appended.
        assert_eq!(client_address(peer, &headers("1.2.3.4, 203.0.113.9"), &[proxy]), "203.0.113.9");
        // An untrusted peer's header is ignored.
        let stranger = Some(SocketAddr::new("198.51.100.7".parse().unwrap(), 1));
        assert_eq!(client_address(stranger, &headers("1.2.3.4"), &[proxy]), "198.51.100.7");
        assert_eq!(client_address(None, &HeaderMap::new(), &[]), "local");
    }

    #[test]
    fn ipv6_counts_by_its_slash_64() {
        let a = SocketAddr::new("2001:db8:1:2:aaaa::1".parse().unwrap(), 1);
        let b = SocketAddr::new("2001:db8:1:2:bbbb::9".parse().unwrap(), 1);
        assert_eq!(client_address(Some(a), &HeaderMap::new(), &[]), client_address(Some(b), &HeaderMap::new(), &[]));
        assert_eq!(bucket("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}

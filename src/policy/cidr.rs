//! A tiny CIDR matcher over `std::net`, for the `source_ip` criterion.

use std::fmt;
use std::net::IpAddr;

/// An address range: a network address and a prefix length, and the range as the policy wrote
/// it (what explanations quote: no address is formatted again, which would link the standard
/// library's IPv6 formatting into the module for that alone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cidr {
    network: IpAddr,
    prefix: u8,
    text: Box<str>,
}

impl Cidr {
    /// Parses `10.0.0.0/8`, `2001:db8::/32` or a single address (a /32 or /128). As with Go's
    /// `net.ParseCIDR`, host bits in a range are ignored (`10.1.2.3/8` is `10.0.0.0/8`). As
    /// Go's `IPNet.Contains` (which Pomerium's `source_ip` uses) reads them, an IPv4-mapped
    /// range of prefix 96 or more (`::ffff:10.0.0.0/104`, `::ffff:1.2.3.4`) is the IPv4 range
    /// (`10.0.0.0/8`, `1.2.3.4/32`).
    pub(crate) fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, bits)) => {
                if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) || bits.len() > 3 {
                    return None;
                }
                (addr.parse::<IpAddr>().ok()?, Some(bits.parse::<u8>().ok()?))
            }
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        let (addr, prefix) = match addr {
            IpAddr::V6(v6) if prefix >= 96 => match v6.to_ipv4_mapped() {
                Some(v4) => (IpAddr::V4(v4), prefix - 96),
                None => (addr, prefix),
            },
            _ => (addr, prefix),
        };
        Some(Cidr {
            network: mask(addr, prefix),
            prefix,
            text: text.into(),
        })
    }

    /// Whether `ip` lies in the range. An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) counts
    /// as the IPv4 address.
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        match (self.network, ip) {
            (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
                mask(ip, self.prefix) == self.network
            }
            _ => false,
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn mask(ip: IpAddr, prefix: u8) -> IpAddr {
    // INVARIANT: `prefix` is at most the family's width (checked in `parse`, and `contains`
    // masks only an address of the range's own family), so the subtractions cannot underflow.
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let m = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let m = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            IpAddr::V6((bits & m).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn ranges_and_single_addresses() {
        let cases = [
            ("10.0.0.0/8", "10.200.1.1", true),
            ("10.0.0.0/8", "11.0.0.1", false),
            ("10.1.2.3/8", "10.9.9.9", true),
            ("192.168.1.7", "192.168.1.7", true),
            ("192.168.1.7", "192.168.1.8", false),
            ("0.0.0.0/0", "8.8.8.8", true),
            ("2001:db8::/32", "2001:db8:1::1", true),
            ("2001:db8::/32", "2001:db9::1", false),
            ("::1", "::1", true),
            ("10.0.0.0/8", "::ffff:10.0.0.1", true),
            ("10.0.0.0/8", "2001:db8::1", false),
            ("::/0", "10.0.0.1", false),
            // IPv4-mapped ranges are IPv4 ranges, as Go's IPNet reads them (Pomerium's own
            // tests: `::ffff:10.0.0.0/104` holds 10.1.2.3, `::ffff:1.2.3.4` holds 1.2.3.4).
            ("::ffff:10.0.0.0/104", "10.1.2.3", true),
            ("::ffff:10.0.0.0/104", "::ffff:10.1.2.3", true),
            ("::ffff:10.0.0.0/104", "11.1.2.3", false),
            ("::ffff:1.2.3.4", "1.2.3.4", true),
            ("::ffff:1.2.3.4", "1.2.3.5", false),
            ("::ffff:0.0.0.0/96", "8.8.8.8", true),
            ("::ffff:0.0.0.0/96", "2001:db8::1", false),
        ];
        for (range, addr, want) in cases {
            let cidr = Cidr::parse(range);
            assert!(cidr.is_some(), "{range} parses");
            assert_eq!(
                cidr.is_some_and(|c| c.contains(ip(addr))),
                want,
                "{range} contains {addr}"
            );
        }
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "host",
            "",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }
}

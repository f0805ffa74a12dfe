//! Random identifiers: account uids (UUIDv4), token ids and OpenShift-style secret names.

use rand::{Rng, RngCore};

/// The characters Kubernetes uses for generated name suffixes (lower-case letters and digits
/// without vowels and look-alikes, so no word or ambiguous character appears by chance).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A random UUID, version 4 (RFC 9562), lower-case.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `n` random characters of Kubernetes' name-suffix alphabet.
pub fn suffix(n: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..n)
        .map(|_| char::from(SUFFIX_ALPHABET[rng.gen_range(0..SUFFIX_ALPHABET.len())]))
        .collect()
}

/// A new token secret name for `account`, as OpenShift names them:
/// `<account>-token-<5 characters>`, different from every name in `taken`.
pub fn secret_name<'a>(account: &str, taken: impl Fn(&str) -> bool + 'a) -> String {
    loop {
        let name = format!("{account}-token-{}", suffix(5));
        if !taken(&name) {
            return name;
        }
    }
}

/// A key id: `<issuer>-<8 random hex digits>`.
pub fn key_id(issuer: &str) -> String {
    let mut b = [0u8; 4];
    rand::thread_rng().fill_bytes(&mut b);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{issuer}-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let u = uuid_v4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
        assert_ne!(u, uuid_v4());
    }

    #[test]
    fn secret_names_follow_openshift() {
        let name = secret_name("robot", |_| false);
        let (account, rest) = name.split_once("-token-").unwrap();
        assert_eq!(account, "robot");
        assert_eq!(rest.len(), 5);
        assert!(rest.bytes().all(|b| SUFFIX_ALPHABET.contains(&b)));
    }
}

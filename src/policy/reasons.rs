//! Reason codes: Pomerium's own (`pkg/policy/criteria/reasons.go`) and tessera's, in the same
//! style (`<criterion>-ok`, `<criterion>-unauthorized`).

/// `accept` matched.
pub const ACCEPT: &str = "accept";
/// `reject` (never matches).
pub const REJECT: &str = "reject";
/// A `claim/<path>` criterion matched.
pub const CLAIM_OK: &str = "claim-ok";
/// A `claim/<path>` criterion did not match.
pub const CLAIM_UNAUTHORIZED: &str = "claim-unauthorized";
/// `domain` matched.
pub const DOMAIN_OK: &str = "domain-ok";
/// `domain` did not match.
pub const DOMAIN_UNAUTHORIZED: &str = "domain-unauthorized";
/// `email` matched.
pub const EMAIL_OK: &str = "email-ok";
/// `email` did not match.
pub const EMAIL_UNAUTHORIZED: &str = "email-unauthorized";
/// `groups` matched.
pub const GROUPS_OK: &str = "groups-ok";
/// `groups` did not match.
pub const GROUPS_UNAUTHORIZED: &str = "groups-unauthorized";
/// `http_method` matched.
pub const HTTP_METHOD_OK: &str = "http-method-ok";
/// `http_method` did not match.
pub const HTTP_METHOD_UNAUTHORIZED: &str = "http-method-unauthorized";
/// `http_path` matched.
pub const HTTP_PATH_OK: &str = "http-path-ok";
/// `http_path` did not match.
pub const HTTP_PATH_UNAUTHORIZED: &str = "http-path-unauthorized";
/// `source_ip` matched.
pub const SOURCE_IP_OK: &str = "source-ip-ok";
/// `source_ip` did not match.
pub const SOURCE_IP_UNAUTHORIZED: &str = "source-ip-unauthorized";
/// The route's policy reads `source_ip` and the request gave no client address: denied
/// (tessera's code).
pub const SOURCE_IP_UNKNOWN: &str = "source-ip-unknown";
/// `user` or `authenticated_user` matched.
pub const USER_OK: &str = "user-ok";
/// `user` or `authenticated_user` did not match.
pub const USER_UNAUTHORIZED: &str = "user-unauthorized";
/// A criterion needed an identity and none was presented (Pomerium: the user must sign in).
pub const USER_UNAUTHENTICATED: &str = "user-unauthenticated";
/// `date` matched (Pomerium Enterprise has no published code; tessera's).
pub const DATE_OK: &str = "date-ok";
/// `date` did not match.
pub const DATE_UNAUTHORIZED: &str = "date-unauthorized";
/// `day_of_week` matched (tessera's code).
pub const DAY_OF_WEEK_OK: &str = "day-of-week-ok";
/// `day_of_week` did not match.
pub const DAY_OF_WEEK_UNAUTHORIZED: &str = "day-of-week-unauthorized";
/// `time_of_day` matched (tessera's code).
pub const TIME_OF_DAY_OK: &str = "time-of-day-ok";
/// `time_of_day` did not match.
pub const TIME_OF_DAY_UNAUTHORIZED: &str = "time-of-day-unauthorized";
/// `namespace` matched (tessera's criterion).
pub const NAMESPACE_OK: &str = "namespace-ok";
/// `namespace` did not match.
pub const NAMESPACE_UNAUTHORIZED: &str = "namespace-unauthorized";
/// `service_account` matched (tessera's criterion).
pub const SERVICE_ACCOUNT_OK: &str = "service-account-ok";
/// `service_account` did not match.
pub const SERVICE_ACCOUNT_UNAUTHORIZED: &str = "service-account-unauthorized";
/// `role` matched (tessera's criterion).
pub const ROLE_OK: &str = "role-ok";
/// `role` did not match.
pub const ROLE_UNAUTHORIZED: &str = "role-unauthorized";

/// The policy has no allow rule, so it allows nothing. Pomerium gives no reason; the engine
/// adds this one to such a decision, so that every denial names one (tessera's code).
pub const NO_ALLOW_RULE: &str = "no-allow-rule";

/// The identity's account lives outside the route's namespace and its ancestors, so it may not
/// use the route (DESIGN 1.1; tessera's code).
pub const ROUTE_NAMESPACE_UNAUTHORIZED: &str = "route-namespace-unauthorized";

/// A set of reason codes, sorted (as Pomerium's `Reasons.Strings()` returns them). A decision
/// has a handful at most, so a sorted vector: a `BTreeSet` cost the wasm module its tree code
/// and a stable sort for `&str`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Reasons(Vec<&'static str>);

impl Reasons {
    /// No reason.
    pub(crate) fn new() -> Reasons {
        Reasons(Vec::new())
    }

    /// Adds a reason, unless it is there already.
    pub(crate) fn insert(&mut self, reason: &'static str) {
        if let Err(at) = self.0.binary_search(&reason) {
            self.0.insert(at, reason);
        }
    }

    /// Whether the set holds `reason`.
    pub(crate) fn contains(&self, reason: &'static str) -> bool {
        self.0.contains(&reason)
    }

    /// The reasons, in order.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, &'static str> {
        self.0.iter()
    }
}

impl<const N: usize> From<[&'static str; N]> for Reasons {
    fn from(reasons: [&'static str; N]) -> Reasons {
        reasons.into_iter().collect()
    }
}

impl FromIterator<&'static str> for Reasons {
    fn from_iter<I: IntoIterator<Item = &'static str>>(reasons: I) -> Reasons {
        let mut set = Reasons::new();
        set.extend(reasons);
        set
    }
}

impl Extend<&'static str> for Reasons {
    fn extend<I: IntoIterator<Item = &'static str>>(&mut self, reasons: I) {
        for reason in reasons {
            self.insert(reason);
        }
    }
}

impl IntoIterator for Reasons {
    type Item = &'static str;
    type IntoIter = std::vec::IntoIter<&'static str>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

//! Vocabulary for generated titles, messages and descriptions, by repository domain.

use bosun_core::Rng;

const VERBS: &[&str] = &[
    "Add", "Fix", "Refactor", "Improve", "Remove", "Support", "Migrate", "Harden", "Speed up",
    "Simplify", "Document", "Validate", "Cache", "Retry", "Log",
];

fn subjects(repo: &str) -> &'static [&'static str] {
    let base = repo.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
    match base {
        "harbor-gateway" => &[
            "rate limiter buckets",
            "request signing",
            "upstream timeouts",
            "route table reload",
            "TLS session cache",
            "per-tenant quotas",
            "circuit breaker",
            "access logs",
            "header normalisation",
            "gRPC passthrough",
            "health checks",
            "canary routing",
        ],
        "harbor-auth" => &[
            "OIDC discovery",
            "API key rotation",
            "session expiry",
            "token signing keys",
            "refresh token reuse detection",
            "SCIM provisioning",
            "MFA enrolment",
            "service tokens",
            "password reset flow",
            "audit events",
        ],
        "compass-payments" => &[
            "payment intents",
            "card retries",
            "refund ledger",
            "3-D Secure challenge",
            "idempotency keys",
            "bank transfer matching",
            "currency rounding",
            "chargeback webhooks",
            "payout batching",
            "fraud scoring hook",
        ],
        "compass-billing" => &[
            "invoice PDFs",
            "credit notes",
            "monthly billing run",
            "tax lines",
            "dunning emails",
            "usage aggregation",
            "proration",
            "invoice numbering",
            "VAT validation",
        ],
        "lighthouse-web" => &[
            "booking form",
            "shipment tracker",
            "quote comparison table",
            "design-system buttons",
            "address autocomplete",
            "dark mode",
            "dashboard charts",
            "i18n strings",
            "upload widget",
            "error boundary",
            "accessibility labels",
        ],
        "lighthouse-bff" => &[
            "GraphQL schema",
            "shipment resolvers",
            "pagination cursors",
            "response caching",
            "mobile session handling",
            "quote aggregation",
            "push notification hooks",
            "field deprecations",
            "dataloader batching",
        ],
        "lighthouse-mobile" => &[
            "offline booking drafts",
            "push notification opt-in",
            "shipment map",
            "biometric login",
            "deep links",
            "crash reporting",
            "photo upload for proof of delivery",
            "accessibility labels",
            "dark mode",
        ],
        _ => &[
            "configuration",
            "error handling",
            "tests",
            "metrics",
            "logging",
            "documentation",
        ],
    }
}

pub fn pr_title(rng: &mut Rng, repo: &str) -> String {
    format!("{} {}", rng.pick(VERBS), rng.pick(subjects(repo)))
}

pub fn ticket_summary(rng: &mut Rng, repo: &str, issue_type: &str) -> String {
    let subject = rng.pick(subjects(repo));
    match issue_type {
        "Bug" => format!(
            "{} {}",
            rng.pick(&[
                "Intermittent failure in",
                "Wrong totals from",
                "Crash in",
                "Timeout in",
                "Regression in"
            ]),
            subject
        ),
        "Tech Debt" => format!(
            "{} {}",
            rng.pick(&["Clean up", "Upgrade", "Remove legacy", "Consolidate"]),
            subject
        ),
        "Risk" => format!(
            "{} {}",
            rng.pick(&["Assess risk of", "Load-test", "Security review of"]),
            subject
        ),
        _ => format!("{} {}", rng.pick(VERBS), subject),
    }
}

pub fn file_path(rng: &mut Rng, repo: &str) -> String {
    let dir = rng.pick(repo_dirs(repo));
    file_in(rng, repo, dir)
}

/// The folders of `repo`'s code, the busiest first.
pub fn repo_dirs(repo: &str) -> &'static [&'static str] {
    let base = repo.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
    match base {
        "harbor-gateway" => &[
            "internal/ratelimit",
            "internal/proxy",
            "internal/routes",
            "deploy",
            "cmd/gateway",
            "docs",
        ],
        "harbor-auth" => &["pkg/oidc", "pkg/apikeys", "pkg/session", "cmd/auth"],
        "compass-payments" => &[
            "src/refunds",
            "src/ledger",
            "src/intents",
            "migrations",
            "src/webhooks",
        ],
        "compass-billing" => &["src/invoices", "src/run", "src/tax"],
        "lighthouse-web" => &[
            "src/booking",
            "src/design-system",
            "src/tracking",
            "src/app",
        ],
        "lighthouse-bff" => &["src/graphql", "src/resolvers", "src/cache"],
        "lighthouse-mobile" => &[
            "shared/src/booking",
            "shared/src/tracking",
            "androidApp/src",
            "iosApp/Sources",
        ],
        _ => &["src"],
    }
}

/// A file of `repo` in `dir`.
pub fn file_in(rng: &mut Rng, repo: &str, dir: &str) -> String {
    let base = repo.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
    let files = [
        "handler", "service", "client", "model", "config", "util", "store", "api",
    ];
    let ext = match base {
        "harbor-gateway" | "harbor-auth" => "go",
        "compass-payments" | "compass-billing" | "lighthouse-mobile" => "kt",
        _ => "ts",
    };
    format!("{dir}/{}.{ext}", rng.pick(&files))
}

pub fn review_comment(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "Can we add a test for the empty case?",
        "This allocates on every request; could we hoist it?",
        "Nit: naming — `cfg` is ambiguous here.",
        "What happens if the upstream returns a 429?",
        "Should this be behind the feature flag?",
        "I think this needs a migration for existing rows.",
        "Please log the request id here.",
        "Is this safe to retry?",
        "Could you split this into two PRs?",
        "Let's document this in the runbook.",
    ])
}

pub fn reply_comment(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "Good catch, fixed.",
        "Done.",
        "Added a test.",
        "I'd rather do that in a follow-up.",
        "Updated, thanks!",
    ])
}

pub fn approval_body(rng: &mut Rng) -> &'static str {
    rng.pick(&[
        "LGTM",
        "Looks good, thanks!",
        "Ship it.",
        "Nice cleanup.",
        "Approved with one nit.",
        "",
    ])
}

pub fn incident_noise_title(rng: &mut Rng, service: &str) -> String {
    format!(
        "{} {}",
        rng.pick(&[
            "High latency on",
            "Disk usage above 85% on",
            "Elevated 5xx on",
            "Queue backlog growing on",
            "Certificate expiring soon on"
        ]),
        service
    )
}

pub fn sprint_goal(rng: &mut Rng, team: &str) -> String {
    let g = rng.pick(&[
        "Ship the quote comparison beta",
        "Cut p95 latency by 20%",
        "Finish the refund ledger migration",
        "Harden authentication for the enterprise launch",
        "Close out the billing-run reliability work",
        "Prepare the mobile session rework",
        "Reduce on-call noise",
    ]);
    format!("{team}: {g}")
}

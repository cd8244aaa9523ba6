//! The doc-drift ground truth (docs/onboarding.md). A local repository marked `tooling = true`
//! starts with scripts, config files, API routes and a Makefile; four commits on its main line
//! later rename the iOS set-up script, remove the Android release script with its make target,
//! rename the API URL variable, and move the quotes endpoint to v2 with a configuration key
//! renamed; a fifth takes `--fix` from the lint script, which stays. The handbook's set-up guide still names the old ones in its mobile
//! section ([`DOC`]), beside names that still exist — so a drift detector must find exactly
//! [`PLANTED`] there and nothing anywhere else.

use crate::world::{FileOp, LocalCommit};

/// The handbook document (relative to `demo/docs`) that names the planted stale references.
pub const DOC: &str = "onboarding/dev-environment-setup.md";

/// What goes stale, as the document writes it: (name, kind — `path`, `env_var`, `make_target`,
/// `endpoint`, `config_key` or `script_option` (written `script --option`) —, what it became
/// when renamed).
pub const PLANTED: [(&str, &str, Option<&str>); 7] = [
    (
        "scripts/bootstrap-ios.sh",
        "path",
        Some("scripts/setup-ios.sh"),
    ),
    ("scripts/release-android.sh", "path", None),
    ("MOBILE_API_URL", "env_var", Some("MOBILE_API_BASE_URL")),
    ("beta", "make_target", None),
    ("/v1/quotes", "endpoint", Some("/v2/quotes")),
    ("api.retries", "config_key", Some("api.max_retries")),
    ("scripts/lint.sh --fix", "script_option", None),
];

/// What the document names that still exists at HEAD (it must not be flagged).
pub const STILL_THERE: [&str; 7] = [
    "scripts/lint.sh",
    "MOBILE_SENTRY_DSN",
    "test",
    "config/mobile.env",
    "/v1/bookings",
    "api.timeout_ms",
    "config/app.yaml",
];

const BOOTSTRAP: &str = "#!/bin/sh\n# Sets up a Mac for the iOS app: Xcode command line tools, CocoaPods, signing.\nset -eu\nxcode-select --install || true\nbundle exec pod install --project-directory=iosApp\n";
const RELEASE_ANDROID: &str = "#!/bin/sh\n# Builds and uploads the Android app to the Play Console track given.\nset -eu\n./gradlew :androidApp:bundleRelease\nbundle exec fastlane supply --track \"${1:-internal}\"\n";
const ROUTES_V1: &str = "package app.tidewater.api\n\nconst val QUOTES = \"/v1/quotes\"\nconst val BOOKINGS = \"/v1/bookings\"\n";
const ROUTES_V2: &str = "package app.tidewater.api\n\nconst val QUOTES = \"/v2/quotes\"\nconst val BOOKINGS = \"/v1/bookings\"\n";
const LINT_FIX: &str = "#!/bin/sh\n# Runs the linters; --fix lets ktlint correct what it can.\nset -eu\nif [ \"${1:-}\" = \"--fix\" ]; then ./gradlew ktlintFormat; fi\n./gradlew ktlintCheck detekt\n";
const LINT: &str = "#!/bin/sh\nset -eu\n./gradlew ktlintCheck detekt\n";

fn env(api_var: &str) -> String {
    format!(
        "# The mobile app's build settings.\n{api_var}=https://api.tidewater.dev\nMOBILE_SENTRY_DSN=\nMOBILE_FLAGS_URL=https://flags.tidewater.dev\n"
    )
}

fn app_yaml(retries: &str) -> String {
    format!("api:\n  base_url: https://api.tidewater.dev\n  timeout_ms: 3000\n  {retries}: 2\n")
}

fn makefile(with_beta: bool) -> String {
    let mut m = String::from("test:\n\t./gradlew test\n\nlint:\n\t./scripts/lint.sh\n");
    if with_beta {
        m.push_str("\nbeta:\n\t./scripts/release-android.sh beta\n");
    }
    m
}

fn write(path: &str, content: impl Into<String>) -> FileOp {
    FileOp::Write {
        path: path.into(),
        content: content.into(),
    }
}

/// Plant the tooling history in `commits` (oldest first; the first is the initial commit):
/// the tools in the first commit, and the four changes on main-line commits about half, two
/// thirds, four fifths and nine tenths of the way through, whose messages say what they did.
pub fn plant(commits: &mut [LocalCommit]) {
    let n = commits.len();
    if n < 10 {
        return;
    }
    commits[0].ops = vec![
        write("scripts/bootstrap-ios.sh", BOOTSTRAP),
        write("scripts/release-android.sh", RELEASE_ANDROID),
        write("scripts/lint.sh", LINT_FIX),
        write("config/mobile.env", env("MOBILE_API_URL")),
        write("Makefile", makefile(true)),
        write("config/app.yaml", app_yaml("retries")),
        write("shared/src/api/Routes.kt", ROUTES_V1),
    ];
    let changes: [(usize, &str, Vec<FileOp>); 5] = [
        (
            n / 2,
            "Rename the iOS bootstrap script to setup-ios.sh",
            vec![FileOp::Rename {
                from: "scripts/bootstrap-ios.sh".into(),
                to: "scripts/setup-ios.sh".into(),
            }],
        ),
        (
            n * 2 / 3,
            "Release Android from CI only: remove release-android.sh and make beta",
            vec![
                FileOp::Delete {
                    path: "scripts/release-android.sh".into(),
                },
                write("Makefile", makefile(false)),
            ],
        ),
        (
            n * 4 / 5,
            "Rename MOBILE_API_URL to MOBILE_API_BASE_URL",
            vec![write("config/mobile.env", env("MOBILE_API_BASE_URL"))],
        ),
        (
            n * 9 / 10,
            "Quotes API v2, and retries is max_retries",
            vec![
                write("shared/src/api/Routes.kt", ROUTES_V2),
                write("config/app.yaml", app_yaml("max_retries")),
            ],
        ),
        (
            n * 19 / 20,
            "Formatting runs in the pre-commit hook: lint.sh only checks",
            vec![write("scripts/lint.sh", LINT)],
        ),
    ];
    // The main line: HEAD (the last commit) and its first parents.
    let mut main = vec![false; n];
    let mut c = n - 1;
    loop {
        main[c] = true;
        match commits[c].parents.first() {
            Some(&p) => c = p,
            None => break,
        }
    }
    for (at, message, ops) in changes {
        // The nearest ordinary main-line commit at or after `at`.
        let Some(i) = (at..n)
            .find(|&i| main[i] && commits[i].parents.len() == 1 && commits[i].ops.is_empty())
        else {
            continue;
        };
        commits[i].message = message.to_string();
        commits[i].ops = ops;
    }
}

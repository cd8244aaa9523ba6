//! Links to the records behind each statement: the provider's page when the record has one, else a
//! `bosun://<kind>/<store id>` deep link that opens it in the app. A provider's page is used only
//! when it is an `http(s)` URL ([`bosun_core::is_web_url`]): a `javascript:` or `data:` URL in a
//! payload becomes the app link instead.

use crate::input::{Input, PrivateNote};
use crate::note::Link;
use bosun_metrics::data::{Incident, PullRequest, Sprint, Ticket};
use bosun_signals::Signal;

/// The provider's page, when it is an http(s) URL.
fn web(url: &Option<String>) -> Option<String> {
    url.clone().filter(|u| bosun_core::is_web_url(u))
}

/// A pull request: its page, else its place in the app.
pub fn pr(input: &Input<'_>, pr: &PullRequest) -> Link {
    let label = input.pr_ref(pr);
    match input.extra.prs.get(&pr.id).and_then(|x| web(&x.html_url)) {
        Some(url) => Link::new(label, url),
        None => Link::app(label, "pull_request", pr.id),
    }
}

/// A review's page (its anchor in the PR), else the PR.
pub fn review(input: &Input<'_>, p: &PullRequest, reviewer: i64, at: i64) -> Link {
    match input
        .more
        .review_urls
        .get(&(p.id, reviewer, at))
        .filter(|u| bosun_core::is_web_url(u))
    {
        Some(url) => Link::new(format!("review of {}", input.pr_ref(p)), url.clone()),
        None => pr(input, p),
    }
}

/// A ticket: its page, else its place in the app.
pub fn ticket(input: &Input<'_>, t: &Ticket) -> Link {
    match input
        .extra
        .tickets
        .get(&t.id)
        .and_then(|x| web(&x.html_url))
    {
        Some(url) => Link::new(t.key.clone(), url),
        None => Link::app(t.key.clone(), "ticket", t.id),
    }
}

/// An incident: its page, else its place in the app.
pub fn incident(input: &Input<'_>, i: &Incident) -> Link {
    let x = input.extra.incidents.get(&i.id);
    let label = match x.and_then(|x| x.number) {
        Some(n) => format!("incident #{n}"),
        None => format!("incident {}", i.external_id),
    };
    match x.and_then(|x| web(&x.html_url)) {
        Some(url) => Link::new(label, url),
        None => Link::app(label, "incident", i.id),
    }
}

/// A sprint, in the app.
pub fn sprint(s: &Sprint) -> Link {
    Link::app(s.name.clone(), "sprint", s.id)
}

/// A person, in the app.
pub fn person(input: &Input<'_>, id: i64) -> Link {
    Link::app(input.name(Some(id)), "person", id)
}

/// A private note, in the app.
pub fn private_note(n: &PrivateNote) -> Link {
    Link::app(format!("note {}", n.id), "private_note", n.id)
}

/// The evidence of a signal that has an address (records without one are named in the text).
pub fn signal(s: &Signal) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::new();
    if let Some(url) = &s.subject.url {
        out.push(Link::new(s.subject.reference.clone(), url.clone()));
    }
    for e in &s.evidence {
        if let Some(url) = &e.url
            && !out.iter().any(|l| &l.url == url)
        {
            out.push(Link::new(e.reference.clone(), url.clone()));
        }
    }
    out
}

# The team's working agreements. Each broken one becomes a `working_agreement` signal.
#
# This file is yours: change the numbers, delete a rule, or add your own (give it a `rule` name;
# `severity` is low, medium or high). If it stops compiling, Bosun says where and keeps using the
# last version that compiled.
#
# Bosun asks for `violations` with this input (open PRs, and PRs merged and production
# deployments of the last 7 days):
#   input.pull_requests  [{ref, short, title, branch, body, size, approvals, merged, bot, team}]
#   input.deployments    [{ref, repo, environment, production, local_weekday (0 = Monday),
#                          local_minutes, local_time, team}]
package bosun.agreements

# PRs with more changed lines than this need two approving reviewers.
two_reviewer_lines := 400

# How a ticket is named in a PR's title, branch or description.
ticket_pattern := `\b[A-Z][A-Z0-9]{1,9}-[0-9]+\b`

# No production deployments on Friday from this local time (team time, minutes after midnight).
friday_cutoff := 720

violations contains v if {
	some pr in input.pull_requests
	pr.merged
	pr.size > two_reviewer_lines
	pr.approvals < 2
	v := {
		"rule": "two_reviewers",
		"subject_kind": "pull_request",
		"subject_ref": pr.ref,
		"severity": "medium",
		"why": sprintf("%s changed %d lines and was merged with %d approving reviewer(s); PRs over %d lines need two.", [pr.short, pr.size, pr.approvals, two_reviewer_lines]),
	}
}

violations contains v if {
	some pr in input.pull_requests
	not pr.merged
	pr.size > two_reviewer_lines
	pr.approvals == 1
	v := {
		"rule": "two_reviewers",
		"subject_kind": "pull_request",
		"subject_ref": pr.ref,
		"severity": "low",
		"why": sprintf("%s changes %d lines and has one approval; PRs over %d lines need a second reviewer before merging.", [pr.short, pr.size, two_reviewer_lines]),
		"suggest": "second_reviewer",
	}
}

violations contains v if {
	some pr in input.pull_requests
	not pr.bot
	not regex.match(ticket_pattern, concat(" ", [pr.title, pr.branch, pr.body]))
	v := {
		"rule": "ticket_link",
		"subject_kind": "pull_request",
		"subject_ref": pr.ref,
		"severity": "low",
		"why": sprintf("%s links no ticket: none is named in its title, branch or description.", [pr.short]),
		"suggest": "ask_for_ticket",
	}
}

violations contains v if {
	some d in input.deployments
	d.production
	d.local_weekday == 4
	d.local_minutes >= friday_cutoff
	v := {
		"rule": "no_friday_afternoon_deploys",
		"subject_kind": "deployment",
		"subject_ref": d.ref,
		"severity": "medium",
		"why": sprintf("%s was deployed to %s on a Friday at %s team time; the team agreed on no production deploys on Friday afternoons.", [d.repo, d.environment, d.local_time]),
	}
}

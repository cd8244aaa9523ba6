# Guardrails for everything Bosun sends on your behalf (Slack messages, PR and ticket comments,
# reviewer requests, ticket transitions).
#
# This file is yours: edit it and Bosun uses it from the next command on. If it stops compiling,
# Bosun says where (file, line) and keeps using the last version that compiled.
#
# Bosun asks for `decision` with this input:
#   input.action      {kind, provider, body, summary, signal_kind, approved, approved_by}
#   input.recipients  [{id, name, local_minutes, local_time, local_weekday (0 = Monday), sent_today}]
#   input.now         {utc}
package bosun.actions

# Recipients' quiet hours, in their own time zone, as minutes after midnight: 19:00 to 08:00.
quiet_start := 1140

quiet_end := 480

# The most messages one person gets from Bosun in their local day.
max_per_person_per_day := 3

# Signal kinds that are about one person's numbers: never sent to anyone.
individual_metric_kinds := {"review_load_imbalance"}

# Text that looks like one person's metric ("18 reviews given", "7 PRs merged").
individual_metric_pattern := `(?i)\b[0-9]+\s+(reviews?|pull requests?|prs?|commits?|tickets?|points?|story points?)\s+(given|reviewed|merged|authored|closed|done|finished|completed)\b`

# Every outbound action needs the manager's approval. (To let a kind go out without one, add it
# here, e.g. {"reviewer_request"}.)
no_approval_needed := set()

default needs_approval := true

needs_approval := false if input.action.kind in no_approval_needed

deny contains "every outbound action needs the manager's approval" if {
	needs_approval
	not input.action.approved
}

deny contains "individual metrics never leave this machine" if {
	input.action.signal_kind in individual_metric_kinds
}

deny contains "the text contains an individual metric, and individual metrics never leave this machine" if {
	regex.match(individual_metric_pattern, input.action.body)
}

in_quiet(m) if {
	quiet_start > quiet_end
	m >= quiet_start
}

in_quiet(m) if {
	quiet_start > quiet_end
	m < quiet_end
}

in_quiet(m) if {
	quiet_start < quiet_end
	m >= quiet_start
	m < quiet_end
}

# Minutes until the quiet hours end.
until_quiet_ends(m) := (quiet_end - m) + 1440 if m >= quiet_end

until_quiet_ends(m) := quiet_end - m if m < quiet_end

# Nothing is sent in the recipient's quiet hours: it waits until they end.
defer contains {"reason": msg, "wait_minutes": until_quiet_ends(r.local_minutes)} if {
	some r in input.recipients
	in_quiet(r.local_minutes)
	msg := sprintf("it is %s for %s (quiet hours)", [r.local_time, r.name])
}

# Nor at the weekend: it waits for Monday morning.
defer contains {"reason": msg, "wait_minutes": wait} if {
	some r in input.recipients
	r.local_weekday >= 5
	wait := ((7 - r.local_weekday) * 1440 - r.local_minutes) + quiet_end
	msg := sprintf("it is the weekend for %s", [r.name])
}

# A cap on messages per person per day: the rest waits for their next day.
defer contains {"reason": msg, "wait_minutes": wait} if {
	some r in input.recipients
	r.sent_today >= max_per_person_per_day
	wait := (1440 - r.local_minutes) + quiet_end
	msg := sprintf("%s already got %d messages from Bosun today (limit %d)", [r.name, r.sent_today, max_per_person_per_day])
}

default allow := false

allow if {
	count(deny) == 0
	count(defer) == 0
}

default wait_minutes := 0

wait_minutes := max({d.wait_minutes | some d in defer}) if count(defer) > 0

decision := {
	"allow": allow,
	"needs_approval": needs_approval,
	"deny": sort([m | some m in deny]),
	"defer": sort([d.reason | some d in defer]),
	"wait_minutes": wait_minutes,
}

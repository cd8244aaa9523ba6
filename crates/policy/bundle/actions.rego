# Guardrails for everything Bosun sends on your behalf (Slack messages, PR and ticket comments,
# reviewer requests, ticket transitions).
#
# This file is yours: edit it and Bosun uses it from the next command on. If it stops compiling,
# Bosun says where (file, line) and keeps using the last version that compiled.
#
# Bosun asks for `decision` with this input:
#   input.action      {kind, provider, body, summary, signal_kind, carries, approved, approved_by}
#                     carries: what the text structurally holds, whatever its wording:
#                     {names: [person ids], person_figures: [person ids given a figure], links: [urls]}
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

# Waiting for the manager is not a denial: `allow` stays false until the action is approved, and
# Bosun reads `needs_approval` (a draft in quiet hours or at the weekend is deferred, not denied).
approval_missing if {
	needs_approval
	not input.action.approved
}

# Each denial and deferral carries a code (Bosun reads codes, never the sentences).
deny contains {"code": "individual_metric_kind", "message": "individual metrics never leave this machine"} if {
	input.action.signal_kind in individual_metric_kinds
}

# A figure about one person, in any wording ("18 reviews", "eighteen", "Ana 18, Bo 3").
deny contains {"code": "individual_metric", "message": msg} if {
	count(input.action.carries.person_figures) > 0
	msg := sprintf("the text gives a figure about %d named person(s), and individual metrics never leave this machine", [count(input.action.carries.person_figures)])
}

deny contains {"code": "individual_metric_text", "message": "the text contains an individual metric, and individual metrics never leave this machine"} if {
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
defer contains {"code": "quiet_hours", "reason": msg, "wait_minutes": until_quiet_ends(r.local_minutes)} if {
	some r in input.recipients
	in_quiet(r.local_minutes)
	msg := sprintf("it is %s for %s (quiet hours)", [r.local_time, r.name])
}

# Nor at the weekend: it waits for Monday morning.
defer contains {"code": "weekend", "reason": msg, "wait_minutes": wait} if {
	some r in input.recipients
	r.local_weekday >= 5
	wait := ((7 - r.local_weekday) * 1440 - r.local_minutes) + quiet_end
	msg := sprintf("it is the weekend for %s", [r.name])
}

# A cap on messages per person per day: the rest waits for their next day.
defer contains {"code": "daily_cap", "reason": msg, "wait_minutes": wait} if {
	some r in input.recipients
	r.sent_today >= max_per_person_per_day
	wait := (1440 - r.local_minutes) + quiet_end
	msg := sprintf("%s already got %d messages from Bosun today (limit %d)", [r.name, r.sent_today, max_per_person_per_day])
}

default allow := false

allow if {
	count(deny) == 0
	count(defer) == 0
	not approval_missing
}

# A rule of your own may give a plain sentence (`deny contains "no DMs to the CTO" if …`): it
# counts with the code "other" (a deferral given so waits a minute, then is decided again).
text_of(d) := d if is_string(d)

text_of(d) := object.get(d, "message", object.get(d, "reason", "")) if is_object(d)

code_of(d) := "other" if is_string(d)

code_of(d) := object.get(d, "code", "other") if is_object(d)

wait_of(d) := 1 if is_string(d)

wait_of(d) := object.get(d, "wait_minutes", 1) if is_object(d)

default wait_minutes := 0

wait_minutes := max({wait_of(d) | some d in defer}) if count(defer) > 0

decision := {
	"allow": allow,
	"needs_approval": needs_approval,
	"deny": sort([text_of(d) | some d in deny]),
	"defer": sort([text_of(d) | some d in defer]),
	"codes": sort({code_of(d) | some d in deny} | {code_of(d) | some d in defer}),
	"wait_minutes": wait_minutes,
}

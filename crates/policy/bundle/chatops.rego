# Who may ask Bosun what from Slack (slash commands over Socket Mode: /standup, /sprint-health,
# /triage, /ask, /brief). Every command and its answer is audited with the Slack user id.
#
# This file is yours: edit it and Bosun uses it from the next command on.
#
# Bosun asks for `decision` once the answer is drafted, with this input:
#   input.command   {name: "standup" | "sprint_health" | "triage" | "ask" | "brief" | "help", text}
#   input.user      {slack_id, person_id (null when nobody is linked to that Slack account), name,
#                    is_manager (the manager Bosun works for), member_of_my_teams, teams: [keys]}
#   input.answer    {kind: "standup" | "sprint-health" | "triage" | "brief" | "ask" | "help" | "error",
#                    individual_metrics: bool (built from one person's numbers, like a 1:1 pack),
#                    private: bool (it holds a private section), sources_shareable: bool (every
#                    doc it cites is shareable)}
#   input.recent    {last_minute: commands this Slack user sent in the last minute}
package bosun.chatops

# Commands one Slack user may send per minute.
max_per_minute := 6

# Commands only the manager may use.
manager_only := {"brief"}

# Commands whose answer everyone in the channel sees (the others answer only the asker). An
# answer to /ask is shown in the channel only when every document it cites is shareable.
in_channel_commands := set()

deny contains {"code": "not_a_member", "message": "only members of the manager's teams may ask Bosun"} if {
	not input.user.is_manager
	not input.user.member_of_my_teams
}

deny contains {"code": "manager_only", "message": sprintf("/%s is for the manager only", [input.command.name])} if {
	input.command.name in manager_only
	not input.user.is_manager
}

deny contains {"code": "rate_limited", "message": sprintf("at most %d commands a minute", [max_per_minute])} if {
	input.recent.last_minute >= max_per_minute
}

deny contains {"code": "individual_metric", "message": "the answer is built from one person's numbers, and individual metrics are for the manager only"} if {
	input.answer.individual_metrics
	not input.user.is_manager
}

deny contains {"code": "private_note", "message": "the answer holds the manager's private notes"} if {
	input.answer.private
	not input.user.is_manager
}

default in_channel := false

in_channel if {
	input.command.name in in_channel_commands
	input.command.name != "ask"
}

in_channel if {
	input.command.name == "ask"
	"ask" in in_channel_commands
	input.answer.sources_shareable
}

decision := {
	"allow": count(deny) == 0,
	"in_channel": in_channel,
	"deny": sort([d.message | some d in deny]),
	"codes": sort({d.code | some d in deny}),
}

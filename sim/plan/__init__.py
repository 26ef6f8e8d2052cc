"""Plan: staff requirements (Erlang, simulation), rosters and the planner."""

-- Identity's merge suggestions and the manager's answers (issue 15, 3). Accounts are named by
-- handle (`provider:login-or-id`, as in the config's [[people]]), so an answer survives a re-sync
-- that renumbers accounts.
--
-- An answer: the two accounts are one person (`same` = 1: linked for sure, `confirmed`) or two
-- (`same` = 0: no rule links them again). Kept until changed.
CREATE TABLE identity_decisions (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    same INTEGER NOT NULL CHECK (same IN (0, 1)),
    decided_at INTEGER NOT NULL,
    decided_by TEXT NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);

-- The links a rule (same email, GitHub noreply trail, same name) made that the manager has not
-- answered: rewritten by every identity resolution.
CREATE TABLE identity_suggestions (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    method TEXT NOT NULL,
    confidence REAL NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
);

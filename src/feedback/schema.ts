/**
 * The feedback database's schema, as ordered migration steps. `PRAGMA user_version` holds the number of
 * steps applied; opening a database applies the missing ones in one transaction, so a shard that opens
 * it while another is upgrading waits and then finds it upgraded.
 */
import type { Database } from "better-sqlite3";

/** Step n (1-based) upgrades a database from version n − 1 to n. Never edit a released step: add one. */
export const MIGRATIONS: readonly string[] = [
  // v1: the question log. Times are milliseconds since the epoch (UTC). No user ids: `voter` is a salted
  // hash, used only so that one person has one vote per answer.
  `CREATE TABLE questions (
     id INTEGER PRIMARY KEY,
     asked_at INTEGER NOT NULL,
     surface TEXT NOT NULL,
     guild_id TEXT,
     question TEXT NOT NULL,
     outcome TEXT NOT NULL,
     confidence REAL NOT NULL,
     duration_ms REAL NOT NULL
   );
   CREATE INDEX questions_asked_at ON questions (asked_at);
   CREATE TABLE shown (
     question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
     rank INTEGER NOT NULL,
     passage_key TEXT NOT NULL,
     path TEXT NOT NULL,
     section TEXT NOT NULL,
     PRIMARY KEY (question_id, rank)
   ) WITHOUT ROWID;
   CREATE TABLE votes (
     question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
     voter TEXT NOT NULL,
     vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
     voted_at INTEGER NOT NULL,
     PRIMARY KEY (question_id, voter)
   ) WITHOUT ROWID;`,
  // v2: feedback text, kept in the voter's row so that the voter hash lives in one table only (feedback
  // may come without a vote, so `vote` becomes nullable: SQLite changes a column only by rebuilding the
  // table); and teach records, which are the operator's and outlive the log's retention.
  `CREATE TABLE votes_v2 (
     question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
     voter TEXT NOT NULL,
     vote INTEGER CHECK (vote IN (-1, 1)),
     voted_at INTEGER,
     feedback TEXT,
     feedback_at INTEGER,
     PRIMARY KEY (question_id, voter)
   ) WITHOUT ROWID;
   INSERT INTO votes_v2 (question_id, voter, vote, voted_at) SELECT question_id, voter, vote, voted_at FROM votes;
   DROP TABLE votes;
   ALTER TABLE votes_v2 RENAME TO votes;
   CREATE TABLE taught (
     id INTEGER PRIMARY KEY,
     question TEXT NOT NULL,
     path TEXT NOT NULL,
     section TEXT NOT NULL,
     passage_key TEXT,
     taught_at INTEGER NOT NULL
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Thrown when the database was written by a newer version of the bot: it is left as it is. */
export class NewerSchemaError extends Error {
  override name = "NewerSchemaError";
}

export function schemaVersion(db: Database): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** Applies the missing steps up to `target` (default: all). Returns the version it found. */
export function migrate(db: Database, target = SCHEMA_VERSION): number {
  let found = 0;
  // IMMEDIATE takes the write lock before reading the version, so two processes never both upgrade.
  db.transaction(() => {
    found = schemaVersion(db);
    if (found > SCHEMA_VERSION) {
      throw new NewerSchemaError(
        `feedback: Expected a question log of schema version ${SCHEMA_VERSION} or older, got version ${found} (written by a newer version of the bot)`,
      );
    }
    for (let v = found; v < target; v++) db.exec(MIGRATIONS[v] as string);
    if (target > found) db.pragma(`user_version = ${target}`);
  }).immediate();
  return found;
}

/**
 * The feedback database (SQLite through better-sqlite3) in DATA_DIR: opening it, keeping it usable, and
 * keeping it out of the way of answering. Several shard processes share one file, so it runs in WAL mode
 * with a busy timeout. Every use is best-effort: a failure is logged once per episode and answered with
 * `undefined`, never thrown; a corrupt or unreadable file is moved aside and a new one started.
 */
import Database from "better-sqlite3";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { silentLogger, type Logger } from "../log.ts";
import { migrate } from "./schema.ts";

export type DB = Database.Database;

export const DATABASE_FILE = "feedback.sqlite";
/** The salt of the voter hashes: made once, so that one person's votes hash alike across restarts. */
export const SALT_FILE = "voter-salt";

/** How long a write waits for another process's: long enough for any of our short transactions, short enough that a stuck lock never holds up an answer for long. */
export const BUSY_TIMEOUT_MS = 2000;
const DAY_MS = 86_400_000;
/** How often the store checks that its file is still the one at the path (moved aside by another process, deleted by an operator). */
const RECHECK_MS = 60_000;
/** Old rows go in batches, so that pruning a large log never holds the write lock for long. */
const PRUNE_BATCH = 2000;

export interface StoreOptions {
  /** DATA_DIR: the folder of the database and its salt. */
  dir: string;
  /** Days a logged question is kept (LOG_RETENTION_DAYS). */
  retentionDays: number;
  logger?: Logger;
  /** The clock, in ms since the epoch (tests). */
  now?: () => number;
}

function codeOf(error: unknown): string {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
}

/** SQLite's verdict that the file is not a usable database (as opposed to a busy lock or a full disk). */
function isBroken(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CANTOPEN");
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readSalt(file: string): Buffer {
  const text = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`feedback: Expected ${file} to hold 64 hexadecimal digits, got ${JSON.stringify(text.slice(0, 80))}`);
  return Buffer.from(text, "hex");
}

/** Reads the salt, or makes it; two processes starting at once agree on one (it appears whole, by link). */
export function readOrCreateSalt(dir: string): Buffer {
  const file = path.join(dir, SALT_FILE);
  try {
    return readSalt(file);
  } catch (error) {
    if (codeOf(error) !== "ENOENT") throw error;
  }
  const temporary = `${file}.${randomUUID()}`;
  writeFileSync(temporary, randomBytes(32).toString("hex") + "\n", { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if (codeOf(error) !== "EEXIST") throw error;
  } finally {
    unlinkSync(temporary);
  }
  return readSalt(file);
}

function connect(file: string): DB {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL loses at most the last commits on a power cut, never the file; it spares an fsync per question.
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** An ISO time usable in a file name. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[:.]/g, "-");
}

export class FeedbackStore {
  readonly dir: string;
  readonly file: string;
  private readonly retentionDays: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private db: DB | undefined;
  /** The inode of the file this connection opened, to notice when the path holds another file. */
  private inode = 0;
  private salt: Buffer | undefined;
  private statements = new Map<string, Database.Statement>();
  private failing = false;
  private failures = 0;
  private checkedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(options: StoreOptions) {
    this.dir = path.resolve(options.dir);
    this.file = path.join(this.dir, DATABASE_FILE);
    this.retentionDays = options.retentionDays;
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens (creating, upgrading or replacing as needed) the database in `dir`, deletes rows older than the
   * retention, and prunes again every day. Never throws: a store that cannot open says so in the log and
   * answers every use with `undefined`, trying again a minute later.
   */
  static open(options: StoreOptions): FeedbackStore {
    const store = new FeedbackStore(options);
    if (store.reconnect()) store.prune();
    store.timer = setInterval(() => store.prune(), DAY_MS);
    // The daily prune must not keep a finished process alive.
    store.timer.unref();
    return store;
  }

  /** Whether the database is open now. */
  get available(): boolean {
    return this.db !== undefined;
  }

  /** The salted hash that stands for a person in the votes table. Undefined while the store is unavailable. */
  voterHash(voterId: string): string | undefined {
    return this.salt && createHash("sha256").update(this.salt).update(voterId).digest("hex");
  }

  /**
   * Runs `use` on the database and returns its result, or undefined if the store is unavailable or `use`
   * failed (logged once per episode; `what` names the use in the log). A database found broken is moved
   * aside and `use` tried once on a new one.
   */
  run<T>(what: string, use: (db: DB, statement: (sql: string) => Database.Statement) => T): T | undefined {
    if (this.closed) return undefined;
    const due = this.now() - this.checkedAt >= RECHECK_MS;
    if (due) {
      this.checkedAt = this.now();
      if (this.db ? this.replacedOnDisk() : true) this.reconnect();
    }
    const db = this.db;
    if (!db) return undefined;
    try {
      const result = use(db, (sql) => this.statement(db, sql));
      this.succeeded();
      return result;
    } catch (error) {
      if (isBroken(error) && this.recover(error)) {
        try {
          const db = this.db as unknown as DB;
          const result = use(db, (sql) => this.statement(db, sql));
          this.succeeded();
          return result;
        } catch (again) {
          this.failed(what, again);
          return undefined;
        }
      }
      this.failed(what, error);
      return undefined;
    }
  }

  /** Deletes the questions (with what was shown, their votes and feedback) older than the retention. Returns how many. */
  prune(): number {
    const cutoff = this.now() - this.retentionDays * DAY_MS;
    const deleted = this.run("delete old questions", (_db, statement) => {
      const batch = statement("DELETE FROM questions WHERE id IN (SELECT id FROM questions WHERE asked_at < ? LIMIT ?)");
      let total = 0;
      for (;;) {
        const { changes } = batch.run(cutoff, PRUNE_BATCH);
        total += changes;
        if (changes < PRUNE_BATCH) return total;
      }
    });
    if (deleted) this.logger.info(`question log: deleted ${deleted} question(s) older than ${this.retentionDays} days`);
    return deleted ?? 0;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.disconnect();
  }

  private statement(db: DB, sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) this.statements.set(sql, (prepared = db.prepare(sql)));
    return prepared;
  }

  private disconnect(): void {
    this.statements = new Map();
    try {
      this.db?.close();
    } catch {
      // A broken connection may fail to close; it is dropped either way.
    }
    this.db = undefined;
  }

  private replacedOnDisk(): boolean {
    try {
      return statSync(this.file).ino !== this.inode;
    } catch {
      return true;
    }
  }

  /** (Re)opens the database, moving a broken file aside once. Logs and returns false when it cannot. */
  private reconnect(): boolean {
    this.disconnect();
    try {
      mkdirSync(this.dir, { recursive: true });
      this.salt = readOrCreateSalt(this.dir);
    } catch (error) {
      this.failed(`use ${this.dir}`, error);
      return false;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        this.db = connect(this.file);
        this.inode = statSync(this.file).ino;
        this.checkedAt = this.now();
        return true;
      } catch (error) {
        if (attempt === 0 && isBroken(error) && this.moveAside(error)) continue;
        // Not broken (a newer bot's database, a full disk, a held lock): left as it is.
        this.failed(`open ${this.file}`, error);
        return false;
      }
    }
  }

  /** After SQLite called the open database broken: moves it aside (unless another process already has) and opens a new one. */
  private recover(error: unknown): boolean {
    if (this.replacedOnDisk()) return this.reconnect();
    this.disconnect();
    return this.moveAside(error) && this.reconnect();
  }

  private moveAside(error: unknown): boolean {
    const aside = `${this.file}.broken-${stamp(this.now())}`;
    try {
      renameSync(this.file, aside);
      for (const suffix of ["-wal", "-shm"]) {
        try {
          renameSync(this.file + suffix, aside + suffix);
        } catch (missing) {
          if (codeOf(missing) !== "ENOENT") throw missing;
        }
      }
    } catch (renameError) {
      this.failed(`move aside ${this.file}, which is not a readable database (${messageOf(error)})`, renameError);
      return false;
    }
    this.logger.warn(`question log: ${this.file} is not a readable database (${messageOf(error)}); moved it to ${aside} and started a new one`);
    return true;
  }

  private failed(what: string, error: unknown): void {
    this.failures++;
    if (this.failing) return;
    this.failing = true;
    this.logger.warn(
      `question log: could not ${what}: ${messageOf(error)}. Answering goes on without the log; further failures are not logged until it works again`,
    );
  }

  private succeeded(): void {
    if (!this.failing) return;
    this.logger.info(`question log: working again after ${this.failures} failed attempt(s)`);
    this.failing = false;
    this.failures = 0;
  }
}

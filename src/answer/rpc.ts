/**
 * One small, typed request/response protocol between threads: each side of a link calls the other's
 * methods and gets promises back; notices (log lines) expect no reply. Both sides name the methods they
 * serve in an interface, so a call with the wrong method or arguments does not compile.
 *
 * Values cross by structured clone. Errors cross as name and message, and come back as the caller's own
 * class where it names one (`errors`), so `instanceof KnowledgeError` works across threads.
 */

/** What a link needs of a Worker, parentPort or MessagePort. */
export interface Port {
  postMessage(value: unknown): void;
  on(event: "message", listener: (value: unknown) => void): unknown;
  off(event: "message", listener: (value: unknown) => void): unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any argument list; each interface names its own.
type Methods = { [name: string]: (...args: any[]) => unknown };

type Message =
  | { rpc: "call"; id: number; method: string; args: unknown[] }
  | { rpc: "notice"; method: string; args: unknown[] }
  | { rpc: "result"; id: number; value: unknown }
  | { rpc: "error"; id: number; name: string; message: string };

export type ErrorClasses = Record<string, new (message: string) => Error>;

export class Link<Remote extends Methods, Local extends Methods = Methods> {
  private readonly port: Port;
  private readonly local: Partial<Local>;
  private readonly errors: ErrorClasses;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private next = 0;
  private closed: Error | undefined;
  private readonly listener = (value: unknown) => this.receive(value as Message);
  /** When the other side last sent anything, or when this side began to wait for it (see `silentFor`). */
  private heard = performance.now();
  private readonly idle: (() => void)[] = [];

  constructor(port: Port, local: Partial<Local> = {}, errors: ErrorClasses = {}) {
    this.port = port;
    this.local = local;
    this.errors = errors;
    port.on("message", this.listener);
  }

  call<M extends keyof Remote & string>(method: M, ...args: Parameters<Remote[M]>): Promise<Awaited<ReturnType<Remote[M]>>> {
    if (this.closed) return Promise.reject(this.closed);
    const id = ++this.next;
    // A side that owed nothing starts owing now: its silence is measured from here.
    if (this.pending.size === 0) this.heard = performance.now();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.port.postMessage({ rpc: "call", id, method, args } satisfies Message);
    });
  }

  notify<M extends keyof Remote & string>(method: M, ...args: Parameters<Remote[M]>): void {
    if (!this.closed) this.port.postMessage({ rpc: "notice", method, args } satisfies Message);
  }

  /** Calls sent and not answered yet. */
  get owed(): number {
    return this.pending.size;
  }

  /** How long the other side has been silent while it owes replies; 0 when it owes none. */
  silentFor(now = performance.now()): number {
    return this.pending.size ? now - this.heard : 0;
  }

  /** Resolves once no call is waiting (at once if none is). */
  settled(): Promise<void> {
    return this.pending.size ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  private settle(id: number): { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined {
    const call = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) for (const resolve of this.idle.splice(0)) resolve();
    return call;
  }

  /** Rejects every waiting call with `reason` and stops listening; later calls reject with it too. */
  close(reason: Error): void {
    if (this.closed) return;
    this.closed = reason;
    this.port.off("message", this.listener);
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(reason);
  }

  private error(name: string, message: string): Error {
    const Known = this.errors[name];
    const error = Known ? new Known(message) : new Error(message);
    if (error.name !== name) error.name = name;
    return error;
  }

  private receive(message: Message): void {
    if (typeof message !== "object" || message === null || !("rpc" in message)) return;
    this.heard = performance.now();
    switch (message.rpc) {
      case "result":
        return this.settle(message.id)?.resolve(message.value);
      case "error":
        return this.settle(message.id)?.reject(this.error(message.name, message.message));
      case "notice":
        void this.serve(message.method, message.args).catch(() => undefined);
        return;
      case "call":
        this.serve(message.method, message.args).then(
          (value) => this.closed || this.port.postMessage({ rpc: "result", id: message.id, value } satisfies Message),
          (error: Error) => this.closed || this.port.postMessage({ rpc: "error", id: message.id, name: error.name, message: error.message } satisfies Message),
        );
    }
  }

  private async serve(method: string, args: unknown[]): Promise<unknown> {
    const handler = this.local[method];
    if (typeof handler !== "function") throw new Error(`rpc: Expected a method this side serves, got ${JSON.stringify(method)}`);
    return handler(...args);
  }
}

/**
 * The loopback Discord test server (test/support/discord-server.ts) in a process of its own, driven over
 * IPC by bench/discord.ts, so that the bot's event loop carries only the bot's work, as it would against
 * Discord. Messages:
 *   parent → { type: "burst", questions }  child → { type: "burst", results }   (one /ask per question, all at once)
 *   parent → { type: "close" }             child → { type: "closed", violations }
 * Times are epoch milliseconds (performance.timeOrigin + performance.now()), comparable across processes.
 */
import { DiscordTestServer } from "../test/support/discord-server.ts";

export interface BurstResult {
  id: string;
  /** When the server sent INTERACTION_CREATE. */
  dispatchedAt: number;
  /** When the server received the interaction callback; undefined if none came. */
  callbackAt?: number;
  status?: number;
  callbackType?: number;
  error?: string;
}

export type ToServer = { type: "burst"; questions: string[] } | { type: "close" };
export type FromServer =
  | { type: "ready"; apiUrl: string; token: string; guildId: string }
  | { type: "burst"; results: BurstResult[] }
  | { type: "closed"; violations: { request: string; problems: string[] }[] }
  | { type: "error"; message: string };

const epoch = (t: number) => performance.timeOrigin + t;
const send = (message: FromServer) => process.send?.(message);

const server = await DiscordTestServer.start();
send({ type: "ready", apiUrl: server.apiUrl, token: server.token, guildId: server.guilds[0]?.id ?? "" });

process.on("message", (message: ToServer) => {
  if (message.type === "close") {
    void server.close().then(() => {
      send({ type: "closed", violations: server.violations });
      process.disconnect?.();
    });
    return;
  }
  const sent = message.questions.map((question) => server.command("ask", { question }));
  void Promise.all(
    sent.map(async ({ id, response }): Promise<BurstResult> => {
      const dispatchedAt = epoch(server.interactions.get(id)?.dispatchedAt ?? Number.NaN);
      try {
        const request = await response;
        return {
          id,
          dispatchedAt,
          callbackAt: epoch(request.at),
          status: request.status,
          callbackType: (request.body as { type?: number } | undefined)?.type ?? -1,
        };
      } catch (error) {
        return { id, dispatchedAt, error: (error as Error).message };
      }
    }),
  ).then(
    (results) => {
      server.forgetHistory();
      send({ type: "burst", results });
    },
    (error: Error) => send({ type: "error", message: error.message }),
  );
});

/**
 * The gaps report for a chat command (Discord's /gaps): messages within the chat's length limit, with
 * what people typed escaped by the chat's own rules, and the outcomes per day as a PNG to attach.
 */
import { outcomesChart } from "./chart.ts";
import { reportChunks, type RenderOptions } from "./render.ts";
import type { GapsReport } from "./report.ts";

export interface ChatReport {
  /** Message texts, each at most `maxLength` characters, in order. */
  chunks: string[];
  /** The outcomes per day, PNG. */
  chart: Buffer;
}

export async function reportForChat(
  report: GapsReport,
  options: Omit<RenderOptions, "sparklines"> & { maxLength: number; escape: (text: string) => string },
): Promise<ChatReport> {
  return { chunks: reportChunks(report, options), chart: await outcomesChart(report.perDay) };
}

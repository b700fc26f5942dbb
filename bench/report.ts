/** The benchmark's tables and its targets, from the results of one run (bench/run.ts). */
import type { DiscordResult } from "./discord.ts";
import type { CorpusResult, HeartbeatResult, StartupResult } from "./results.ts";
import { fmt, mb, table } from "./stats.ts";

const pct = (x: number) => `${Math.round(x * 100)}%`;

export interface Target {
  what: string;
  target: string;
  measured: string;
  pass: boolean | "n/a";
}

export function targets(corpora: CorpusResult[], start: StartupResult, discord: DiscordResult, beat: HeartbeatResult | undefined): Target[] {
  const rust = corpora.find((c) => c.name === "rust-book");
  const big = corpora.find((c) => c.copies === 50);
  const out: Target[] = [];
  if (rust) {
    out.push({ what: "engine p50 per question, rust-book", target: "≤ 1 ms", measured: `${fmt(rust.engine.askP50Ms)} ms`, pass: rust.engine.askP50Ms <= 1 });
    out.push({ what: "engine p99 per question, rust-book", target: "≤ 5 ms", measured: `${fmt(rust.engine.askP99Ms)} ms`, pass: rust.engine.askP99Ms <= 5 });
  }
  out.push(
    big
      ? { what: "engine p50 per question, 50×", target: "≤ 10 ms", measured: `${fmt(big.engine.askP50Ms)} ms`, pass: big.engine.askP50Ms <= 10 }
      : { what: "engine p50 per question, 50×", target: "≤ 10 ms", measured: "not run (--quick)", pass: "n/a" },
  );
  for (const c of corpora.filter((c) => c.copies === 1)) {
    for (const set of new Set(c.quality.map((q) => q.set))) {
      const rows = c.quality.filter((q) => q.set === set);
      const ours = rows.find((q) => q.engine === "ours");
      const best = rows.filter((q) => q.engine !== "ours").sort((a, b) => b.hit1 - a.hit1)[0];
      if (!ours || !best) continue;
      out.push({
        what: `Hit@1 above every peer, ${c.name} / ${set}`,
        target: `> ${best.engine} ${pct(best.hit1)}`,
        measured: `${pct(ours.hit1)} (Hit@3 ${pct(ours.hit3)} vs ${pct(Math.max(...rows.filter((q) => q.engine !== "ours").map((q) => q.hit3)))})`,
        pass: ours.hit1 > best.hit1 && ours.hit3 >= Math.max(...rows.filter((q) => q.engine !== "ours").map((q) => q.hit3)),
      });
    }
  }
  out.push({
    what: "ready from snapshot, rust-book, compiled as npm start runs the bot (process start → answering; engine in a worker)",
    target: "≤ 300 ms",
    measured: `${fmt(start.builtThreaded.readyP50Ms)} ms (engine open ${fmt(start.builtThreaded.openP50Ms)} ms)`,
    pass: start.builtThreaded.readyP50Ms <= 300,
  });
  out.push({
    what: "ready from snapshot, rust-book, compiled, engine in the same thread (terminal)",
    target: "≤ 300 ms",
    measured: `${fmt(start.built.readyP50Ms)} ms (engine open ${fmt(start.built.openP50Ms)} ms)`,
    pass: start.built.readyP50Ms <= 300,
  });
  out.push({
    what: "ready from snapshot, rust-book, sources under tsx (after an edit, before a build)",
    target: "≤ 300 ms",
    measured: `${fmt(start.inProcess.readyP50Ms)} ms (tsx alone: ${fmt(start.nodeTsxBootMs)} ms)`,
    pass: start.inProcess.readyP50Ms <= 300,
  });
  out.push({ what: "corrupt snapshot → rebuilt with a log line", target: "ok", measured: start.corrupt.ok ? "ok" : "FAILED", pass: start.corrupt.ok });
  out.push({ what: "stale snapshot → rebuilt with a log line", target: "ok", measured: start.stale.ok ? "ok" : "FAILED", pass: start.stale.ok });
  if (big?.memory)
    out.push({
      what: "heap + buffers after load / knowledge text, 50×",
      target: "≤ 4×",
      measured: `${big.memory.heapToText.toFixed(1)}× (${fmt(big.memory.heapUsedMB)} MB heap + ${fmt(big.memory.externalMB)} MB buffers for ${fmt(mb(big.knowledgeBytes))} MB)`,
      pass: big.memory.heapToText <= 4,
    });
  else out.push({ what: "heap after load / knowledge text, 50×", target: "≤ 4×", measured: "not run (--quick)", pass: "n/a" });
  const leak = rust?.memory;
  if (leak)
    out.push({
      what: `heap growth over ${leak.questions.toLocaleString("en-US")} questions`,
      target: "none (≤ 1 MB)",
      measured: `${leak.heapGrowthMB >= 0 ? "+" : ""}${leak.heapGrowthMB} MB`,
      pass: leak.heapGrowthMB <= 1,
    });
  out.push({
    what: `Discord-facing p99, ${discord.interactions} interactions in bursts of ${discord.burst} (engine in a worker, as shipped)`,
    target: "≤ 50 ms, 0 failures",
    measured: `${fmt(discord.p99Ms)} ms${discord.p99RunsMs && discord.p99RunsMs.length > 1 ? ` (median of ${discord.p99RunsMs.map(fmt).join(", ")})` : ""}, ${discord.failures} failures; bot's share (packet → callback) p99 ${fmt(discord.inBotP99Ms)} ms`,
    pass: discord.p99Ms <= 50 && discord.failures === 0 && discord.violations === 0,
  });
  if (beat)
    out.push({
      what: `longest stall of the bot's Discord thread, ${beat.corpus} rebuild (engine in a worker, as shipped)`,
      target: "≤ 50 ms (my bar)",
      measured: `${fmt(beat.botThreadRebuild.maxGapMs)} ms (everything in one thread: ${fmt(beat.inProcessRebuild.maxGapMs)} ms)`,
      pass: beat.botThreadRebuild.maxGapMs <= 50,
    });
  if (beat)
    out.push({
      what: `longest answer round trip during a ${beat.corpus} rebuild (a new answering worker builds; the old one answers until the swap)`,
      target: "≤ 50 ms (my bar)",
      measured: `${fmt(beat.answersDuringRebuild.maxMs)} ms over ${beat.answersDuringRebuild.count} questions`,
      pass: beat.answersDuringRebuild.maxMs <= 50,
    });
  else out.push({ what: "longest event-loop stall, 50× rebuild in the worker", target: "≤ 50 ms (my bar)", measured: "not run (--quick)", pass: "n/a" });
  return out;
}

function discordRows(discord: DiscordResult, how: string): string[][] {
  return [
    [
      `Discord, ${how}: ${discord.interactions} /ask in bursts of ${discord.burst}, dispatch → callback`,
      `p50 ${fmt(discord.p50Ms)} ms, p99 ${fmt(discord.p99Ms)} ms${discord.p99RunsMs && discord.p99RunsMs.length > 1 ? ` (the median run; p99 of each run: ${discord.p99RunsMs.map(fmt).join(", ")} ms)` : ""}, max ${fmt(discord.maxMs)} ms; ${discord.failures} failures, ${discord.violations} limit violations; ${fmt(discord.interactions / (discord.wallMs / 1000))} answers/s`,
    ],
    [`Discord, ${how}: same bursts, bot receives the packet → callback`, `p50 ${fmt(discord.inBotP50Ms)} ms, p99 ${fmt(discord.inBotP99Ms)} ms`],
    [
      `Discord, ${how}: ${discord.sequential.interactions} /ask one at a time, dispatch → callback`,
      `p50 ${fmt(discord.sequential.p50Ms)} ms, p99 ${fmt(discord.sequential.p99Ms)} ms`,
    ],
    [
      `Discord, ${how}: the ${discord.warmup.interactions} warm-up interactions before those (a freshly started bot)`,
      `p50 ${fmt(discord.warmup.p50Ms)} ms, p99 ${fmt(discord.warmup.p99Ms)} ms`,
    ],
  ];
}

export function report(
  machine: { cpu: string; cores: number; memoryGB: number; node: string; platform: string; date: string; quick: boolean },
  corpora: CorpusResult[],
  start: StartupResult,
  discord: DiscordResult,
  discordInThread: DiscordResult,
  beat: HeartbeatResult | undefined,
  goals: Target[],
): string {
  const out: string[] = [];
  out.push(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node} (${machine.platform}); ${machine.quick ? "--quick" : "full run"}, ${machine.date}`,
  );
  out.push(
    table(
      "Index build (medians)",
      [
        "corpus",
        "docs",
        "passages",
        "text MB",
        "from files ms",
        "passages/s",
        "from snapshot ms",
        "snapshot MB",
        "heap MB",
        "buffers MB",
        "RSS MB",
        "(heap+buffers)/text",
      ],
      corpora.map((c) => [
        c.name,
        c.documents,
        c.passages,
        c.knowledgeBytes / 1e6,
        c.build.fromFilesMs,
        c.build.passagesPerSecond,
        c.build.fromSnapshotMs,
        c.build.snapshotBytes / 1e6,
        c.memory?.heapUsedMB ?? NaN,
        c.memory?.externalMB ?? NaN,
        c.memory?.rssMB ?? NaN,
        c.memory ? `${c.memory.heapToText.toFixed(1)}×` : "n/a",
      ]),
    ),
  );
  out.push(
    table(
      "Engine time per question, ms (all questions of the corpus's sets, repeated)",
      [
        "corpus",
        "questions",
        "samples",
        "ask p50",
        "ask p99",
        "analysis+search p50",
        "MiniSearch.search p50",
        "p99",
        "no prefix p50",
        "plain MiniSearch p50",
        "ask / MiniSearch",
        "answers/s (1 core)",
      ],
      corpora.map((c) => [
        c.name,
        c.engine.questions,
        c.engine.samples,
        c.engine.askP50Ms,
        c.engine.askP99Ms,
        c.engine.analysisAndSearchP50Ms,
        c.engine.miniSearchP50Ms,
        c.engine.miniSearchP99Ms,
        c.engine.miniSearchNoPrefixP50Ms,
        c.engine.plainMiniSearchP50Ms ?? NaN,
        `${c.engine.overheadRatio.toFixed(1)}×`,
        c.memory?.answersPerSecond ?? NaN,
      ]),
    ),
  );
  out.push(
    table(
      "Quality and latency against peers on the same passages (Hit@k: a top-k passage holds every expected phrase)",
      ["corpus", "questions", "engine", "Hit@1", "Hit@3", "MRR@5", "abstained", "false abst.", "p50 ms", "p99 ms", "build ms"],
      corpora.flatMap((c) =>
        c.quality.map((q) => [
          c.name,
          `${q.set} (${q.questions}${q.sampled ? ", sample" : ""})`,
          q.engine,
          pct(q.hit1),
          pct(q.hit3),
          q.mrr5.toFixed(2),
          q.abstained ?? "—",
          q.falseAbstentions ?? "—",
          q.p50Ms,
          q.p99Ms,
          q.engine === "ours" ? c.build.fromFilesMs : (c.peers.find((p) => p.name === q.engine)?.buildMs ?? NaN),
        ]),
      ),
    ),
  );
  const leak = corpora.find((c) => c.name === "rust-book")?.memory;
  out.push(
    table(
      "Start-up, memory, Discord, rebuilds",
      ["measure", "value"],
      [
        [
          "ready from snapshot, rust-book, in-process build (p50 of runs; process start → first answer)",
          `${fmt(start.inProcess.readyP50Ms)} ms = imports done at ${fmt(start.inProcess.importedP50Ms)} ms + engine open ${fmt(start.inProcess.openP50Ms)} ms + first answer ${fmt(start.inProcess.firstAnswerP50Ms)} ms`,
        ],
        ["an empty script under node --import tsx (the floor)", `${fmt(start.nodeTsxBootMs)} ms`],
        [
          "ready from snapshot, rust-book, sources under tsx, engine in a worker",
          `${fmt(start.worker.readyP50Ms)} ms (engine open ${fmt(start.worker.openP50Ms)} ms)`,
        ],
        [
          "ready from snapshot, rust-book, compiled, engine in a worker (npm ci builds it; npm start runs the bot so)",
          `${fmt(start.builtThreaded.readyP50Ms)} ms = imports done at ${fmt(start.builtThreaded.importedP50Ms)} ms + engine open ${fmt(start.builtThreaded.openP50Ms)} ms + first answer ${fmt(start.builtThreaded.firstAnswerP50Ms)} ms`,
        ],
        [
          "ready from snapshot, rust-book, compiled, engine in the same thread (the terminal)",
          `${fmt(start.built.readyP50Ms)} ms = imports done at ${fmt(start.built.importedP50Ms)} ms + engine open ${fmt(start.built.openP50Ms)} ms + first answer ${fmt(start.built.firstAnswerP50Ms)} ms`,
        ],
        ["ready without a snapshot (first start), rust-book", `${fmt(start.inProcess.firstBuildReadyMs)} ms`],
        ["corrupt snapshot", start.corrupt.ok ? `ok: ${start.corrupt.log}` : "FAILED"],
        ["stale snapshot", start.stale.ok ? `ok: ${start.stale.log}` : "FAILED"],
        ...(leak
          ? [
              [
                `heap after GC, rust-book, over ${leak.questions.toLocaleString("en-US")} questions (10 checkpoints)`,
                `${leak.heapGrowthMB >= 0 ? "+" : ""}${leak.heapGrowthMB} MB; ${leak.checkpointsMB.join(", ")} MB`,
              ],
            ]
          : []),
        ...discordRows(discord, "engine in a worker (as shipped)"),
        ...discordRows(discordInThread, "engine on the bot's thread"),
        ...(beat
          ? [
              [
                `${beat.corpus} build in this thread (${beat.passages} passages; worker: false)`,
                `longest event-loop stall ${fmt(beat.inProcessRebuild.maxGapMs)} ms; open ${fmt(beat.inProcessRebuild.durationMs)} ms (build ${fmt(beat.inProcessRebuild.buildMs)} ms + snapshot save)`,
              ],
              [
                `${beat.corpus} rebuild, engine in a worker thread (the bot as shipped): the Discord thread`,
                `longest event-loop stall ${fmt(beat.botThreadRebuild.maxGapMs)} ms; reload ${fmt(beat.botThreadRebuild.durationMs)} ms (build ${fmt(beat.botThreadRebuild.buildMs)} ms)`,
              ],
              [
                `${beat.corpus} rebuild, engine in a worker thread: questions asked 10 ms apart on the Discord thread`,
                `round trip p50 ${fmt(beat.answersDuringRebuild.p50Ms)} ms, p99 ${fmt(beat.answersDuringRebuild.p99Ms)} ms, longest ${fmt(beat.answersDuringRebuild.maxMs)} ms (${beat.answersDuringRebuild.count} questions)`,
              ],
              [
                `${beat.corpus} open from the snapshot, engine in a worker thread: the Discord thread`,
                `longest event-loop stall ${fmt(beat.botThreadSnapshotLoad.maxGapMs)} ms; open ${fmt(beat.botThreadSnapshotLoad.durationMs)} ms`,
              ],
            ]
          : []),
      ],
    ),
  );
  out.push(
    table(
      "Targets (issue 5)",
      ["target", "goal", "measured", "met"],
      goals.map((g) => [g.what, g.target, g.measured, g.pass === "n/a" ? "n/a" : g.pass ? "yes" : "NO"]),
    ),
  );
  return out.join("\n");
}

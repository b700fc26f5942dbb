/** What the benchmark measures, per part: the shapes bench/run.ts fills and bench/report.ts prints. */
import type { AnswerDelays, GapResult } from "./heartbeat.ts";

export interface Quality {
  set: string;
  engine: string;
  questions: number;
  hit1: number;
  hit3: number;
  mrr5: number;
  /** Ours only: no-answer questions abstained on / their number; answerable questions wrongly abstained on. */
  abstained?: string;
  falseAbstentions?: number;
  p50Ms: number;
  p99Ms: number;
  sampled?: boolean;
}

export interface CorpusResult {
  name: string;
  dir: string;
  copies: number;
  documents: number;
  passages: number;
  knowledgeBytes: number;
  build: { fromFilesMs: number; fromFilesRuns: number[]; fromSnapshotMs: number; fromSnapshotRuns: number[]; snapshotBytes: number; passagesPerSecond: number };
  engine: {
    questions: number;
    samples: number;
    askP50Ms: number;
    askP99Ms: number;
    analysisAndSearchP50Ms: number;
    miniSearchP50Ms: number;
    miniSearchP99Ms: number;
    /** KnowledgeIndex.search with every term's prefix expansion off (diagnostic). */
    miniSearchNoPrefixP50Ms: number;
    plainMiniSearchP50Ms?: number;
    plainMiniSearchP99Ms?: number;
    /** Full ask() p50 over raw MiniSearch.search p50. */
    overheadRatio: number;
  };
  quality: Quality[];
  peers: {
    name: string;
    setup: string;
    buildMs: number;
    passagesPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    hit1: number;
    hit3: number;
    questions: number;
    sampled: boolean;
  }[];
  memory?: MemoryResult;
}

export interface MemoryResult {
  /** Where the child's index came from (the snapshot, unless the engine's code changed under the bench). */
  source: string;
  heapUsedMB: number;
  rssMB: number;
  /** Off-heap memory (Buffers: the passage texts, see src/search/passages.ts). */
  externalMB: number;
  /** Heap the engine added (after load − before, both after GC). */
  heapDeltaMB: number;
  /** (Heap + off-heap buffers) after load / knowledge text: the text is kept in a Buffer, so heap alone would flatter. */
  heapToText: number;
  answersPerSecond: number;
  questions: number;
  heapGrowthMB: number;
  checkpointsMB: number[];
}

export interface BuiltStartup {
  readyMs: number[];
  readyP50Ms: number;
  importedP50Ms: number;
  openP50Ms: number;
  firstAnswerP50Ms: number;
}

export interface StartupResult {
  /** An empty script under `node --import tsx`: the floor under every ready time. */
  nodeTsxBootMs: number;
  inProcess: BuiltStartup & { firstBuildReadyMs: number; openMs: number[] };
  worker: { readyMs: number[]; openMs: number[]; readyP50Ms: number; openP50Ms: number };
  /** The compiled engine in this thread, as the terminal runs it (`npm run build`, plain JavaScript: no TypeScript loader at start). */
  built: BuiltStartup;
  /** The compiled engine in a worker thread, as the Discord bot runs it (ThreadedEngine). */
  builtThreaded: BuiltStartup;
  corrupt: { ok: boolean; log: string };
  stale: { ok: boolean; log: string };
}

export interface HeartbeatResult {
  corpus: string;
  passages: number;
  /** The first build from the files, in this thread (engine option worker: false), snapshot save included. */
  inProcessRebuild: GapResult;
  /** The bot as shipped (ThreadedEngine): stalls of the thread that runs the Discord connection. */
  botThreadSnapshotLoad: { maxGapMs: number; durationMs: number };
  botThreadRebuild: GapResult;
  /** Questions asked one after another, 10 ms apart, during that rebuild: how long an answer could be held up. */
  answersDuringRebuild: AnswerDelays;
}

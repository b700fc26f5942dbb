/**
 * Fits the confidence model (src/answer/confidence.ts) on the `tune` halves of the blind sets:
 * `npx tsx bench/calibrate.ts [--split tune]`. For each question it records the evidence about the best
 * passage and whether the knowledge answers the question (its `expect` is not null), fits a logistic
 * regression (L2-regularised, gradient descent), and prints the coefficients with what each pair of
 * thresholds would do: answerable questions declined, no-answer questions declined, and how many
 * answerable questions would show nothing at all. Paste the chosen model into DEFAULT_MODEL.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { AnswerEngine } from "../src/answer/engine.ts";
import { DEFAULT_MODEL, FEATURES, features, near, type Evidence, type FeatureName } from "../src/answer/confidence.ts";
import { parseBlindSet } from "../src/answer/evaluate.ts";
import { ROOT } from "./corpora.ts";

const { values } = parseArgs({ options: { split: { type: "string" }, l2: { type: "string" } } });
const split = values.split ?? "tune";
const l2 = Number(values.l2 ?? 0.01);

interface Sample {
  set: string;
  kind: string;
  label: 0 | 1;
  x: Record<FeatureName, number> | undefined;
  /** Something in the knowledge is near the question (confidence.ts near()); questions with nothing near get no-match. */
  near: boolean;
}
const samples: Sample[] = [];
for (const name of ["seed", "rust-book", "vite-docs", "18f-handbook", "discordjs-guide", "obsidian-help"]) {
  const set = parseBlindSet(JSON.parse(readFileSync(path.join(ROOT, "bench/eval", `${name}.json`), "utf8")), name);
  const dir = path.resolve(ROOT, set.knowledge);
  if (!existsSync(dir)) continue;
  const engine = await AnswerEngine.open(dir, {});
  for (const q of set.questions) {
    if (split !== "all" && q.split !== split) continue;
    let evidence: Evidence | undefined;
    engine.ask(q.q, { top: 5, onEvidence: (e) => (evidence = e) });
    samples.push({
      set: name,
      kind: q.kind ?? "",
      label: q.expect ? 1 : 0,
      x: evidence ? features(evidence) : undefined,
      near: evidence ? near(evidence) : false,
    });
  }
}

const fitted = samples.filter((s): s is Sample & { x: Record<FeatureName, number> } => s.x !== undefined);
const w: Record<FeatureName, number> = Object.fromEntries(FEATURES.map((f) => [f, 0])) as Record<FeatureName, number>;
let b = 0;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const predict = (x: Record<FeatureName, number>) => sigmoid(b + FEATURES.reduce((z, f) => z + w[f] * x[f], 0));
// Classes weighted equally: there are four answerable questions to every no-answer one.
const positives = fitted.filter((s) => s.label === 1).length;
const negatives = fitted.length - positives;
const weightOf = (s: Sample) => (s.label === 1 ? fitted.length / (2 * positives) : fitted.length / (2 * negatives));
for (let step = 0; step < 20000; step++) {
  const grad: Record<string, number> = Object.fromEntries(FEATURES.map((f) => [f, 0]));
  let gb = 0;
  for (const s of fitted) {
    const err = (predict(s.x) - s.label) * weightOf(s);
    gb += err;
    for (const f of FEATURES) grad[f] = (grad[f] ?? 0) + err * s.x[f];
  }
  const rate = 0.5;
  b -= (rate * gb) / fitted.length;
  for (const f of FEATURES) w[f] -= rate * ((grad[f] ?? 0) / fitted.length + l2 * w[f]);
}

// A question with nothing near gets no-match before the model is asked: probability 0.
const scored = samples.map((s) => ({ ...s, p: s.x && s.near ? predict(s.x) : 0 }));
console.log(
  `nothing near (nearTopical ${DEFAULT_MODEL.nearTopical}, nearCover ${DEFAULT_MODEL.nearCover}): ${scored.filter((s) => !s.near && s.label === 1).length} answerable, ${scored.filter((s) => !s.near && s.kind === "none-offtopic").length} off-topic, ${scored.filter((s) => !s.near && s.kind === "none-uncovered").length} uncovered`,
);
const answerable = scored.filter((s) => s.label === 1);
const none = scored.filter((s) => s.label === 0);
// AUC: how often an answerable question scores above a no-answer one.
let pairs = 0;
let above = 0;
for (const a of answerable)
  for (const n of none) {
    pairs++;
    above += a.p > n.p ? 1 : a.p === n.p ? 0.5 : 0;
  }
console.log(`${split}: ${samples.length} questions (${answerable.length} answerable, ${none.length} not); AUC ${(above / pairs).toFixed(3)}`);
console.log(`model: intercept ${b.toFixed(3)}, weights ${JSON.stringify(Object.fromEntries(FEATURES.map((f) => [f, Number(w[f].toFixed(3))])))}`);
const pct = (n: number, d: number) => `${n}/${d} (${d ? Math.round((100 * n) / d) : 0}%)`;
console.log("answerAt  answerable declined  no-answer declined");
for (const t of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]) {
  console.log(
    `${t.toFixed(2).padEnd(9)} ${pct(answerable.filter((s) => s.p < t).length, answerable.length).padEnd(20)} ${pct(none.filter((s) => s.p < t).length, none.length)}`,
  );
}
console.log("unsureAt  answerable shown nothing  off-topic shown nothing  uncovered shown nothing");
for (const t of [0.02, 0.05, 0.08, 0.1, 0.15, 0.2]) {
  const off = none.filter((s) => s.kind === "none-offtopic");
  const unc = none.filter((s) => s.kind === "none-uncovered");
  console.log(
    `${t.toFixed(2).padEnd(9)} ${pct(answerable.filter((s) => s.p < t).length, answerable.length).padEnd(26)} ${pct(off.filter((s) => s.p < t).length, off.length).padEnd(24)} ${pct(unc.filter((s) => s.p < t).length, unc.length)}`,
  );
}

/**
 * The outcomes per day as a PNG bar chart, drawn in the process with Chart.js on @napi-rs/canvas (Skia,
 * shipped prebuilt as npm packages). Both are loaded on first use: only the report needs them. Text is
 * drawn with the system's sans-serif font (Debian: fonts-dejavu-core); without any font the bars still draw.
 */
// Chart.js is typed against the DOM's canvas, which this Node project's lib leaves out: its context is an
// unresolved type to the type-aware rules.
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unnecessary-type-assertion */
import type { Chart as ChartType, Plugin } from "chart.js";
import type { DayCounts } from "./report.ts";

export const CHART_WIDTH = 800;
export const CHART_HEIGHT = 400;

const COLOURS = { answered: "#3ba55c", unsure: "#faa61a", "no-match": "#ed4245" } as const;

/** A white background: the canvas is transparent, and a chat's dark theme would hide the axis text. */
const background: Plugin<"bar"> = {
  id: "background",
  beforeDraw(chart) {
    chart.ctx.save();
    chart.ctx.fillStyle = "#ffffff";
    chart.ctx.fillRect(0, 0, chart.width, chart.height);
    chart.ctx.restore();
  },
};

let libraries: Promise<{ Chart: typeof import("chart.js").Chart; createCanvas: typeof import("@napi-rs/canvas").createCanvas }> | undefined;

function load() {
  return (libraries ??= Promise.all([import("chart.js"), import("@napi-rs/canvas")]).then(([chartjs, canvas]) => {
    chartjs.Chart.register(...chartjs.registerables);
    return { Chart: chartjs.Chart, createCanvas: canvas.createCanvas };
  }));
}

/** A stacked bar per day (answered, unsure, no-match), CHART_WIDTH × CHART_HEIGHT pixels, as PNG bytes. */
export async function outcomesChart(perDay: readonly DayCounts[]): Promise<Buffer> {
  const { Chart, createCanvas } = await load();
  const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const first = perDay[0]?.day ?? "";
  const last = perDay[perDay.length - 1]?.day ?? "";
  // Chart.js is typed for the DOM's canvas; Skia's context implements the same drawing API.
  const chart = new Chart(canvas.getContext("2d") as unknown as ConstructorParameters<typeof ChartType>[0], {
    type: "bar",
    data: {
      labels: perDay.map((d) => d.day.slice(5)),
      datasets: (["answered", "unsure", "no-match"] as const).map((outcome) => ({
        label: outcome,
        data: perDay.map((d) => d[outcome]),
        backgroundColor: COLOURS[outcome],
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { title: { display: true, text: `Questions per day, ${first} to ${last} (UTC)` } },
    },
    plugins: [background],
  });
  try {
    return canvas.toBuffer("image/png");
  } finally {
    chart.destroy();
  }
}

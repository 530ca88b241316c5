// Charts as PNG, rendered server-side: Chart.js (the charting library) drawing on @napi-rs/canvas
// (Skia compiled for Node, shipped prebuilt in the npm package: no system libraries, no browser).
// Several charts stack into one image, on a white background (PNG is transparent otherwise).
import { createCanvas } from "@napi-rs/canvas";
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Title } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title);

export interface BarChartSpec {
  title: string;
  labels: string[];
  series: { label: string; values: number[]; color?: string }[];
  /** Horizontal bars read better for long labels (song titles). */
  horizontal?: boolean;
}

const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"];

export function barChartsPng(charts: readonly BarChartSpec[], size: { width: number; height: number } = { width: 900, height: 420 }): Buffer {
  const out = createCanvas(size.width, size.height * charts.length);
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, out.width, out.height);
  charts.forEach((spec, i) => {
    const canvas = createCanvas(size.width, size.height);
    const chart = new Chart(canvas.getContext("2d") as unknown as ConstructorParameters<typeof Chart>[0], {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, j) => ({ label: s.label, data: s.values, backgroundColor: s.color ?? COLORS[j % COLORS.length] })),
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: false,
        animation: false,
        devicePixelRatio: 1,
        layout: { padding: 12 },
        plugins: { title: { display: true, text: spec.title, font: { size: 16 } }, legend: { display: spec.series.length > 1 } },
        scales: { [spec.horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
    ctx.drawImage(canvas, 0, i * size.height);
    chart.destroy();
  });
  return out.toBuffer("image/png");
}

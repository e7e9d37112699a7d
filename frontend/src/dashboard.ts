// The administrator's dashboard: four per-day charts (Chart.js) from the figures the
// server aggregated and put in #dashboard-data. Tables are rendered server-side.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js'

import './dashboard.css'

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
  Legend,
)

type Series = 'uploads' | 'views' | 'failures' | 'bytes'

interface DashboardData {
  daily: Record<Series, number[]> & { labels: string[] }
  labels: Record<Series, string>
}

const COLOURS: Record<Series, string> = {
  uploads: '#2563eb',
  views: '#16a34a',
  failures: '#dc2626',
  bytes: '#9333ea',
}
const MB = 1_000_000

function readData(): DashboardData | null {
  const script = document.getElementById('dashboard-data')
  return script?.textContent ? (JSON.parse(script.textContent) as DashboardData) : null
}

function draw(data: DashboardData, series: Series): void {
  const canvas = document.getElementById(`chart-${series}`)
  if (!(canvas instanceof HTMLCanvasElement)) return
  const values = data.daily[series].map((value) => (series === 'bytes' ? value / MB : value))
  new Chart(canvas, {
    type: series === 'views' ? 'line' : 'bar',
    data: {
      labels: data.daily.labels,
      datasets: [
        {
          label: data.labels[series],
          data: values,
          backgroundColor: COLOURS[series],
          borderColor: COLOURS[series],
        },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: data.labels[series] }, legend: { display: false } },
      scales: { y: { beginAtZero: true } },
    },
  })
}

const data = readData()
if (data !== null) {
  for (const series of ['uploads', 'views', 'failures', 'bytes'] as const) draw(data, series)
}

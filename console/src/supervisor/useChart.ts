// The life of one ECharts chart in a component: made on the element once mounted, drawn by
// ``draw(chart)`` then whenever ``sources`` change, resized with the window, disposed on
// unmount. (The component registers the ECharts parts it uses with ``use`` itself.)
import { onBeforeUnmount, onMounted, type Ref, watch, type WatchSource } from 'vue'
import { init, type ECharts } from 'echarts/core'

export function useChart(element: Ref<HTMLDivElement | null>, draw: (chart: ECharts) => void,
  sources: WatchSource[]): void {
  let chart: ECharts | null = null
  const render = () => { if (chart) draw(chart) }
  const resize = () => { chart?.resize() }
  onMounted(() => {
    if (!element.value) return
    chart = init(element.value)
    render()
    window.addEventListener('resize', resize)
  })
  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    chart?.dispose()
    chart = null
  })
  watch(sources, render, { deep: true })
}

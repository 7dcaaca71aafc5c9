// ExportButton's words (added when the button is first used, like a surface's).
export default {
  'zh-CN': {
    exports: {
      excel: '导出 Excel', csv: '导出 CSV', of: '导出{subject}', queued: '正在准备导出…',
      progress: '已导出 {rows} 行（{percent}%）', progressRows: '已导出 {rows} 行',
      done: '导出完成，共 {rows} 行。', download: '下载 {name}', dismiss: '关闭',
      failed: '导出失败：{reason}',
    },
  },
  en: {
    exports: {
      excel: 'Export Excel', csv: 'Export CSV', of: 'Export {subject}', queued: 'Preparing the export…',
      progress: '{rows} rows exported ({percent}%)', progressRows: '{rows} rows exported',
      done: 'Export finished: {rows} rows.', download: 'Download {name}', dismiss: 'Close',
      failed: 'The export failed: {reason}',
    },
  },
}

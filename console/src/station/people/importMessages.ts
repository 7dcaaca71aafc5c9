// The words of 志愿者导入 (added by the station layout).
export default {
  'zh-CN': {
    station: {
      imports: {
        menu: '志愿者导入', title: '志愿者导入', hint: '导入全国志愿服务信息系统导出的志愿者名单（XLSX，或 UTF-8 / GB18030 编码的 CSV，不超过 20 MB）。新志愿者登记到所在社区（不开通登录），已有志愿者补充志愿者编号和认证状态；有问题的行单独拒绝，其余照常导入。',
        file: '选择文件', upload: '上传并导入', uploading: '正在上传…', queued: '已排队，等待处理…',
        progress: '已处理 {done} / {total} 行', progressRows: '已处理 {done} 行',
        counts: '新增 {created}，更新 {updated}，未变 {unchanged}，拒绝 {refused}',
        done: '导入完成', failed: '导入失败：{reason}', refusedRows: '被拒绝的行', line: '行号', reason: '原因',
        downloadErrors: '下载拒绝明细（CSV）', noRefused: '没有被拒绝的行。', past: '我的导入', fileName: '文件',
        startedAt: '开始时间', status: '状态', view: '查看', created: '新增', updated: '更新', unchanged: '未变', refused: '拒绝',
        statuses: { queued: '排队中', running: '进行中', done: '已完成', failed: '失败' },
        problems: { none: '请选择文件。', type: '只能导入 .xlsx 或 .csv 文件。', empty: '文件是空的。', size: '文件超过 20 MB。' },
        noImports: '还没有导入过。',
      },
    },
  },
  en: {
    station: {
      imports: {
        menu: 'Import volunteers', title: 'Import volunteers', hint: 'Import the volunteer list exported from the national volunteer system (XLSX, or CSV in UTF-8 / GB18030, at most 20 MB). New volunteers are registered in their community (without a login); known volunteers get their volunteer number and registry status. A bad row is refused alone; the rest is imported.',
        file: 'Choose a file', upload: 'Upload and import', uploading: 'Uploading…', queued: 'Queued, waiting…',
        progress: '{done} of {total} rows done', progressRows: '{done} rows done',
        counts: '{created} created, {updated} updated, {unchanged} unchanged, {refused} refused',
        done: 'Import finished', failed: 'Import failed: {reason}', refusedRows: 'Refused rows', line: 'Line', reason: 'Reason',
        downloadErrors: 'Download the refused rows (CSV)', noRefused: 'No row was refused.', past: 'My imports', fileName: 'File',
        startedAt: 'Started', status: 'Status', view: 'View', created: 'Created', updated: 'Updated', unchanged: 'Unchanged', refused: 'Refused',
        statuses: { queued: 'Queued', running: 'Running', done: 'Done', failed: 'Failed' },
        problems: { none: 'Choose a file.', type: 'Only .xlsx or .csv files can be imported.', empty: 'The file is empty.', size: 'The file is over 20 MB.' },
        noImports: 'Nothing imported yet.',
      },
    },
  },
}

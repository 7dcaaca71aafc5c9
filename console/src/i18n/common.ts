// Words every surface uses. Each surface keeps its own words in <surface>/messages.ts and adds
// them when it loads (addMessages), so a surface's bundle carries only its own text.
export default {
  'zh-CN': {
    app: { name: '时间银行', tagline: '低龄存时间，高龄换服务' },
    common: {
      save: '保存', cancel: '取消', confirm: '确认', submit: '提交', search: '查询', reset: '重置',
      back: '返回', next: '下一步', refresh: '刷新', loading: '正在加载…', empty: '暂无数据',
      retry: '重试', close: '关闭', edit: '修改', view: '查看', details: '详情', actions: '操作',
      yes: '是', no: '否', all: '全部', total: '共 {n} 条', download: '下载', print: '打印',
      saved: '已保存', done: '已完成', optional: '选填', required: '必填', reason: '原因',
      language: '语言', switchLanguage: 'English', logout: '退出登录', logoutEverywhere: '退出所有设备',
      surface: '工作台', skipToContent: '跳到主要内容',
    },
    login: {
      title: '登录时间银行', phone: '手机号', password: '密码', submit: '登录',
      phoneInvalid: '请输入 11 位手机号', passwordRequired: '请输入密码',
      demoHint: '演示账号见启动时打印的列表', join: '我要当志愿者', joinHint: '还没有账号？先登记志愿服务意向',
    },
    password: {
      title: '修改密码', menu: '修改密码',
      requiredNotice: '首次登录请先修改密码。您使用的是一次性密码，修改之前不能进行其他操作。',
      current: '当前密码', currentOneTime: '当前密码（一次性密码）', new: '新密码', repeat: '再次输入新密码',
      hint: '密码规则：8 至 128 位，包含小写字母、大写字母、数字、符号中的至少三种（12 位及以上的密码至少两种）；不能包含手机号码或出生日期，不能是常见密码，不能与当前密码相同。',
      submit: '确认修改', saving: '正在修改…', back: '返回', logout: '退出登录',
      changedLogIn: '密码已修改。为了安全，您在所有设备上的登录都已退出，请用新密码重新登录。',
      problems: {
        currentRequired: '请输入当前密码', newRequired: '请输入新密码', repeatRequired: '请再次输入新密码',
        tooShort: '新密码至少需要 8 位', tooLong: '新密码不能超过 128 位',
        tooSimple: '新密码需包含小写字母、大写字母、数字、符号中的至少三种（12 位及以上至少两种）',
        containsPhone: '新密码不能包含手机号码', unchanged: '新密码不能与当前密码相同',
        mismatch: '两次输入的新密码不一致',
      },
    },
    surfaces: {
      station: '服务站工作台', volunteer: '志愿者', elder: '长辈', supervisor: '监管看板', admin: '系统管理',
    },
    roles: {
      province_admin: '省级管理员', city_admin: '市级管理员', county_admin: '县级管理员',
      township_admin: '乡镇管理员', station_operator: '服务站工作人员', auditor: '审计员',
      volunteer: '志愿者', elder: '老年人', relative: '亲属',
    },
    errors: {
      unavailable: '服务正忙或暂时不可用，请稍等片刻再试。您填写的内容不会丢失。',
      network: '网络连接中断，请检查网络后重试。',
      unknown: '出了点问题，请稍后重试。',
      sessionEnded: '登录已过期，请重新登录。',
      forbidden: '您没有权限访问这个页面。',
      notFound: '页面不存在。',
    },
  },
  en: {
    app: { name: 'Time Bank', tagline: 'Bank time while young, draw services when old' },
    common: {
      save: 'Save', cancel: 'Cancel', confirm: 'Confirm', submit: 'Submit', search: 'Search', reset: 'Reset',
      back: 'Back', next: 'Next', refresh: 'Refresh', loading: 'Loading…', empty: 'Nothing here yet',
      retry: 'Try again', close: 'Close', edit: 'Edit', view: 'View', details: 'Details', actions: 'Actions',
      yes: 'Yes', no: 'No', all: 'All', total: '{n} in all', download: 'Download', print: 'Print',
      saved: 'Saved', done: 'Done', optional: 'optional', required: 'required', reason: 'Reason',
      language: 'Language', switchLanguage: '中文', logout: 'Log out', logoutEverywhere: 'Log out everywhere',
      surface: 'Workspace', skipToContent: 'Skip to main content',
    },
    login: {
      title: 'Log in to Time Bank', phone: 'Mobile number', password: 'Password', submit: 'Log in',
      phoneInvalid: 'Enter an 11-digit mobile number', passwordRequired: 'Enter your password',
      demoHint: 'Demo logins are printed when the platform starts', join: 'I want to volunteer',
      joinHint: 'No account yet? Register your wish to volunteer first',
    },
    password: {
      title: 'Change password', menu: 'Change password',
      requiredNotice: 'Please change your one-time password first. You logged in with a one-time password; nothing else can be done until it is changed.',
      current: 'Current password', currentOneTime: 'Current password (the one-time password)', new: 'New password', repeat: 'New password again',
      hint: 'Password rules: 8 to 128 characters, with at least three of lower-case letters, upper-case letters, digits and symbols (two from 12 characters); not containing your mobile number or date of birth, not a common password, not the current one.',
      submit: 'Change password', saving: 'Changing…', back: 'Back', logout: 'Log out',
      changedLogIn: 'Your password has been changed. For your safety you have been logged out on every device; please log in with the new password.',
      problems: {
        currentRequired: 'Enter your current password', newRequired: 'Enter a new password', repeatRequired: 'Enter the new password again',
        tooShort: 'The new password needs at least 8 characters', tooLong: 'The new password has at most 128 characters',
        tooSimple: 'Use at least three of: lower-case letters, upper-case letters, digits, symbols (two are enough from 12 characters)',
        containsPhone: 'The new password must not contain your mobile number', unchanged: 'The new password must differ from the current one',
        mismatch: 'The two new passwords differ',
      },
    },
    surfaces: {
      station: 'Station desk', volunteer: 'Volunteer', elder: 'Elder', supervisor: 'Supervision', admin: 'Administration',
    },
    roles: {
      province_admin: 'Province admin', city_admin: 'City admin', county_admin: 'County admin',
      township_admin: 'Township admin', station_operator: 'Station operator', auditor: 'Auditor',
      volunteer: 'Volunteer', elder: 'Elder', relative: 'Relative',
    },
    errors: {
      unavailable: 'The service is busy or briefly unavailable. Please wait a moment and try again; what you entered is kept.',
      network: 'The network connection dropped. Check it and try again.',
      unknown: 'Something went wrong. Please try again shortly.',
      sessionEnded: 'Your login has expired. Please log in again.',
      forbidden: 'You may not open this page.',
      notFound: 'No such page.',
    },
  },
}

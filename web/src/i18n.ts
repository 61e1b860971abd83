// Chinese first, English available: the console's words, and the names of roles and lights.
import { createI18n } from 'vue-i18n'

const zh = {
  app: '善治 · 网格化治理', appShort: '善治', residentLink: '居民无需登录：我要上报问题 / 查询进度', loginLink: '工作人员登录', login: '登录', logout: '退出', username: '账号', password: '密码',
  language: 'English', desk: '案件台', search: '搜索描述、地址、意见', light: '亮灯', overdue: '仅超时',
  area: '区域代码', state: '状态', apply: '查询', reset: '重置', export: '导出 Excel', total: '共 {n} 件',
  capped: '匹配过多，仅统计最新 5000 件', id: '编号', type: '类型', description: '问题描述', grid: '网格',
  reported: '上报时间', deadline: '环节时限', unit: '责任单位', channel: '来源', route: '派遣依据',
  notLocated: '不在任何网格内（已保留并标记）', log: '流转记录', actions: '可办理操作', noActions: '当前无可办理操作',
  opinion: '意见', units: '承办单位', assisting: '协办单位', rating: '满意度', evidence: '照片或文件',
  extension: '延期（工作日）', parent: '合并到案件编号', submit: '提交', cancel: '取消', done: '已办理：{name}',
  note: '补充说明', addNote: '添加说明', noteSaved: '说明已添加', back: '返回案件台', unmask: '显示个人信息',
  loginFailed: '登录失败', reworks: '返工 {n} 次', extensions: '延期 {n} 次', empty: '没有符合条件的案件',
  satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意', uploaded: '已上传 {n} 个文件',
  report: {
    type: '问题类型', typeHint: '输入关键字查找，如“井盖”“垃圾”', description: '问题描述', descriptionHint: '描述问题及具体位置',
    phone: '联系电话（选填，仅工作人员可见）', phoneHint: '方便回访，可不填', photos: '现场照片', takePhoto: '拍照/相册',
    uploadingOne: '上传中…', where: '问题位置', gps: '使用当前位置', onMap: '在地图上点选', city: '唐山市',
    tapHint: '点击地图上问题所在的位置', outside: '不在任何网格内（仍会受理）', noGps: '无法获取定位，请在地图上点选位置',
    needType: '请选择问题类型', needPlace: '请确定问题位置（定位或在地图上点选）', needDescription: '请填写问题描述', badPhone: '请填写 11 位手机号或带区号的座机号', uploading: '照片仍在上传，请稍候',
    retry: '网络不稳定，提交未完成，请再点一次提交（不会重复上报）', submit: '提交上报', thanks: '已收到您的上报',
    view: '查看进度', another: '再报一件',
  },
  worker: { mine: '我的网格', verify: '待核实', recheck: '待核查', open: '在办', report: '上报', none: '暂无任务' },
  resident: {
    title: '我要上报', intro: '无需注册。提交后可凭编号查询进度，结案后可评价。', number: '案件编号', mine: '我的上报（本机）',
    noneYet: '本机还没有上报记录', code: '本机查询码（换手机时输入此码可找回记录）：', restore: '输入查询码', useCode: '找回',
    badCode: '查询码应为 32 到 64 位十六进制字符', lookUp: '按编号查询', numberHint: '输入案件编号', go: '查询',
    badNumber: '案件编号应为数字', loggedIn: '您已用工作账号登录：此页的上报将以该账号提交',
  },
  track: {
    back: '返回上报页', notFound: '未找到该案件（或该案件不公开）', rateIt: '请评价处理结果', reason: '意见（选填）',
    thanks: '感谢您的评价', closed: '已办结', open: '办理中', publicOnly: '这是公开信息；用上报时的手机可查看完整进度并评价。',
  },
  dashboards: '统计考核',
  dash: {
    event: '城市管理事件', demand: '12345 诉求', reported: '上报数', filed: '立案数', closed: '结案数', dispatched: '派遣数',
    overdue: '超期数', onTimeHandling: '按期处置率', onTimeClosing: '按期结案率', satisfaction: '满意率', score: '综合得分',
    trend: '月度趋势', ranking: '下级区域排名', types: '问题类别构成（点击小类查看案件）', units: '部门考核得分（最低 15 个）',
    heat: '区域 × 月份 上报热力', table: '下级区域考核表',
    rank: { score: '综合得分', on_time_closing: '按期结案率', satisfaction: '满意率', reported: '上报数' },
  },
  command: '指挥中心', filters: '筛选条件',
  cmd: {
    live: '实时', offline: '重连中', at: '数据时刻 {at}', map: '网格地图', children: '下级区域', name: '名称', feed: '实时动态',
    quiet: '暂无新动态', today: '今日受理', open: '在办案件', yellow: '黄灯预警', red: '红灯超时', summoned: '吹哨待报到',
    unlocated: '未落网格', on_time: '本月按期处置率', openShort: '在办', redShort: '红灯', yellowShort: '黄灯',
    summonedShort: '吹哨', todayShort: '今日',
    events: { new: '新案件', dispatched: '已派遣', whistle: '吹哨', overdue: '超时', escalated: '升级', closed: '结案', note: '说明', updated: '流转' },
  },
  extra: { closed: { true: '已结案', false: '未结案' }, summoned: { true: '吹哨待报到', false: '无待报到' }, located: { true: '已落网格', false: '未落网格' }, from: '上报不早于 {v}', to: '上报早于 {v}',
    closed_from: '结案不早于 {v}', closed_to: '结案早于 {v}', type: '类型 {v}', unit: '单位 {v}', kind: '种类 {v}' },
  lights: { green: '绿灯', yellow: '黄灯', red: '红灯' },
  channels: {
    patrol: '巡查上报', resident_web: '市民网上上报', resident_phone: '市民来电', hotline: '12345热线',
    device: '物联感知设备', open311: 'Open311 接口',
  },
  roles: {
    city_admin: '市级管理员', intake_operator: '受理员', shift_supervisor: '值班长', dispatcher: '派遣员',
    department_handler: '部门处置人员', street_staff: '街道工作人员', grid_worker: '网格员', building_head: '楼长',
    resident: '居民', device: '设备', party_organisation: '社区党组织', residents_committee: '居委会',
    property_service: '物业服务企业', owners_committee: '业主委员会', service_station: '综合服务站',
  },
}

const en: typeof zh = {
  app: 'Shanzhi · Grid governance', appShort: 'Shanzhi', residentLink: 'Residents: report a problem or follow one, no account needed', loginLink: 'Staff login', login: 'Log in', logout: 'Log out', username: 'Username', password: 'Password',
  language: '中文', desk: 'Case desk', search: 'Search descriptions, places, notes', light: 'Light', overdue: 'Overdue only',
  area: 'Area code', state: 'State', apply: 'Search', reset: 'Reset', export: 'Export to Excel', total: '{n} cases',
  capped: 'Too many matches: only the newest 5,000 were counted', id: 'Case', type: 'Type', description: 'Description',
  grid: 'Grid', reported: 'Reported', deadline: 'Step deadline', unit: 'Unit', channel: 'Channel', route: 'Routing',
  notLocated: 'Outside every grid (kept and flagged)', log: 'Log', actions: 'Actions', noActions: 'Nothing to do now',
  opinion: 'Opinion', units: 'Primary unit', assisting: 'Assisting units', rating: 'Satisfaction',
  evidence: 'Photos or files', extension: 'Extension (working days)', parent: 'Merge into case', submit: 'Submit',
  cancel: 'Cancel', done: 'Done: {name}', note: 'Note', addNote: 'Add a note', noteSaved: 'Note added',
  back: 'Back to the desk', unmask: 'Show personal data', loginFailed: 'Login failed', reworks: 'Reworked {n}×',
  extensions: 'Extended {n}×', empty: 'No case matches', satisfied: 'Satisfied', basically_satisfied: 'Basically satisfied',
  dissatisfied: 'Dissatisfied', uploaded: '{n} file(s) uploaded',
  report: {
    type: 'Problem type', typeHint: 'Type to search, e.g. manhole, rubbish', description: 'What is wrong',
    descriptionHint: 'Describe the problem and exactly where it is', phone: 'Phone (optional, seen by staff only)',
    phoneHint: 'For a call-back; may be left empty', photos: 'Photos', takePhoto: 'Camera / album', uploadingOne: 'Uploading…',
    where: 'Where', gps: 'Use my position', onMap: 'Pick on the map', city: 'Tangshan', tapHint: 'Tap where the problem is',
    outside: 'Outside every grid (it will still be handled)', noGps: 'No position from the phone: pick the place on the map',
    needType: 'Choose a type', needPlace: 'Say where it is (your position, or a tap on the map)', needDescription: 'Describe the problem', badPhone: 'A mobile number (11 digits) or a landline with its area code',
    uploading: 'Photos are still uploading', retry: 'The network failed: press submit again (it will not report twice)',
    submit: 'Report', thanks: 'Your report has been received', view: 'Follow it', another: 'Report another',
  },
  worker: { mine: 'My grid', verify: 'To verify', recheck: 'To re-check', open: 'Open', report: 'Report', none: 'Nothing to do' },
  resident: {
    title: 'Report a problem', intro: 'No account needed. Follow it by its number, and rate it when it is closed.',
    number: 'Case number', mine: 'My reports (this phone)', noneYet: 'No reports from this phone yet',
    code: 'This phone\'s follow code (enter it on another phone to see your reports there):', restore: 'Enter a follow code',
    useCode: 'Restore', badCode: 'A follow code has 32 to 64 hexadecimal digits', lookUp: 'Look up a case', numberHint: 'Case number',
    go: 'Look up', badNumber: 'A case number is digits', loggedIn: 'You are logged in with a staff account: reports here are made under it',
  },
  track: {
    back: 'Back to reporting', notFound: 'No such case (or it is not public)', rateIt: 'How was it handled?', reason: 'Comment (optional)',
    thanks: 'Thank you for rating', closed: 'Closed', open: 'Being handled', publicOnly: 'Public information; the phone it was reported from sees every step and can rate it.',
  },
  dashboards: 'Assessment',
  dash: {
    event: 'Urban events', demand: '12345 demands', reported: 'Reported', filed: 'Filed', closed: 'Closed', dispatched: 'Dispatched',
    overdue: 'Overdue steps', onTimeHandling: 'On-time handling', onTimeClosing: 'On-time closing', satisfaction: 'Satisfaction', score: 'Score',
    trend: 'Monthly trend', ranking: 'Areas below, ranked', types: 'By category and type (click a type for its cases)',
    units: 'Department scores (lowest 15)', heat: 'Reports by area and month', table: 'Assessment of the areas below',
    rank: { score: 'Score', on_time_closing: 'On-time closing', satisfaction: 'Satisfaction', reported: 'Reported' },
  },
  command: 'Command centre', filters: 'Filters',
  cmd: {
    live: 'Live', offline: 'Reconnecting', at: 'As of {at}', map: 'Grid map', children: 'Areas below', name: 'Name', feed: 'Live feed',
    quiet: 'Nothing new yet', today: 'Reported today', open: 'Open cases', yellow: 'Yellow lights', red: 'Red lights (overdue)',
    summoned: 'Whistles waiting', unlocated: 'Outside every grid', on_time: 'On-time handling this month', openShort: 'Open',
    redShort: 'Red', yellowShort: 'Yellow', summonedShort: 'Whistle', todayShort: 'Today',
    events: { new: 'New', dispatched: 'Dispatched', whistle: 'Whistle', overdue: 'Overdue', escalated: 'Escalated', closed: 'Closed', note: 'Note', updated: 'Moved' },
  },
  extra: { closed: { true: 'Closed', false: 'Not closed' }, summoned: { true: 'Whistle waiting', false: 'No whistle waiting' }, located: { true: 'In a grid', false: 'Outside every grid' }, from: 'Reported from {v}', to: 'Reported before {v}',
    closed_from: 'Closed from {v}', closed_to: 'Closed before {v}', type: 'Type {v}', unit: 'Unit {v}', kind: 'Kind {v}' },
  lights: { green: 'Green', yellow: 'Yellow', red: 'Red' },
  channels: {
    patrol: 'Patrol', resident_web: 'Resident (web)', resident_phone: 'Resident (phone)', hotline: '12345 hotline',
    device: 'Device', open311: 'Open311',
  },
  roles: {
    city_admin: 'City administrator', intake_operator: 'Intake operator', shift_supervisor: 'Shift supervisor',
    dispatcher: 'Dispatcher', department_handler: 'Department handler', street_staff: 'Street staff',
    grid_worker: 'Grid worker', building_head: 'Building head', resident: 'Resident', device: 'Device',
    party_organisation: 'Party organisation', residents_committee: 'Residents committee',
    property_service: 'Property service', owners_committee: 'Owners committee', service_station: 'Service station',
  },
}

export const i18n = createI18n({
  legacy: false,
  locale: localStorage.getItem('shanzhi.lang') ?? 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

/** Formats an instant in Beijing time. */
export function when(t: string | null | undefined): string {
  if (!t) return ''
  return new Date(t).toLocaleString(i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  })
}

/** Now, shifted so that its UTC fields read Beijing time (`.toISOString().slice(0, 7)`: this month). */
export function beijingNow(): Date {
  return new Date(Date.now() + 8 * 3600_000)
}

/** When today began in Beijing time, as RFC 3339 (for "reported today"). */
export function todayStart(): string {
  const day = beijingNow().toISOString().slice(0, 10)
  return `${day}T00:00:00+08:00`
}

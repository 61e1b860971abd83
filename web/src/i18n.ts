// Chinese first, English available: the console's words, and the names of roles and lights.
import { createI18n } from 'vue-i18n'

const zh = {
  app: '善治 · 网格化治理', appShort: '善治', login: '登录', logout: '退出', username: '账号', password: '密码',
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
  app: 'Shanzhi · Grid governance', appShort: 'Shanzhi', login: 'Log in', logout: 'Log out', username: 'Username', password: 'Password',
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

/** When today began in Beijing time, as RFC 3339 (for "reported today"). */
export function todayStart(): string {
  const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
  return `${day}T00:00:00+08:00`
}

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
    view: '查看进度', another: '再报一件', placeLater: '已记录当前定位（联网后确定所在网格）', photoLater: '联网后上传',
  },
  outbox: {
    title: '待发送 {n} 件', send: '立即发送', hint: '无网络时上报保存在本机，联网后自动发送，不会重复上报',
    queued: '当前无网络：已保存在本机，联网后自动发送', sent: '已发送 {n} 件待发送的上报', refused: '未被受理：', delete: '删除',
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
    heat: '区域 × 月份 上报热力', table: '下级区域考核表', noTypes: '分类构成按街道及以上统计，社区与网格不分类型', noUnits: '部门得分按社区及以上统计',
    rank: { score: '综合得分', on_time_handling: '按期处置率', on_time_closing: '按期结案率', satisfaction: '满意率', reported: '上报数' },
    formula: { on_time_handling: '按期处置数 ÷ 应结案数（点击数字查看案件）', on_time_closing: '按期结案数 ÷ 应结案数（点击数字查看案件）', satisfaction: '（满意 + 基本满意 × 折算系数）÷ 评价数（点击数字查看案件）' },
  },
  admin: {
    title: '系统管理', users: '用户', roles: '角色与数据权限', grids: '网格', taxonomy: '事件分类与时限', calendar: '工作日历',
    reference: '参考数据版本', keys: 'API 密钥',
    find: '账号或姓名', anyRole: '全部角色', anyState: '全部状态', active: '启用', disabled: '已停用', newUser: '新建用户',
    username: '账号', displayName: '姓名', role: '角色', unit: '所属单位', state: '状态', password: '初始密码',
    passwordHint: '至少 8 位，含大小写字母、数字、符号中的三类', noPassword: '未设密码', locked: '锁定至 {t}',
    edit: '修改', disable: '停用', enable: '启用', resetPassword: '重置密码', newPassword: '新密码', save: '保存',
    created: '已创建用户 {u}', saved: '已保存', passwordSet: '密码已重置，该账号其他登录已失效',
    disableConfirm: '停用 {u}？其登录和 API 密钥将立即失效。', unitHint: '输入单位名称或代码查找',
    usernameHint: '小写字母开头，2–32 位：字母、数字、- _ .', roleFirst: '先选择角色',
    scope: '数据权限', unitKinds: '所属单位类型', actionsOf: '可办理的流程操作', userCount: '用户数',
    scopes: { centre: '指挥中心：市级看全部，区县看本区县', area: '本单位辖区（街道或社区）及派给本单位的案件', units: '派给或吹哨到本单位的案件', own: '仅本人上报的案件' },
    unitKindNames: { command_centre: '指挥中心', department: '职能部门', street_office: '街道办事处', party_organisation: '社区党组织', residents_committee: '居委会', owners_committee: '业委会', property_service: '物业服务企业', building_heads: '楼门长', service_station: '综合服务站' },
    areaCode: '区域代码', showArea: '查看', up: '上一级', exportGrids: '导出网格 GeoJSON', importGrids: '导入网格 GeoJSON',
    check: '检查文件', checking: '检查中…', importNow: '确认导入', checkedOk: '文件通过检查：{n} 个网格，可以导入',
    imported: '已导入 {n} 个网格', rejected: '文件未通过检查：{n} 个问题，未写入任何数据', feature: '要素序号', code: '代码', kind: '问题',
    message: '说明', file: '文件', chooseFile: '选择文件', gridCount: '网格数', workers: '网格员',
    problemKinds: { syntax: '格式错误', geometry: '几何错误', invalid_ring: '环无效', self_intersection: '自相交', bad_code: '代码错误', unknown_community: '社区不存在', duplicate_code: '代码重复', overlap: '与其他网格重叠', bad_property: '属性错误' },
    category: '大类', typeCode: '小类代码', typeName: '小类名称', department: '主责部门', level: '最低处置层级', limit: '处置时限',
    urgency: '紧急程度', filing: '立案条件', closing: '结案条件', version: '版本', findType: '按名称或代码查找',
    levels: { community: '社区', street: '街道', district: '区县' }, urgent: '紧急', normal: '一般',
    limitUnits: { minutes: '{n} 分钟', calendar_hours: '{n} 小时', working_hours: '{n} 工作小时', working_days: '{n} 个工作日' },
    year: '年份', workHours: '工作时间', holiday: '法定节假日', makeUp: '调休上班', weekend: '周末', provisional: '暂定（待国务院公布后替换）',
    validRange: '有效期 {from} 至 {to}', weekdays: '一二三四五六日',
    kindNames: { taxonomy: '事件分类', calendar: '工作日历', departments: '部门名录', routing: '派遣规则', duplicates: '重复判定', assessment: '考核权重' },
    workflow: '流程', current: '当前生效', importedAt: '导入时间', view: '查看', importFile: '导入新版本', importKind: '数据种类',
    checkedRef: '检查通过：版本 {v}，{n} 项', importedRef: '已导入并生效：版本 {v}', keyName: '名称', keyUser: '代表账号',
    keyScope: '权限范围', createdAt: '创建时间', revokedAt: '吊销时间', newKey: '新建密钥', revoke: '吊销', revokeConfirm: '吊销密钥 {k}？使用它的设备将立即无法访问。',
    keyShown: '新密钥（只显示这一次，请立即保存）：', keyScopes: { report: '仅上报', read: '只读', open311: 'Open311', full: '全部' },
    onlyAdmin: '系统管理仅限市级管理员',
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
    closed_from: '结案不早于 {v}', closed_to: '结案早于 {v}', type: '类型 {v}', unit: '单位 {v}', kind: '种类 {v}',
    figure: '统计口径：{v}（每件案件列一次）', figure_from: '计入时间不早于 {v}', figure_to: '计入时间早于 {v}', figure_unit: '计入单位 {v}',
    figures: {
      reported: '上报', filed: '立案', filed_public: '公众举报立案', dispatched: '派遣', due: '应结案（处置时限在此期间）', handled: '处置反馈',
      handled_on_time: '按期处置', closed: '结案', closed_on_time: '按期结案', rework: '返工', overdue_steps: '超期环节', extensions: '延期',
      suspended: '挂账', returned: '回退', voided: '作废', rejected: '不予立案', self_handled: '自行处置',
      satisfied: '满意', basically_satisfied: '基本满意', dissatisfied: '不满意',
    } },
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
    placeLater: 'Position kept (its grid is found once online)', photoLater: 'Uploads once online',
  },
  outbox: {
    title: '{n} waiting to be sent', send: 'Send now', hint: 'Reports made without signal are kept on this phone and sent once online, never twice',
    queued: 'No network: kept on this phone, sent once online', sent: '{n} waiting report(s) sent', refused: 'Refused: ', delete: 'Delete',
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
    units: 'Department scores (lowest 15)', heat: 'Reports by area and month', table: 'Assessment of the areas below', noTypes: 'Categories are counted from the street up, not per community or grid', noUnits: 'Department scores are counted from the community up',
    rank: { score: 'Score', on_time_handling: 'On-time handling', on_time_closing: 'On-time closing', satisfaction: 'Satisfaction', reported: 'Reported' },
    formula: { on_time_handling: 'Handled on time ÷ due (click a count for its cases)', on_time_closing: 'Closed on time ÷ due (click a count for its cases)', satisfaction: '(satisfied + basically satisfied × weight) ÷ ratings (click a count for its cases)' },
  },
  admin: {
    title: 'Administration', users: 'Users', roles: 'Roles & data scope', grids: 'Grids', taxonomy: 'Taxonomy & time limits', calendar: 'Work calendar',
    reference: 'Reference data', keys: 'API keys',
    find: 'Username or name', anyRole: 'Any role', anyState: 'Any state', active: 'Active', disabled: 'Disabled', newUser: 'New user',
    username: 'Username', displayName: 'Name', role: 'Role', unit: 'Unit', state: 'State', password: 'First password',
    passwordHint: 'At least 8 characters, three of: lower case, upper case, digits, symbols', noPassword: 'No password', locked: 'Locked until {t}',
    edit: 'Edit', disable: 'Disable', enable: 'Enable', resetPassword: 'Reset password', newPassword: 'New password', save: 'Save',
    created: 'User {u} created', saved: 'Saved', passwordSet: 'Password set; the account\'s other logins ended',
    disableConfirm: 'Disable {u}? Its logins and API keys stop working at once.', unitHint: 'Type a unit\'s name or code',
    usernameHint: 'Starts with a lower-case letter, 2–32 of: letters, digits, - _ .', roleFirst: 'Choose the role first',
    scope: 'Data scope', unitKinds: 'Unit kinds', actionsOf: 'Workflow actions', userCount: 'Users',
    scopes: { centre: 'Command centre: everything at the city, the county at a county', area: 'The unit\'s street or community, and cases assigned to the unit', units: 'Cases assigned or summoned to the unit', own: 'Own reports only' },
    unitKindNames: { command_centre: 'Command centre', department: 'Department', street_office: 'Street office', party_organisation: 'Party organisation', residents_committee: 'Residents\' committee', owners_committee: 'Owners\' committee', property_service: 'Property service', building_heads: 'Building heads', service_station: 'Service station' },
    areaCode: 'Area code', showArea: 'Show', up: 'Up', exportGrids: 'Export grids (GeoJSON)', importGrids: 'Import grids (GeoJSON)',
    check: 'Check the file', checking: 'Checking…', importNow: 'Import', checkedOk: 'The file passed: {n} grids, ready to import',
    imported: '{n} grids imported', rejected: 'The file was rejected: {n} problem(s); nothing was written', feature: 'Feature', code: 'Code', kind: 'Problem',
    message: 'Message', file: 'File', chooseFile: 'Choose a file', gridCount: 'Grids', workers: 'Grid workers',
    problemKinds: { syntax: 'Syntax', geometry: 'Geometry', invalid_ring: 'Invalid ring', self_intersection: 'Self-intersection', bad_code: 'Bad code', unknown_community: 'Unknown community', duplicate_code: 'Duplicate code', overlap: 'Overlaps another grid', bad_property: 'Bad property' },
    category: 'Category', typeCode: 'Type code', typeName: 'Type', department: 'Department', level: 'Lowest level', limit: 'Time limit',
    urgency: 'Urgency', filing: 'Filing condition', closing: 'Closing condition', version: 'Version', findType: 'Find by name or code',
    levels: { community: 'Community', street: 'Street', district: 'County' }, urgent: 'Urgent', normal: 'Normal',
    limitUnits: { minutes: '{n} min', calendar_hours: '{n} h', working_hours: '{n} working h', working_days: '{n} working days' },
    year: 'Year', workHours: 'Working hours', holiday: 'Public holiday', makeUp: 'Make-up working day', weekend: 'Weekend', provisional: 'Provisional (to be replaced by the State Council notice)',
    validRange: 'Valid {from} to {to}', weekdays: 'MTWTFSS',
    kindNames: { taxonomy: 'Taxonomy', calendar: 'Work calendar', departments: 'Departments', routing: 'Routing rules', duplicates: 'Duplicate rules', assessment: 'Assessment weights' },
    workflow: 'Workflow', current: 'In force', importedAt: 'Imported', view: 'View', importFile: 'Import a new version', importKind: 'Kind',
    checkedRef: 'Passed: version {v}, {n} item(s)', importedRef: 'Imported and in force: version {v}', keyName: 'Name', keyUser: 'Acts as',
    keyScope: 'Scope', createdAt: 'Created', revokedAt: 'Revoked', newKey: 'New key', revoke: 'Revoke', revokeConfirm: 'Revoke key {k}? Devices using it lose access at once.',
    keyShown: 'The new key (shown only this once: save it now):', keyScopes: { report: 'Report only', read: 'Read', open311: 'Open311', full: 'Full' },
    onlyAdmin: 'Administration is for city administrators',
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
    closed_from: 'Closed from {v}', closed_to: 'Closed before {v}', type: 'Type {v}', unit: 'Unit {v}', kind: 'Kind {v}',
    figure: 'Counted as: {v} (each case once)', figure_from: 'Counted from {v}', figure_to: 'Counted before {v}', figure_unit: 'Counted under {v}',
    figures: {
      reported: 'reported', filed: 'filed', filed_public: 'filed from the public', dispatched: 'dispatched', due: 'due (deadline in the period)', handled: 'handled',
      handled_on_time: 'handled on time', closed: 'closed', closed_on_time: 'closed on time', rework: 'reworked', overdue_steps: 'overdue steps', extensions: 'extended',
      suspended: 'suspended', returned: 'returned', voided: 'voided', rejected: 'rejected', self_handled: 'self-handled',
      satisfied: 'satisfied', basically_satisfied: 'basically satisfied', dissatisfied: 'dissatisfied',
    } },
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

//! What the actors write: the opinions on their commands and the reasons for a rating.

pub(super) const OP_DENY: &str = "现场核实，问题不存在或已自行消除";
pub(super) const OP_REFUSE: &str = "不符合立案条件，不予立案";
pub(super) const OP_VOID: &str = "重复上报，申请作废";
pub(super) const OP_DENY_VOID: &str = "非重复案件，驳回作废申请";
pub(super) const OP_RETURN: &str = "经现场查看，该问题不属于本单位职责范围，申请回退";
pub(super) const OP_DENY_RETURN: &str = "经核对职责清单，属于本单位职责，驳回回退申请";
pub(super) const OP_SUSPEND: &str = "涉及产权或资金问题，需上级协调解决，申请挂账";
pub(super) const OP_DENY_SUSPEND: &str = "挂账理由不充分，请按时处置";
pub(super) const OP_EXTEND: &str = "需协调施工队伍及材料，申请延时";
pub(super) const OP_DENY_EXTEND: &str = "延时理由不充分，请按原时限处置";
pub(super) const OP_WHISTLE: &str = "社区（街道）无法单独解决，吹哨召集主管部门报到";
pub(super) const OP_FIXED: &str = "已处置完毕，现场已恢复，附处置后照片";
pub(super) const OP_CHECK_FAIL: &str = "现场核查未整改到位，返工";
pub(super) const OP_ANSWER: &str = "已向来电人解释相关政策规定，直接答复办结";
pub(super) const OP_WITHDRAW: &str = "派单有误，撤回重新派单";
pub(super) const OP_URGE: &str = "已超办理时限，请尽快办理并答复诉求人";
pub(super) const OP_REPLY: &str = "已联系诉求人，问题已处理完毕";
pub(super) const OP_REJECT_REPLY: &str = "答复内容不完整，未说明处理结果，退回重办";
pub(super) const OP_REHANDLE: &str = "诉求人对处理结果不满意，转重办";
pub(super) const OP_UNREACHED: &str = "回访电话三次无人接听";
pub(super) const R_DISSATISFIED: &str = "问题未彻底解决";
pub(super) const R_BASIC: &str = "处理较慢";

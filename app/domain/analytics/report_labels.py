# ruff: noqa: RUF001  (Chinese text uses full-width punctuation)
"""The report builder's field labels in Chinese (zh-CN), by field name; English labels are the
declared ones (app/domain/shared/conditions.py). Custom fields keep their own label."""

from __future__ import annotations

from app.domain.shared.conditions import FieldSpec

ZH: dict[str, str] = {
    "name": "名称", "title": "职位", "company": "公司", "email": "邮箱", "phone": "电话", "tags": "标签",
    "owner": "负责人", "department": "部门", "region": "区域", "created_at": "创建时间", "updated_at": "更新时间",
    "customer.name": "客户名称", "customer.level": "客户等级", "customer.customer_type": "客户类型",
    "customer.industry": "客户行业", "customer.status": "客户状态", "customer.region": "客户区域",
    "customer.owner": "客户负责人", "customer.department": "客户部门", "customer.tags": "客户标签",
    "last_activity_at": "最近活动", "deals.open": "有进行中的商机", "deals.stage": "有处于该阶段的商机",
    "tickets.open": "有未结工单", "tickets.last_complaint_at": "最近投诉", "csat.score": "满意度评分",
    "campaign": "营销活动", "consent.email": "已同意邮件营销", "consent.sms": "已同意短信营销",
    "suppressed.email": "邮箱已屏蔽", "suppressed.sms": "手机号已屏蔽", "customer": "客户", "birthday": "生日",
    "is_primary": "主要联系人", "status": "状态", "source": "来源", "rating": "评级", "score": "评分",
    "source_campaign": "来源活动", "converted_at": "转化时间", "kind": "类型", "customer_type": "客户类型",
    "industry": "行业", "level": "等级", "amount": "金额", "currency": "币种", "probability": "赢率（%）",
    "forecast_category": "预测类别", "expected_close_date": "预计成交日期", "pipeline": "销售流程", "stage": "阶段",
    "lost_reason": "输单原因", "closed_at": "关闭时间", "stage_entered_at": "进入阶段时间", "subject": "主题",
    "outcome": "结果", "occurred_at": "发生时间", "due_at": "截止时间", "duration_minutes": "时长（分钟）",
    "assignee": "执行人", "contact": "联系人", "lead": "线索", "deal": "商机", "channel": "渠道",
    "priority": "优先级", "is_open": "未结", "category": "分类", "resolved_at": "解决时间",
    "first_responded_at": "首次响应时间", "reopen_count": "重开次数", "escalation_level": "升级级别",
    "registration_status": "报名状态", "sent_at": "发送时间", "opened_at": "打开时间", "clicked_at": "点击时间",
    "registered_at": "报名时间", "attended_at": "签到时间", "count": "数量",
}  # fmt: skip


def zh_label(spec: FieldSpec) -> str:
    return ZH.get(spec.name, spec.label)

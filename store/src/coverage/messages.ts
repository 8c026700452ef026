import type { DeviceKind } from '@vigil/protocol';
import { z } from 'zod';

/** The coverage report's texts: zh-CN by default, English on request (docs/ARCHITECTURE.md "Coverage audit"). */
export const LOCALES = ['zh-CN', 'en'] as const;
export const localeSchema = z.enum(LOCALES);
export type Locale = z.infer<typeof localeSchema>;

const zh = {
  'device.wristband': '手环',
  'device.bedmat': '床垫传感器',
  'device.smoke': '烟感探测器',
  'device.gas': '燃气探测器',
  'device.electrical': '电气火灾监控',
  'device.door': '门磁',
  'device.pir': '人体感应器',
  'device.button': '呼叫按钮',
  'filing.draft': '草稿',
  'filing.filed': '已备案待审',
  'filing.accepted': '已通过',
  'filing.needs-revision': '需修改',
  'finding.place-missing': '{place}：无{device}',
  'subject.resident': '住户 {resident}',
  'finding.retired-not-replaced': '{where}：{device} {id} 于 {date} 退役，未更换',
  'finding.silent': '{device} {id} 无数据 {span}',
  'finding.low-battery': '{device} {id}：{time} 起电量低（最低 {percent}%）',
  'finding.test-overdue': '{device} {id}：上次功能测试 {date}，已超期',
  'finding.test-none': '{device} {id}：近 {days} 天无功能测试',
  'finding.plan-review-overdue': '预案 {plan}：评审已于 {date} 到期',
  'finding.plan-not-accepted': '预案 {plan}：备案状态为{status}',
  'finding.plan-no-document': '预案 {plan}：未上传文档',
  'finding.drill-overdue': '预案 {plan}：近 {days} 天无演练',
  'finding.drill-missed': '预案 {plan}：{date} 计划的演练未进行',
  'span.same-day': '{date} {from}–{to}',
  'span.days': '{fromDate} {from} – {toDate} {to}',
  'report.title': '{facility} 安全覆盖审计',
  'report.period': '审计期间 {from} 至 {to}（{timezone}）',
  'report.policy': '覆盖策略版本 {version}',
  'report.score': '覆盖得分',
  'report.findings': '问题清单',
  'report.none': '无',
  'report.trend': '每日覆盖得分',
  'report.requirements': '应配设备与实际设备',
  'report.alerts': '告警类别与响应时间',
  'report.plans': '应急预案与演练',
  'column.day': '日期',
  'column.device': '设备',
  'column.present': '在位',
  'column.covered': '覆盖比例',
  'column.score': '得分',
  'column.code': '类别',
  'column.subject': '对象',
  'column.text': '说明',
  'column.rule': '类别',
  'column.drill': '演练',
  'column.count': '次数',
  'column.acknowledged': '已确认',
  'column.medianAck': '确认中位时间（秒）',
  'column.medianResolve': '处理中位时间（秒）',
  'column.plan': '预案',
  'column.filing': '备案状态',
  'column.reviewDue': '评审日期',
  'column.lastDrill': '上次演练',
} as const;

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'device.wristband': 'wristband',
  'device.bedmat': 'bed mat',
  'device.smoke': 'smoke sensor',
  'device.gas': 'gas sensor',
  'device.electrical': 'electrical monitor',
  'device.door': 'door sensor',
  'device.pir': 'motion sensor',
  'device.button': 'call button',
  'filing.draft': 'draft',
  'filing.filed': 'filed',
  'filing.accepted': 'accepted',
  'filing.needs-revision': 'needs revision',
  'finding.place-missing': '{place}: no {device}',
  'subject.resident': 'Resident {resident}',
  'finding.retired-not-replaced': '{where}: {device} {id} retired on {date}, not replaced',
  'finding.silent': '{device} {id} silent {span}',
  'finding.low-battery': '{device} {id}: battery low from {time} (lowest {percent}%)',
  'finding.test-overdue': '{device} {id}: last functional test {date}, overdue',
  'finding.test-none': '{device} {id}: no functional test in the last {days} days',
  'finding.plan-review-overdue': 'Plan {plan}: review overdue since {date}',
  'finding.plan-not-accepted': 'Plan {plan}: filing status {status}',
  'finding.plan-no-document': 'Plan {plan}: no document uploaded',
  'finding.drill-overdue': 'Plan {plan}: no drill in the last {days} days',
  'finding.drill-missed': 'Plan {plan}: drill scheduled for {date} not run',
  'span.same-day': '{from}–{to} on {date}',
  'span.days': '{fromDate} {from} – {toDate} {to}',
  'report.title': 'Coverage audit of {facility}',
  'report.period': 'Period {from} to {to} ({timezone})',
  'report.policy': 'Coverage policy version {version}',
  'report.score': 'Coverage score',
  'report.findings': 'Findings',
  'report.none': 'none',
  'report.trend': 'Coverage per day',
  'report.requirements': 'Required and present devices',
  'report.alerts': 'Alerts by kind and response times',
  'report.plans': 'Emergency plans and drills',
  'column.day': 'day',
  'column.device': 'device',
  'column.present': 'present',
  'column.covered': 'covered share',
  'column.score': 'score',
  'column.code': 'code',
  'column.subject': 'subject',
  'column.text': 'text',
  'column.rule': 'kind',
  'column.drill': 'drill',
  'column.count': 'count',
  'column.acknowledged': 'acknowledged',
  'column.medianAck': 'median seconds to acknowledge',
  'column.medianResolve': 'median seconds to resolve',
  'column.plan': 'plan',
  'column.filing': 'filing status',
  'column.reviewDue': 'review due',
  'column.lastDrill': 'last drill',
};

const CATALOGUES: Record<Locale, Record<Key, string>> = { 'zh-CN': zh, en };

export type MessageKey = Key;

/** The text of `key` in `locale` with `{name}` placeholders filled in. */
export function message(locale: Locale, key: Key, args: Record<string, string | number> = {}): string {
  return CATALOGUES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) => String(args[name] ?? whole));
}

export const deviceName = (locale: Locale, kind: DeviceKind) => message(locale, `device.${kind}`);

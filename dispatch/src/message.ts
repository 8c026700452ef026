import type { AlertRule, AlertPriority } from '@vigil/protocol';
import type { DeliveryReason, Dwelling, WorkOrder } from '@vigil/store';

/** What a rule means to a person, zh-CN first, English second. */
const RULE_LABELS: Record<AlertRule, [string, string]> = {
  fall: ['跌倒', 'fall'],
  sos: ['紧急呼叫', 'emergency call'],
  vitals: ['生命体征异常', 'abnormal vital signs'],
  deterioration: ['病情恶化迹象', 'signs of deterioration'],
  no_vitals_in_bed: ['在床无生命体征', 'no vital signs in bed'],
  bed_exit_night: ['夜间离床', 'out of bed at night'],
  wandering: ['走失风险', 'wandering'],
  inactivity: ['长时间无活动', 'no activity'],
  fire: ['烟雾 / 火情', 'smoke / fire'],
  gas: ['燃气泄漏', 'gas leak'],
  electrical: ['电气火灾隐患', 'electrical fire risk'],
  device_offline: ['设备离线', 'device offline'],
  low_battery: ['电量低', 'low battery'],
  band_not_worn: ['手环未佩戴', 'band not worn'],
  connectivity: ['网络中断', 'connectivity lost'],
  flood_control: ['告警过多', 'alert flood'],
  notification_channel: ['通知渠道故障', 'notification channel down'],
  drill: ['演练', 'drill'],
};

const PRIORITY_LABELS: Record<AlertPriority, [string, string]> = {
  critical: ['紧急', 'critical'],
  high: ['高', 'high'],
  warning: ['提醒', 'warning'],
  info: ['信息', 'info'],
};

/** A notification's text: a short title and a body of a few lines, Chinese first, then English. */
export interface Message {
  title: string;
  body: string;
  /** Where the staff page shows the order. */
  path: string;
}

/**
 * The text of a notification. Staff and the lead get the address and how to get in (they are going there); family
 * contacts only what happened and that the station is on its way.
 */
export function composeMessage(reason: DeliveryReason, order: WorkOrder, dwelling: Dwelling | null): Message {
  const [ruleZh, ruleEn] = RULE_LABELS[order.rule];
  const [prioZh, prioEn] = PRIORITY_LABELS[order.priority];
  // The staff page gives each order the element id `order-<id>`: the browser scrolls to it.
  const path = `/staff#order-${order.id}`;
  if (reason === 'family')
    return {
      title: `【${prioZh}】家人${ruleZh} / ${ruleEn} at home`,
      body: `服务站已收到告警并派人上门。\nThe service station has been alerted and is sending someone.`,
      path,
    };
  const head = reason === 'escalated' ? '【升级】无人接单' : `【${prioZh}】新工单`;
  const headEn = reason === 'escalated' ? 'ESCALATED: not accepted' : `${prioEn}: new work order`;
  const where = dwelling ? `${dwelling.district} ${dwelling.address}` : order.location;
  const lines = [
    `${ruleZh}：${where}`,
    ...(dwelling?.accessNote ? [`入户方式：${dwelling.accessNote}`] : []),
    `请于 ${order.onSiteDueAt.toISOString()} 前到达。`,
    `${ruleEn}: ${where}; be on site by ${order.onSiteDueAt.toISOString()}.`,
  ];
  return { title: `${head} / ${headEn}`, body: lines.join('\n'), path };
}

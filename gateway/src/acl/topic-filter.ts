/**
 * MQTT topic and filter algebra for the ACL: does a topic match a filter, and is one filter entirely
 * inside another (so that every topic the client could receive through it is one it may receive).
 */

const SHARE_PREFIX = '$share/';

/**
 * Strips an MQTT 5 shared-subscription prefix: `$share/<group>/<filter>` → `<filter>`. Returns null for a
 * malformed share (no group or no filter), which the ACL refuses.
 */
export function unshare(filter: string): string | null {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const rest = filter.slice(SHARE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  return rest.slice(slash + 1);
}

/** True when `topic` (no wildcards) matches `filter`. Topics starting with `$` never match a leading wildcard [MQTT-4.7.2-1]. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** True when every topic matched by `inner` is also matched by `outer`. */
export function filterWithin(inner: string, outer: string): boolean {
  const i = inner.split('/');
  const o = outer.split('/');
  for (let k = 0; k < o.length; k++) {
    if (o[k] === '#') return true;
    if (k >= i.length) return false;
    if (i[k] === '#') return false;
    if (o[k] === '+') continue;
    if (i[k] !== o[k]) return false;
  }
  return i.length === o.length;
}

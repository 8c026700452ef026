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

/**
 * A filter as a regular expression that tests topics (no wildcards), compiled once per filter: the ACL checks
 * every message against its role's filters, and a split of both strings per check cost more than routing.
 * `+` matches one level (an empty one too), a trailing `#` the parent level and everything below it, and
 * topics starting with `$` never match a leading wildcard [MQTT-4.7.2-1].
 */
export function compileFilter(filter: string): RegExp {
  const levels = filter.split('/');
  let source = '';
  for (const [i, level] of levels.entries()) {
    if (level === '#') {
      source += i === 0 ? '.*' : '(?:/.*)?';
      break;
    }
    source += `${i ? '/' : ''}${level === '+' ? '[^/]*' : level.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  }
  const noDollar = levels[0] === '+' || levels[0] === '#' ? '(?!\\$)' : '';
  return new RegExp(`^${noDollar}${source}$`, 's');
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

// The difference between two JSON values, as the places that differ: each a JSON Pointer with
// what was there before and what is there after. Objects are compared member by member, arrays
// element by element (an element inserted in the middle shows as changes from there on: simple,
// and never wrong about what each index holds).

/** [{op: 'add' | 'remove' | 'replace', path, before, after}], in document order. */
export function diff(before, after, path = '') {
  if (equal(before, after)) {
    return [];
  }
  if (isObject(before) && isObject(after)) {
    const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return names.flatMap((name) => member(before, after, name, path + '/' + escape(name)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      changes.push(...member(before, after, i, path + '/' + i));
    }
    return changes;
  }
  return [{ op: 'replace', path, before, after }];
}

function member(before, after, key, path) {
  const had = Object.prototype.hasOwnProperty.call(before, key);
  const has = Object.prototype.hasOwnProperty.call(after, key);
  if (had && !has) {
    return [{ op: 'remove', path, before: before[key] }];
  }
  if (!had && has) {
    return [{ op: 'add', path, after: after[key] }];
  }
  return diff(before[key], after[key], path);
}

export function equal(a, b) {
  if (a === b) {
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
  }
  return false;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** RFC 6901: "~" as "~0", "/" as "~1". */
function escape(name) {
  return String(name).replace(/~/g, '~0').replace(/\//g, '~1');
}

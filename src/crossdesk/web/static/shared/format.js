// Locale-aware formatting through Intl, so each viewer sees dates their own way.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const fullDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'narrow' });

export function formatTime(iso) {
  return iso ? timeFormat.format(new Date(iso)) : '';
}

export function formatDateTime(iso) {
  return iso ? fullDateFormat.format(new Date(iso)) : '';
}

/** A call's length as m:ss. */
export function formatDuration(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** "now", "5 min. ago", "3 hr. ago", "yesterday", then a short date. */
export function formatRelative(iso, now = Date.now()) {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'now';
  if (abs < 3600) return relativeFormat.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relativeFormat.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relativeFormat.format(Math.round(seconds / 86_400), 'day');
  return dateFormat.format(new Date(iso));
}

function displayName(type, code) {
  if (!code) return '';
  try {
    return new Intl.DisplayNames(undefined, { type }).of(code) ?? code;
  } catch {
    return code; // not a valid code for Intl: show it raw
  }
}

export const countryName = (code) => displayName('region', code?.toUpperCase());
export const languageName = (code) => displayName('language', code);

/**
 * The wall-clock time right now in `timeZone`, e.g. "21:04 (UTC−03:00)". Returns null for an
 * unknown zone so callers can say so instead of showing a wrong time.
 */
export function localTime(timeZone, now = new Date()) {
  if (!timeZone) return null;
  try {
    const time = new Intl.DateTimeFormat(undefined, { timeZone, hour: 'numeric', minute: '2-digit', weekday: 'short' }).format(now);
    const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' })
      .formatToParts(now)
      .find((part) => part.type === 'timeZoneName')?.value;
    return { time, offset: offset ?? '' };
  } catch {
    return null;
  }
}

export function initials(name) {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return '?';
  return (words[0][0] + (words.length > 1 ? words.at(-1)[0] : '')).toUpperCase();
}
